"""The demo: the example project (`tagbase.examples`), recorded and run several times.

Each call registers the project's tags, records its definitions, then runs every job of it
`rounds` times, so the catalog has history: materializations of the marketing assets, runs of
every job with their tags, a new `iris_classifier` version per round (the best one holding the
exclusive `champion`), the exclusive `latest` tag moving from run to run, the cascade tag
`iris_baseline` on every artifact version of the iris pipeline, and numbers (accuracy, row
counts) that form series. Calling it again adds more of the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tagbase._client import Client
from tagbase._errors import InvalidInputError
from tagbase.definitions import Definitions
from tagbase.execution import RunResult
from tagbase.execution._launch import execute_job
from tagbase.execution._sync import sync_definitions

EXAMPLES_MODULE = "tagbase.examples.definitions"
DEFAULT_ROUNDS = 3
LAUNCH_TAGS: Mapping[str, str] = {"env": "demo"}
# The jobs of one round, in an order that works: the report reads what the nightly job made.
SCHEDULE: tuple[tuple[str, Mapping[str, str]], ...] = (
    ("nightly_marketing", {"trigger": "schedule"}),
    ("weekly_campaign_report", {"trigger": "schedule"}),
    ("lead_hygiene", {"trigger": "manual"}),
    ("iris_training", {"trigger": "schedule"}),
    ("fraud_training", {"trigger": "schedule"}),
)
SERIES = (  # (kind, name, key): numeric metadata the demo's runs log, as time series
    ("model", "iris_classifier", "accuracy"),
    ("model", "fraud_detector", "auc"),
    ("asset", "leads", "tagbase/row_count"),
    ("asset", "hot_leads", "share"),
)


@dataclass(frozen=True, slots=True)
class DemoRuns:
    """What one `run_demo` call did: the definitions it recorded and the runs it made."""

    definitions: Definitions
    runs: tuple[RunResult, ...]

    @property
    def asset_versions(self) -> int:
        return sum(len(run.asset_version_ids) for run in self.runs)


def load_examples(client: Client) -> Definitions:
    """Register the example project's tags and record its definitions in `client`'s catalog."""
    try:
        from tagbase.examples import definitions, registry
    except ModuleNotFoundError as error:
        if error.name not in ("numpy", "pandas", "pyarrow"):
            raise
        raise InvalidInputError(
            f"the demo's example project needs {error.name}, which is not installed. "
            "Fix: pip install 'tagbase[examples]'"
        ) from error
    registry.register_tags(client)
    sync_definitions(definitions.defs, client.store)
    return definitions.defs


def run_demo(client: Client, rounds: int = DEFAULT_ROUNDS) -> DemoRuns:
    """Record the example project, then run each of its jobs `rounds` times."""
    if rounds < 1:
        raise InvalidInputError(f"rounds must be 1 or more, not {rounds}")
    defs = load_examples(client)
    runs = [
        execute_job(defs.get_job_def(job), tags=dict(LAUNCH_TAGS) | dict(tags), store=client.store)
        for _ in range(rounds)
        for job, tags in SCHEDULE
    ]
    return DemoRuns(defs, tuple(runs))
