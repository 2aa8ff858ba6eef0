"""8 writers moving exclusive tags while a reader follows the change feed: the reader sees
every move, once, in commit order, and misses none (on PostgreSQL, ids drawn at insert would
let a reader pass an id that commits later; see `store/_outbox.py`)."""

from __future__ import annotations

import threading
import time

from tagbase import Kind
from tagbase._changes import ChangeEvent, ChangeType
from tagbase._tag_settings import TagSettings
from tagbase.store import EntitySpec, Store

WRITERS = 8
MOVES = 120
VERSIONS = 4


def prepare(store: Store) -> None:
    """A model per writer, with versions, and an exclusive tag per writer: the writers do not
    wait for each other's tag locks, so only the outbox orders their commits."""
    for writer in range(WRITERS):
        store.register_tag(f"champion-{writer}", TagSettings(exclusive=True))
        store.add(EntitySpec(Kind.MODEL, f"model-{writer}"))
        store.add_many(
            [
                EntitySpec(Kind.MODEL_VERSION, f"v{n}", scope=f"model-{writer}")
                for n in range(VERSIONS)
            ]
        )


def move(url: str, writer: int, failures: list[BaseException]) -> None:
    store = Store(url, actor=f"writer-{writer}")
    try:
        for number in range(MOVES):
            store.add_tags(
                Kind.MODEL_VERSION,
                f"v{number % VERSIONS}",
                f"model-{writer}",
                tags=[f"champion-{writer}"],
            )
    except BaseException as error:  # handed to the test thread
        failures.append(error)
    finally:
        store.close()


def follow(store: Store, after: int, done: threading.Event) -> list[ChangeEvent]:
    """Read the feed as a follower does, until the writers are done and it is read through."""
    seen: list[ChangeEvent] = []
    while True:
        finished = done.is_set()  # read before the page: a page after it holds everything
        page = store.list_changes(after=after, types=["tag.moved"], limit=50)
        seen.extend(page.events)
        after = page.last_id
        if finished and not page.more:
            return seen
        if not page.more:
            time.sleep(0.002)  # caught up: a follower waits a moment, as the stream does


def test_a_reader_sees_every_move_of_8_writers_in_commit_order(store_url: str) -> None:
    store = Store(store_url, actor="setup")
    try:
        prepare(store)
        start = store.list_changes(after=0, limit=10_000).last_id
        done = threading.Event()
        failures: list[BaseException] = []
        writers = [
            threading.Thread(target=move, args=(store_url, writer, failures))
            for writer in range(WRITERS)
        ]
        followed: list[ChangeEvent] = []
        reader = threading.Thread(target=lambda: followed.extend(follow(store, start, done)))
        reader.start()
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
        done.set()
        reader.join()
        assert failures == []
        everything = follow(store, start, done)
    finally:
        store.close()
    ids = [event.id for event in followed]
    assert ids == [event.id for event in everything]  # nothing skipped, nothing twice
    assert ids == sorted(set(ids))
    assert len(ids) == WRITERS * MOVES
    assert all(event.type is ChangeType.TAG_MOVED for event in followed)
    for writer in range(WRITERS):
        mine = [e for e in followed if e.actor == f"writer-{writer}"]
        assert [e.payload["to"]["name"] for e in mine] == [f"v{n % VERSIONS}" for n in range(MOVES)]
        # Each move takes the tag from where the one before it left it.
        holders = [e.payload["from"]["name"] if e.payload["from"] else None for e in mine]
        assert holders == [None, *[f"v{n % VERSIONS}" for n in range(MOVES - 1)]]
