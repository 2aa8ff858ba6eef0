"""The demo: the example project run several times (`tagbase demo`, `make demo`), and the seed
catalog (`load_demo`, a month of made-up history that the web UI's tests browse).

`_runs` runs the example project; the seed catalog is split into its definitions and tag
registry (`_definitions`, `_schemas`), its history (`_history`) and the loader (`_seed`).
"""

from tagbase.demo._runs import (
    DEFAULT_ROUNDS,
    EXAMPLES_MODULE,
    LAUNCH_TAGS,
    SCHEDULE,
    SERIES,
    DemoRuns,
    load_examples,
    run_demo,
)
from tagbase.demo._seed import DemoSummary, load_demo

__all__ = [
    "DEFAULT_ROUNDS",
    "EXAMPLES_MODULE",
    "LAUNCH_TAGS",
    "SCHEDULE",
    "SERIES",
    "DemoRuns",
    "DemoSummary",
    "load_demo",
    "load_examples",
    "run_demo",
]
