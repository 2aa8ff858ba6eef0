"""The run queue: launching records a queued run; claims follow priority, then age; tag
concurrency limits hold runs back without holding back the runs behind them."""

from __future__ import annotations

import pytest

from tagbase import Client, TagValidationError, job, op
from tagbase._concurrency import TagConcurrencyLimit, parse_limits
from tagbase._errors import ConflictError, InvalidInputError
from tagbase.store import Lease, Store


@op
def noop() -> int:
    return 1


@job(tags={"team": "ml"})
def trivial() -> None:
    noop()


def launch(client: Client, **tags: str) -> str:
    return client.launch_run(trivial, tags=tags).id


def take(store: Store, limits: tuple[TagConcurrencyLimit, ...] = ()) -> Lease | None:
    return store.claim("worker-1", ["trivial"], limits, 0)


def drain(store: Store, limits: tuple[TagConcurrencyLimit, ...] = ()) -> list[str]:
    taken = []
    while (lease := take(store, limits)) is not None:
        taken.append(lease.run_uuid)
    return taken


def test_a_launch_records_a_queued_run_and_returns(client: Client, store: Store) -> None:
    run = client.launch_run(trivial, tags={"env": "dev"})
    assert run.status == "queued"
    assert run.tag_dict == {"team": "ml", "env": "dev"}
    assert [e.event for e in store.list_events(run.id)] == ["run_queued"]
    assert store.queued_run_ids() == [run.id]


def test_higher_priority_first_then_first_come(client: Client, store: Store) -> None:
    low = launch(client, **{"tagbase/priority": "-1"})
    plain_1 = launch(client)
    high = launch(client, **{"tagbase/priority": "10"})
    plain_2 = launch(client, **{"tagbase/priority": "0"})
    higher = launch(client, **{"tagbase/priority": "11"})
    assert store.queued_run_ids() == [higher, high, plain_1, plain_2, low]
    assert drain(store) == [higher, high, plain_1, plain_2, low]
    assert take(store) is None


def test_a_priority_that_is_no_integer_is_a_launch_error(client: Client) -> None:
    with pytest.raises(TagValidationError) as raised:
        client.launch_run(trivial, tags={"tagbase/priority": "high"})
    message = str(raised.value)
    assert "'high'" in message
    assert "integer" in message
    assert "Fix" in message
    assert client.count("run") == 0


def test_a_claim_is_taken_once(client: Client, store: Store) -> None:
    launch(client)
    first = take(store)
    assert first is not None
    assert take(store) is None
    assert store.release(first)
    assert not store.release(first)


def test_a_limit_on_key_and_value(client: Client, store: Store) -> None:
    limits = (TagConcurrencyLimit("database", 1, "redshift"),)
    red_1 = launch(client, database="redshift")
    red_2 = launch(client, database="redshift")
    other = launch(client, database="postgres")
    none = launch(client)
    assert drain(store, limits) == [red_1, other, none]  # red_2 waits behind red_1
    assert store.queued_run_ids() == [red_2]


def test_a_limit_on_a_key_counts_every_value(client: Client, store: Store) -> None:
    limits = (TagConcurrencyLimit("team", 2),)  # every run of `trivial` has team=ml
    client.launch_run(trivial, tags={"team": "data"})
    client.launch_run(trivial, tags={"team": "web"})
    client.launch_run(trivial, tags={"team": "ml"})
    assert len(drain(store, limits)) == 2


def test_a_limit_per_unique_value(client: Client, store: Store) -> None:
    limits = (TagConcurrencyLimit("customer", 1, per_unique_value=True),)
    a_1 = launch(client, customer="a")
    a_2 = launch(client, customer="a")
    b_1 = launch(client, customer="b")
    b_2 = launch(client, customer="b")
    assert drain(store, limits) == [a_1, b_1]
    assert store.queued_run_ids() == [a_2, b_2]


def test_a_blocked_run_does_not_block_those_behind_it(client: Client, store: Store) -> None:
    limits = (TagConcurrencyLimit("gpu", 0),)  # never, while the limit stands
    blocked = launch(client, gpu="", **{"tagbase/priority": "9"})
    behind = [launch(client) for _ in range(3)]
    assert drain(store, limits) == behind
    assert store.queued_run_ids() == [blocked]


def test_a_released_run_frees_its_slot(client: Client, store: Store) -> None:
    limits = (TagConcurrencyLimit("database", 1, "redshift"),)
    launch(client, database="redshift")
    second = launch(client, database="redshift")
    first = take(store, limits)
    assert first is not None
    assert take(store, limits) is None
    store.release(first)
    lease = take(store, limits)
    assert lease is not None
    assert lease.run_uuid == second


def test_a_queued_run_is_cancelled_at_once(client: Client, store: Store) -> None:
    run_id = launch(client)
    assert client.cancel_run(run_id).status == "canceled"
    assert take(store) is None
    with pytest.raises(ConflictError, match="already ended"):
        client.cancel_run(run_id)


def test_a_run_launched_by_job_name_takes_the_catalog_job_tags(client: Client) -> None:
    client.launch_run(trivial)  # records the job
    run = client.launch_run("trivial", tags={"env": "prod"})
    assert run.tag_dict == {"team": "ml", "env": "prod"}


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ([{"key": "a"}], "limit"),
        ([{"key": "a", "limit": -1}], "-1"),
        ([{"key": "a", "limit": 1, "colour": "red"}], "colour"),
        ([{"key": "a", "value": "b", "limit": 1, "per_unique_value": True}], "both"),
        ({"key": "a"}, "not a list"),
    ],
)
def test_bad_limits_name_value_rule_and_fix(given: object, words: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_limits(given, "run_queue")
    assert words in str(raised.value)
    assert "Fix" in str(raised.value)


def test_limits_come_from_tagbase_yaml(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from tagbase._config import Config

    home = Path(str(tmp_path)) / "cfg"
    home.mkdir()
    (home / "tagbase.yaml").write_text(
        "run_queue:\n  heartbeat_timeout_s: 5\n  tag_concurrency_limits:\n"
        "    - {key: database, value: redshift, limit: 2}\n"
        "    - {key: customer, limit: 1, per_unique_value: true}\n"
    )
    queue = Config.load(home=home).run_queue
    assert queue.heartbeat_timeout_s == 5
    assert queue.tag_concurrency_limits == (
        TagConcurrencyLimit("database", 2, "redshift"),
        TagConcurrencyLimit("customer", 1, None, True),
    )
