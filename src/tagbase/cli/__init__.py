"""The `tagbase` command line; every command talks to the catalog through `Client`.

tagbase [--database-url URL] [--home PATH]
├── tag       register, update, delete, list, history, holders; policy set/show/list/delete
├── audit     list: attempts a tag policy refused
├── artifact  list, show, update; version list, show, update   (also: artifacts, asset)
├── model     list, show, update; version list, show, update
├── pipeline  list, show, update                                (also: job)
├── run       list, show, update, steps, cancel, reexecute; run JOB -f FILE --tag k=v runs a
│             job now (--partition KEY for a job with partitions)
├── load      -f FILE | -m MODULE: record definitions in the catalog
├── materialize --select SELECTION [--partition KEY] -f FILE | -m MODULE
├── launch    JOB [-f FILE | -m MODULE] --tag k=v: queue a run for a worker
├── worker    -f FILE | -m MODULE: run queued runs
├── daemon    -f FILE | -m MODULE: tick schedules and sensors
├── backfill  JOB --from KEY --to KEY -f FILE: a queued run per partition
├── template  save, launch
├── dev       -f FILE | -m MODULE: web server, daemon and worker together
├── serve     --host --port [-f FILE | -m MODULE]: the REST API and web UI
├── db        status, upgrade
├── user      create, list, update, delete: users and service accounts of a team server
├── token     create, list, revoke: their API tokens (printed once, only a digest kept)
├── events    tail [--follow] [--type T] [--filter Q] [--after ID], prune: the change feed
└── demo
"""

from tagbase.cli._app import cli
from tagbase.cli._db import db
from tagbase.cli._demo import demo
from tagbase.cli._dev import dev
from tagbase.cli._events import events
from tagbase.cli._execution import (
    artifact_metadata,
    load,
    materialize_command,
    run_reexecute,
    run_steps,
)
from tagbase.cli._policies import audit, policy
from tagbase.cli._queue import backfill, daemon, launch, run_cancel, template, worker
from tagbase.cli._runs import pipeline, run
from tagbase.cli._serve import serve
from tagbase.cli._tags import tag
from tagbase.cli._users import token, user
from tagbase.cli._versioned import artifact, model

for _command in (
    tag,
    artifact,
    model,
    pipeline,
    run,
    db,
    demo,
    load,
    materialize_command,
    launch,
    serve,
    worker,
    daemon,
    backfill,
    template,
    dev,
    user,
    token,
    audit,
    events,
):
    cli.add_command(_command)
tag.add_command(policy)
artifact.add_command(artifact_metadata)
run.add_command(run_steps)
run.add_command(run_reexecute)
run.add_command(run_cancel)

__all__ = ["cli", "main"]


def main() -> None:
    """The console script."""
    cli(prog_name="tagbase")
