"""The run queue from the command line: `launch` (queue a run), `worker`, `daemon`,
`backfill`, `run cancel`, and `template save|launch`."""

from __future__ import annotations

import json
import signal
import time
from types import FrameType
from typing import Any

import click

from tagbase._errors import InvalidInputError
from tagbase._json import EntityOut
from tagbase._records import Entity
from tagbase.cli._app import State, pass_state
from tagbase.cli._entities import show_entity
from tagbase.cli._execution import _load, launch_tag_option, partition_option, source_options
from tagbase.cli._options import json_option
from tagbase.cli._render import emit_json
from tagbase.orchestration import Worker
from tagbase.orchestration._daemon import Daemon
from tagbase.store import Lease


def _queued(run: Entity, as_json: bool) -> None:
    if as_json:
        emit_json(EntityOut.of(run))
        return
    job = run.scope.name if run.scope else "?"
    click.echo(f"queued run {run.name} ({run.id}) of {job}")


@click.command("launch")
@click.argument("job_name", metavar="JOB")
@source_options
@launch_tag_option
@partition_option
@json_option
@pass_state
def launch(
    state: State,
    job_name: str,
    file: str | None,
    module: str | None,
    tags: tuple[str, ...],
    partition_key: str | None,
    as_json: bool,
) -> None:
    """Queue a run of a job for a worker: `tagbase launch JOB --tag tagbase/priority=5`.

    Without -f/-m the job must be in the catalog (`tagbase load`). `tagbase run JOB` runs
    it here and now instead.
    """
    definitions = None if file is None and module is None else _load(state, file, module)
    run = state.client.launch_run(
        job_name, tags=list(tags), definitions=definitions, partition_key=partition_key
    )
    _queued(run, as_json)


class _Stop:
    """SIGTERM and SIGINT ask a loop to finish what it is doing and leave."""

    def __init__(self) -> None:
        self.requested = False
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        if self.requested:  # a second signal: leave now
            raise KeyboardInterrupt
        self.requested = True

    def __call__(self) -> bool:
        return self.requested


def _location(file: str | None, module: str | None) -> str:
    return f"file {file}" if file is not None else f"module {module}"


@click.command("worker")
@source_options
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Runs this worker runs at once, each in a process of its own.",
)
@click.option("--max-runs", type=click.IntRange(1), metavar="N", help="Leave after N runs ended.")
@pass_state
def worker(
    state: State, file: str | None, module: str | None, concurrency: int, max_runs: int | None
) -> None:
    """Run queued runs of the jobs a file or module defines, until stopped (Ctrl-C lets the
    runs in progress end first; a second Ctrl-C stops at once)."""
    definitions = _load(state, file, module)
    config = state.config()

    def report(what: str, lease: Lease) -> None:
        click.echo(f"{what}: run {lease.run_uuid} of {lease.job_name}")

    chosen = Worker(
        definitions,
        state.client.store,
        config.run_queue,
        location=_location(file, module),
        max_concurrent_runs=concurrency,
        on_event=report,
    )
    click.echo(f"worker {chosen.id} on {', '.join(definitions.job_names)}")
    chosen.run(max_runs=max_runs, stop=_Stop())


@click.command("daemon")
@source_options
@click.option(
    "--interval", default=1.0, show_default=True, type=click.FloatRange(0.01), metavar="S",
    help="Seconds between ticks.",
)  # fmt: skip
@pass_state
def daemon(state: State, file: str | None, module: str | None, interval: float) -> None:
    """Tick the schedules and sensors of a file or module into queued runs, and fail the
    runs of workers that stopped heartbeating."""
    definitions = _load(state, file, module)
    config = state.config()
    timeout = config.run_queue.heartbeat_timeout_s
    chosen = Daemon(definitions, state.client.store, heartbeat_timeout_s=timeout)
    names = [s.name for s in definitions.schedules] + [s.name for s in definitions.sensors]
    click.echo(f"daemon ticking {', '.join(names) or 'no schedules or sensors'}")
    stop = _Stop()
    while not stop():
        result = chosen.tick()
        for run in result.runs:
            click.echo(f"queued run {run.name} ({run.id}) {_origin(run)}")
        for error in result.errors:
            click.echo(f"error: {error}", err=True)
        stop_wait(stop, interval)


