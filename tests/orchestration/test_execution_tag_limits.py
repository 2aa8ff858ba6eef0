"""Execution tags out of range are refused on every launch path, before a run is recorded: a
`tagbase/priority` beyond 64 bits once committed a run as `queued` that no worker could take
and `run cancel` could not cancel."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tagbase import Client, Kind, TagValidationError, job, op
from tagbase._limits import MAX_INTEGER, MAX_RETRIES, MAX_RUNTIME_SECONDS
from tagbase.definitions import Definitions
from tagbase.execution import execute_job
from tagbase.store import Store


@op
def noop() -> int:
    return 1


@job
def trivial() -> None:
    noop()


OUT_OF_RANGE = [
    ("tagbase/priority", str(2**63)),
    ("tagbase/priority", str(-(2**63))),
    ("tagbase/priority", "1" + "0" * 30),
    ("tagbase/max_runtime", "inf"),
    ("tagbase/max_runtime", "nan"),
    ("tagbase/max_runtime", "1e300"),
    ("tagbase/max_runtime", "-5"),
    ("tagbase/max_retries", str(MAX_RETRIES + 1)),
    ("tagbase/max_retries", str(2**64)),
    ("tagbase/max_retries", "-1"),
]


def launches(client: Client, store: Store) -> list[Callable[[dict[str, str]], object]]:
    """Every way to start a run with launch tags."""
    definitions = Definitions(jobs=[trivial])
    client.launch_run(trivial)  # records the job, so it launches by name too
    client.create_run_template("nightly", "trivial")
    return [
        lambda tags: client.launch_run(trivial, tags=tags),
        lambda tags: client.launch_run("trivial", tags=tags),
        lambda tags: client.launch_run("trivial", tags=tags, definitions=definitions),
        lambda tags: client.launch_run_template("nightly", tags=tags),
        lambda tags: execute_job(trivial, tags=tags, store=store),
        lambda tags: client.create_run("trivial", tags=tags),
        lambda tags: client.create_run_template("other", "trivial", tags=tags),
    ]


@pytest.mark.parametrize(("key", "value"), OUT_OF_RANGE)
def test_out_of_range_execution_tags_are_refused_and_nothing_is_written(
    client: Client, store: Store, key: str, value: str
) -> None:
    paths = launches(client, store)
    runs, queued = client.count(Kind.RUN), store.queued_run_ids()
    for launch in paths:
        with pytest.raises(TagValidationError, match=f"{key}.*(integer|seconds)"):
            launch({key: value})
    assert client.count(Kind.RUN) == runs
    assert client.count(Kind.RUN_TEMPLATE) == 1
    assert store.queued_run_ids() == queued


def test_execution_tags_at_their_limits_queue_and_are_claimed(client: Client, store: Store) -> None:
    highest = client.launch_run(trivial, tags={"tagbase/priority": str(MAX_INTEGER)})
    lowest = client.launch_run(trivial, tags={"tagbase/priority": str(-MAX_INTEGER)})
    longest = client.launch_run(
        trivial,
        tags={"tagbase/max_runtime": str(MAX_RUNTIME_SECONDS), "tagbase/max_retries": "1000"},
    )
    assert store.queued_run_ids() == [highest.id, longest.id, lowest.id]
    claimed = [store.claim("w", ["trivial"], (), 0) for _ in range(3)]
    assert [lease.run_uuid for lease in claimed if lease] == [highest.id, longest.id, lowest.id]
    assert claimed[1] is not None
    assert claimed[1].deadline_ms == MAX_RUNTIME_SECONDS * 1000
