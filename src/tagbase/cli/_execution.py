"""Commands that load definitions and run them: `load`, `materialize`, `run JOB`,
`run reexecute RUN`, and the metadata series and steps that runs leave behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from tagbase._json import PointOut, StepOut, iso_time
from tagbase._kinds import Kind
from tagbase.cli._app import State, pass_state
from tagbase.cli._options import json_option
from tagbase.cli._render import console, emit_json
from tagbase.definitions import (
    Definitions,
    ExecutorDefinition,
    in_process_executor,
    multiprocess_executor,
)
from tagbase.execution import (
    RunResult,
    load_definitions,
    materialize,
    reexecute,
    sync_definitions,
)
from tagbase.execution._launch import execute_job

F = TypeVar("F", bound=Callable[..., Any])


def source_options(command: F) -> F:
    """`-f FILE` or `-m MODULE`: where the definitions are."""
    command = click.option(
        "-m", "--module", "module", metavar="MODULE", help="An importable module to load."
    )(command)
    return click.option(
        "-f", "--file", "file", metavar="FILE", type=click.Path(dir_okay=False),
        help="A Python file to load.",
    )(command)  # fmt: skip


launch_tag_option = click.option(
    "--tag",
    "-t",
    "tags",
    multiple=True,
    metavar="TAG",
    help="A tag for the run: 'key' or 'key=value'; overrides the job's tag of that key. Repeat.",
)
multiprocess_option = click.option(
    "--multiprocess", is_flag=True, help="Run steps in worker processes instead of this one."
)
partition_option = click.option(
    "--partition",
    "partition_key",
    metavar="KEY",
    help="The partition to run, of a job (or assets) with partitions.",
)


def _load(state: State, file: str | None, module: str | None) -> Definitions:
    """The definitions of -f/-m, synced into the catalog the global options name: every
    command that loads them records them, so the catalog shows what was loaded last."""
    definitions = load_definitions(file, module)
    sync_definitions(definitions, state.client.store)
    return definitions


def _executor(multiprocess: bool) -> ExecutorDefinition:
    return multiprocess_executor if multiprocess else in_process_executor


def _report(result: RunResult, as_json: bool) -> None:
    if as_json:
        emit_json(
            {
                "run_id": result.run_id,
                "run_name": result.run_name,
                "job": result.job_name,
                "status": result.status,
                "steps": {key: outcome.status for key, outcome in result.steps.items()},
                "asset_versions": list(result.asset_version_ids),
            }
        )
    else:
        failed = f", failed steps: {', '.join(result.failed_steps)}" if result.failed_steps else ""
        click.echo(f"run {result.run_name} ({result.run_id}) of {result.job_name}: "
                   f"{result.status}{failed}")  # fmt: skip
    if not result.success:
        raise SystemExit(1)


@click.command("load")
@source_options
@json_option
@pass_state
def load(state: State, file: str | None, module: str | None, as_json: bool) -> None:
    """Record the assets, ops and jobs a file or module defines in the catalog."""
    defs = _load(state, file, module)
    assets = [name for definition in defs.assets for name in definition.names]
    if as_json:
        emit_json({"assets": assets, "jobs": list(defs.job_names)})
    else:
        click.echo(f"recorded {len(assets)} assets and {len(defs.job_names)} jobs")


@click.command("materialize")
@source_options
@click.option("--select", "selection", metavar="SELECTION", help="Which assets (default: all).")
@launch_tag_option
@partition_option
@multiprocess_option
@json_option
@pass_state
def materialize_command(
    state: State,
    file: str | None,
    module: str | None,
    selection: str | None,
    tags: tuple[str, ...],
    partition_key: str | None,
    multiprocess: bool,
    as_json: bool,
) -> None:
    """Materialize assets: `--select 'tag:team=ml and +orders'` picks them; partitioned
    ones one partition, `--partition 2024-01-02`."""
    defs = _load(state, file, module)
    result = materialize(
        defs.assets,
        selection=selection,
        tags=list(tags),
        partition_key=partition_key,
        raise_on_error=False,
        executor=_executor(multiprocess),
        store=state.client.store,
    )
    _report(result, as_json)


@click.command("run")
@click.argument("job_name", metavar="JOB")
@source_options
@launch_tag_option
@partition_option
@multiprocess_option
@json_option
@pass_state
def run_now(
    state: State,
    job_name: str,
    file: str | None,
    module: str | None,
    tags: tuple[str, ...],
    partition_key: str | None,
    multiprocess: bool,
    as_json: bool,
) -> None:
    """Run a job (or pipeline) here and now: `tagbase run JOB --tag k=v -f file.py`
    (`tagbase launch JOB` queues it for a worker instead)."""
    job = _load(state, file, module).get_job_def(job_name)
    result = execute_job(
        job,
        tags=list(tags),
        partition_key=partition_key,
        raise_on_error=False,
        executor=_executor(multiprocess) if multiprocess else None,
        store=state.client.store,
    )
    _report(result, as_json)


@click.command("reexecute")
@click.argument("run_ref", metavar="RUN_NAME_OR_ID")
@source_options
@click.option(
    "--from-failure",
    is_flag=True,
    help="Only the steps that did not succeed, and those after them (default: every step "
    "the run ran).",
)
@launch_tag_option
@multiprocess_option
@json_option
@pass_state
def run_reexecute(
    state: State,
    run_ref: str,
    file: str | None,
    module: str | None,
    from_failure: bool,
    tags: tuple[str, ...],
    multiprocess: bool,
    as_json: bool,
) -> None:
    """Run a run's job again here and now, as its child, for its partition:
    `tagbase run reexecute RUN_ID --from-failure -f file.py`. Its launch tags are kept;
    --tag adds to them. The job's definitions come from -f FILE or -m MODULE."""
    parent = state.client.get_run(run_ref)
    assert parent.scope is not None  # a run always belongs to a job
    job = _load(state, file, module).get_job_def(parent.scope.name)
    result = reexecute(
        job,
        parent.id,
        from_failure=from_failure,
        tags=list(tags),
        raise_on_error=False,
        executor=_executor(multiprocess) if multiprocess else None,
        store=state.client.store,
    )
    _report(result, as_json)


@click.command("metadata")
@click.argument("name_or_id", metavar="NAME_OR_ID")
@click.argument("key")
@json_option
@pass_state
def artifact_metadata(state: State, name_or_id: str, key: str, as_json: bool) -> None:
    """The numbers logged under KEY across an artifact's versions, oldest first."""
    series = state.client.metadata_series(Kind.ASSET, name_or_id, key)
    if as_json:
        emit_json([PointOut.of(point) for point in series])
        return
    for point in series:
        click.echo(f"{iso_time(point.at)}  {point.entity.display_name}  {point.value}")


@click.command("steps")
@click.argument("run", metavar="RUN_NAME_OR_ID")
@json_option
@pass_state
def run_steps(state: State, run: str, as_json: bool) -> None:
    """A run's steps: status, duration and error."""
    records = state.client.list_run_steps(run)
    if as_json:
        emit_json([StepOut.of(record) for record in records])
        return
    out = console()
    for record in records:
        took = "" if record.duration is None else f" {record.duration:.3f}s"
        error = f"  {record.error}" if record.error else ""
        out.print(f"{record.key}  {record.status}{took}{error}", highlight=False, markup=False)


class RunGroup(click.Group):
    """`tagbase run list|show|update|steps ...`, and `tagbase run JOB ...` to launch a job."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "run", run_now, args
        return super().resolve_command(ctx, args)
