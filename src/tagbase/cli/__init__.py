"""The `tagbase` command line; every command talks to the catalog through `Client`.

tagbase [--database-url URL] [--home PATH]
├── tag       register, update, delete, list, history, holders
├── artifact  list, show, update; version list, show, update   (also: artifacts, asset)
├── model     list, show, update; version list, show, update
├── pipeline  list, show, update                                (also: job)
├── run       list, show, update
├── db        status, upgrade
└── demo
"""

from tagbase.cli._app import cli
from tagbase.cli._db import db
from tagbase.cli._demo import demo
from tagbase.cli._runs import pipeline, run
from tagbase.cli._tags import tag
from tagbase.cli._versioned import artifact, model

for _command in (tag, artifact, model, pipeline, run, db, demo):
    cli.add_command(_command)

__all__ = ["cli", "main"]


def main() -> None:
    """The console script."""
    cli(prog_name="tagbase")
