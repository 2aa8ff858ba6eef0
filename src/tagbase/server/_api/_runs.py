"""Runs: their steps and events, launching a job or a run template, and re-execution.

A launch returns 202 with the run as soon as it is recorded; the run goes on in the server.
"""

from __future__ import annotations

from fastapi import APIRouter

from tagbase._errors import TargetError
from tagbase._json import EntityOut, EventOut, StepOut
from tagbase.server import _data
from tagbase.server._api._deps import ClientDep, LauncherDep
from tagbase.server._schemas import (
    JobOut,
    Launch,
    Reexecute,
    RunDetailOut,
)

router = APIRouter(tags=["runs"])


@router.get("/runs/{ref}/detail", response_model=RunDetailOut)
def run_detail(ref: str, client: ClientDep) -> RunDetailOut:
    """A run with its steps, events and the asset versions it created."""
    return RunDetailOut.of(_data.run_detail(client, ref))


@router.get("/runs/{ref}/steps", response_model=list[StepOut])
def run_steps(ref: str, client: ClientDep) -> list[StepOut]:
    return [StepOut.of(step) for step in client.list_run_steps(ref)]


@router.get("/runs/{ref}/events", response_model=list[EventOut])
def run_events(ref: str, client: ClientDep) -> list[EventOut]:
    return [EventOut.of(event) for event in client.list_run_events(ref)]


@router.post("/runs/{ref}/reexecute", response_model=EntityOut, status_code=202)
def reexecute(ref: str, body: Reexecute, launcher: LauncherDep) -> EntityOut:
    """Run again a run's job, from its failure by default, as a child of that run."""
    run = launcher.reexecute(ref, from_failure=body.from_failure, tags=body.tags)
    return EntityOut.of(run)


@router.post("/runs/{ref}/cancel", response_model=EntityOut)
def cancel(ref: str, client: ClientDep) -> EntityOut:
    """Cancel a queued run (at once) or one a worker runs (the worker stops it); a run that
    ended, or one running inside the server, is a 409."""
    return EntityOut.of(client.cancel_run(ref))


@router.get("/launchable", response_model=list[JobOut])
def launchable(launcher: LauncherDep) -> list[JobOut]:
    """The jobs this server can launch (those of the definitions it was started with)."""
    return [JobOut(name=name) for name in launcher.job_names]


@router.post("/launch", response_model=EntityOut, status_code=202)
def launch(body: Launch, launcher: LauncherDep) -> EntityOut:
    """Launch a job, or a run template, with launch tags (they override the job's)."""
    if (body.job is None) == (body.template is None):
        raise TargetError(
            "a launch names one target: give `job` (a job name) or `template` (a run "
            "template's name or id), not both or neither"
        )
    if body.template is not None:
        return EntityOut.of(launcher.launch_template(body.template, body.tags))
    assert body.job is not None
    return EntityOut.of(launcher.launch(body.job, body.tags))
