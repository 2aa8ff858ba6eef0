"""Everything the example project defines, as `defs`: what `tagbase load` records.

`tagbase load -f examples/definitions.py` (or `-m tagbase.examples.definitions`) records the
assets, ops and jobs with their tags, owners, kinds and metadata. Each asset's metadata names
the file and line that define it, as a link into the project's git repository.
"""

from __future__ import annotations

from pathlib import Path

from tagbase import (
    AnchorBasedFilePathMapping,
    Definitions,
    link_code_references_to_git,
    with_source_code_references,
)

from . import marketing, reporting, training

GIT_URL = "https://github.com/example/tagbase"  # where this project's code lives
GIT_BRANCH = "main"

assets = link_code_references_to_git(
    with_source_code_references(list(marketing.ASSETS)),
    git_url=GIT_URL,
    git_branch=GIT_BRANCH,
    file_path_mapping=AnchorBasedFilePathMapping(
        local_file_anchor=Path(__file__).parent, file_anchor_path_in_repository="examples"
    ),
)

defs = Definitions(
    assets=assets,
    jobs=[
        marketing.nightly_marketing,
        reporting.weekly_campaign_report,
        reporting.lead_hygiene_job,
        training.iris_training,
        training.fraud_training,
    ],
)
