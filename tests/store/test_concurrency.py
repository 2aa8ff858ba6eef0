"""Many processes moving one exclusive tag at once: one holder, right counts, clean history."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tagbase import Client, Kind
from tagbase._records import from_millis
from tagbase.store import Store
from tagbase.store._dictionary import ensure_tags, pair_digest
from tagbase.store._engine import writing
from tagbase.store._schema import REMOVAL_REASONS, entity, tag, tag_assignment, tag_history

WORKERS = 8
MOVES_PER_WORKER = 1000
VERSIONS = 10
MODEL = "contested"
TAG = "champion"


def move_tag_repeatedly(database_url: str, seed: int, moves: int) -> int:
    """Runs in a child process: tag a random version, `moves` times. Returns the seconds taken."""
    from tagbase import add_tags

    os.environ["TAGBASE_DATABASE_URL"] = database_url
    pick = random.Random(seed)
    started = time.perf_counter()
    for _ in range(moves):
        add_tags(tags=[TAG], model_name=MODEL, model_version=str(pick.randint(1, VERSIONS)))
    return round(time.perf_counter() - started)


@dataclass(frozen=True)
class Interval:
    entity_id: int
    added_ms: int
    removed_ms: int | None  # None: held now
    reason: str | None
    successor_id: int | None


def intervals(store: Store) -> list[Interval]:
    """Every period some version held the tag, in the order the holders changed."""
    with store.engine.connect() as connection:
        tag_id = connection.execute(sa.select(tag.c.id).where(tag.c.key == TAG)).scalar_one()
        closed = connection.execute(
            sa.select(
                tag_history.c.entity_id,
                tag_history.c.added_ms,
                tag_history.c.removed_ms,
                tag_history.c.reason,
                tag_history.c.successor_id,
            )
            .where(tag_history.c.tag_id == tag_id)
            .order_by(tag_history.c.id)
        ).all()
        current = connection.execute(
            sa.select(tag_assignment.c.entity_id, tag_assignment.c.added_ms).where(
                tag_assignment.c.tag_id == tag_id
            )
        ).all()
    return [
        Interval(
            row.entity_id,
            row.added_ms,
            row.removed_ms,
            REMOVAL_REASONS[row.reason],
            row.successor_id,
        )
        for row in closed
    ] + [Interval(row.entity_id, row.added_ms, None, None, None) for row in current]


def version_uuids(store: Store) -> dict[int, str]:
    with store.engine.connect() as connection:
        query = sa.select(entity.c.id, entity.c.uuid).where(
            entity.c.kind == Kind.MODEL_VERSION.code
        )
        return dict(connection.execute(query).all())


@pytest.mark.slow
def test_concurrent_moves_of_an_exclusive_tag(store: Store, client: Client, store_url: str) -> None:
    client.create_model(MODEL)
    for number in range(1, VERSIONS + 1):
        client.create_model_version(MODEL, str(number))
    client.create_tag(name=TAG, exclusive=True)

    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with context.Pool(WORKERS) as pool:
        jobs = [(store_url, seed, MOVES_PER_WORKER) for seed in range(WORKERS)]
        seconds = pool.starmap(move_tag_repeatedly, jobs)
    elapsed = time.perf_counter() - started
    print(
        f"{store_url.split(':')[0]}: {WORKERS}x{MOVES_PER_WORKER} moves in {elapsed:.1f}s {seconds}"
    )

    [holder] = client.list_model_versions(MODEL, tags=[TAG])
    assert client.get_tag(TAG).usage == {Kind.MODEL_VERSION: 1}

    uuids = version_uuids(store)
    held = intervals(store)
    *closed, last = held
    assert (last.removed_ms, uuids[last.entity_id]) == (None, holder.id)
    assert {interval.reason for interval in closed} <= {"moved"}

    # Every effective add opened an interval, and every interval but the last ended in a move.
    events = client.tag_history(tag=TAG, limit=10**6)
    added = [event for event in events if event.action == "added"]
    moved = [event for event in events if event.reason == "moved"]
    assert len(moved) + 1 == len(added) == len(held)
    # A random pick repeats the holder about one time in ten; far fewer adds means lost ones.
    assert WORKERS * MOVES_PER_WORKER * 0.75 < len(held) <= WORKERS * MOVES_PER_WORKER

    for before, after in itertools.pairwise(held):
        assert before.removed_ms is not None
        assert before.added_ms <= before.removed_ms, f"{before} ends before it starts"
        assert before.removed_ms <= after.added_ms, f"{before} overlaps {after}"
        assert before.successor_id == after.entity_id != before.entity_id

    # "Who held it at T" names exactly the holder of that interval.
    for interval in random.Random(0).sample(closed, min(30, len(closed))):
        assert interval.removed_ms is not None
        if interval.removed_ms - interval.added_ms < 2:
            continue  # a move within one millisecond has no instant strictly inside
        at = from_millis(interval.added_ms + 1)
        refs = client.tag_holders(TAG, at, kind=Kind.MODEL_VERSION, scope=MODEL)
        assert [ref.id for ref in refs] == [uuids[interval.entity_id]]
    now = client.tag_holders(TAG, datetime.now(UTC), kind=Kind.MODEL_VERSION, scope=MODEL)
    assert [ref.id for ref in now] == [holder.id]


@pytest.mark.parametrize("racing_table", ["tag_key", "tag"])
def test_a_tag_added_by_a_racing_writer_is_found_not_duplicated(
    postgresql_url_clean: str, racing_table: str
) -> None:
    """Two writers add the same new tag: the second waits for the first, then uses its rows."""
    store = Store(postgresql_url_clean)
    try:
        with writing(store.engine) as connection:  # the tag's key exists; the tag does not
            ensure_tags(connection, [("racy", "other")], now=1)
        first = store.engine.connect()
        first.begin()
        key_id = first.execute(sa.select(tag.c.key_id).where(tag.c.key == "racy")).scalar_one()
        if racing_table == "tag_key":
            first.exec_driver_sql("INSERT INTO tag_key (key) VALUES ('racy2')")
            wanted = ("racy2", "")
        else:
            first.execute(
                tag.insert().values(
                    key_id=key_id,
                    key="racy",
                    value="v",
                    digest=pair_digest("racy", "v"),
                    created_ms=1,
                    updated_ms=1,
                )
            )
            wanted = ("racy", "v")
        results: dict[str, Any] = {}

        def second_writer() -> None:
            with writing(store.engine) as connection:
                results["rows"] = ensure_tags(connection, [wanted, ("racy", "other")], now=2)

        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.5)  # the second writer now waits on the first one's uncommitted row
        first.commit()
        first.close()
        thread.join(timeout=30)
        rows = results["rows"]
        assert set(rows) == {wanted, ("racy", "other")}
        with store.engine.connect() as connection:
            stored = (
                connection.execute(
                    sa.select(tag.c.id).where(tag.c.key == wanted[0], tag.c.value == wanted[1])
                )
                .scalars()
                .all()
            )
        assert stored == [rows[wanted].id]  # the first writer's row, not a second one
    finally:
        store.close()


def test_runs_created_at_once_in_one_job_get_distinct_numbers(store: Store, client: Client) -> None:
    client.create_pipeline("busy")

    def create_runs() -> None:
        for _ in range(25):
            client.create_run("busy", tags={"env": "prod"})

    threads = [threading.Thread(target=create_runs) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    runs = client.list("run", size=200).items
    assert sorted(run.number or 0 for run in runs) == list(range(1, 101))
    assert sorted(run.name for run in runs) == sorted(f"busy-{n}" for n in range(1, 101))
    assert client.count("run") == client.count("run", tags=["env=prod"]) == 100
