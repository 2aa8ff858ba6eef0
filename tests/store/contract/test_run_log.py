"""The run log: steps and events of a run, by its public id."""

from __future__ import annotations

import pytest

from tagbase import NotFoundError
from tagbase.store import Event, StepEnd, StoreContract


def test_steps_and_events_are_kept_in_order(contract: StoreContract, run_id: str) -> None:
    contract.add_run_events(run_id, [Event("run_started", 1000)])
    contract.start_step(run_id, "load", "load", 1001)
    contract.end_steps(
        run_id,
        [
            StepEnd("load", "load", "success", 1001, 1002),
            StepEnd("fit", "fit", "skipped", None, 1002),
        ],
        [Event("step_success", 1002, "load"), Event("step_skipped", 1002, "fit", "upstream")],
    )
    steps = contract.list_steps(run_id)
    assert [(s.key, s.status) for s in steps] == [("load", "success"), ("fit", "skipped")]
    assert steps[0].started_at is not None
    assert steps[1].started_at is None
    events = contract.list_events(run_id)
    assert [(e.event, e.step) for e in events] == [
        ("run_started", None),
        ("step_started", "load"),
        ("step_success", "load"),
        ("step_skipped", "fit"),
    ]
    assert events[-1].message == "upstream"


def test_open_steps_end_with_the_run(contract: StoreContract, run_id: str) -> None:
    contract.start_step(run_id, "a", "a", 1)
    contract.start_step(run_id, "b", "b", 1)
    contract.end_steps(run_id, [StepEnd("a", "a", "success", 1, 2)], [])
    assert contract.end_open_steps(run_id, "canceled", "canceled on request", 3) == ["b"]
    steps = {s.key: s for s in contract.list_steps(run_id)}
    assert steps["a"].status == "success"
    assert (steps["b"].status, steps["b"].error) == ("canceled", "canceled on request")
    assert contract.end_open_steps(run_id, "failed", "again", 4) == []


def test_an_unknown_run_is_a_not_found_error(contract: StoreContract) -> None:
    unknown = "01234567-89ab-7def-8123-456789abcdef"
    for call in (
        lambda: contract.list_steps(unknown),
        lambda: contract.list_events(unknown),
        lambda: contract.start_step(unknown, "a", "a", 1),
        lambda: contract.add_run_events(unknown, [Event("run_started", 1)]),
    ):
        with pytest.raises(NotFoundError, match=unknown):
            call()