def stop_wait(stop: _Stop, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not stop() and time.monotonic() < end:
        time.sleep(min(0.05, seconds))


def _origin(run: Entity) -> str:
    tags = run.tag_dict
    for key in ("tagbase/schedule_name", "tagbase/sensor_name"):
        if key in tags:
            return f"({key.removeprefix('tagbase/')} {tags[key]})"
    return ""


@click.command("backfill")
@click.argument("job_name", metavar="JOB")
@source_options
@click.option("--from", "start", metavar="KEY", help="The first partition key.")
@click.option("--to", "end", metavar="KEY", help="The last partition key.")
@click.option("--partition", "keys", multiple=True, metavar="KEY", help="A partition. Repeat.")
@launch_tag_option
@json_option
@pass_state
def backfill(
    state: State,
    job_name: str,
    file: str | None,
    module: str | None,
    start: str | None,
    end: str | None,
    keys: tuple[str, ...],
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Queue a run per partition: `tagbase backfill JOB --from 2024-01-01 --to 2024-01-10`."""
    definitions = _load(state, file, module)
    made = state.client.launch_backfill(
        job_name,
        partition_keys=list(keys) or None,
        start=start,
        end=end,
        tags=list(tags),
        definitions=definitions,
    )
    if as_json:
        emit_json(
            {"backfill": made.id, "partitions": list(made.partition_keys), "runs": made.run_ids}
        )
    else:
        click.echo(f"backfill {made.id}: {len(made.run_ids)} runs of {made.job_name} queued")


@click.command("cancel")
@click.argument("run", metavar="RUN_NAME_OR_ID")
@json_option
@pass_state
def run_cancel(state: State, run: str, as_json: bool) -> None:
    """Cancel a queued run, or stop a running one (its worker kills it)."""
    found = state.client.cancel_run(run)
    if as_json:
        emit_json(EntityOut.of(found))
    elif found.status == "canceled":
        click.echo(f"run {found.name} ({found.id}) canceled")
    else:
        click.echo(f"run {found.name} ({found.id}): its worker will stop it")


@click.group("template")
def template() -> None:
    """Run templates: a job with tags and run config, saved to launch from."""


def _config(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        loaded = json.loads(text)
    except ValueError as error:
        raise InvalidInputError(
            f"--config {text!r} is not JSON ({error}). Fix: write e.g. --config '{{\"a\": 1}}'"
        ) from None
    if not isinstance(loaded, dict):
        raise InvalidInputError(f"--config {text!r} is not a JSON object. Fix: write {{...}}")
    return loaded


@template.command("save")
@click.argument("name")
@click.option("--job", "job_name", required=True, metavar="JOB", help="The job it launches.")
@launch_tag_option
@click.option("--config", "config_text", metavar="JSON", help="Run config, a JSON object.")
@click.option("--description", metavar="TEXT", help="What the template is for.")
@json_option
@pass_state
def save_template(
    state: State,
    name: str,
    job_name: str,
    tags: tuple[str, ...],
    config_text: str | None,
    description: str | None,
    as_json: bool,
) -> None:
    """Save a run template of a job (recorded in the catalog) with tags and run config."""
    made = state.client.create_run_template(
        name, job_name, tags=list(tags), description=description, run_config=_config(config_text)
    )
    show_entity(made, as_json)


@template.command("launch")
@click.argument("name")
@click.option("--pipeline", metavar="JOB", help="The job, when two jobs have such a template.")
@launch_tag_option
@json_option
@pass_state
def launch_template(
    state: State, name: str, pipeline: str | None, tags: tuple[str, ...], as_json: bool
) -> None:
    """Queue a run from a template: its job and tags, then --tag over them."""
    run = state.client.launch_run_template(name, tags=list(tags), pipeline=pipeline)
    _queued(run, as_json)
