"""Two users moving one exclusive tag at once through a real server (8 clients x 200 moves):
exactly one holder at the end, and a history that records every move, as one unbroken chain
of holders, each move under the user who made it."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from tagbase import Kind, TagEvent
from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import Security
from tagbase.store import Store

CLIENTS = 8
MOVES_PER_CLIENT = 200
# Each client moves the tag round versions of its own: so every move changes the holder (the
# holder is the client's previous version or another client's), and a version is never
# entered twice within a millisecond (that takes its client several round trips).
VERSIONS_PER_CLIENT = 4
USERS = ("alice", "bob")
MODEL = "contested"
TAG = "production"


def user_of(client: int) -> str:
    return USERS[client % len(USERS)]


def version_of(client: int, move: int) -> str:
    return f"c{client}-v{move % VERSIONS_PER_CLIENT}"


@dataclass(frozen=True)
class Holding:
    """One period a version held the tag, read from its history events."""

    version: str
    start: datetime
    end: datetime | None  # None: holds it now
    moved_to: str | None


@dataclass
class Served:
    url: str
    store: Store  # the server's own
    tokens: dict[str, str]


@pytest.fixture
def served(store: Store, store_server: tuple[object, str]) -> Served:
    for user in USERS:
        store.create_user(user, role="editor")
    tokens = {user: store.create_token(user)[0] for user in USERS}
    local = Client(store)
    local.create_model(MODEL)
    for client in range(CLIENTS):
        for move in range(VERSIONS_PER_CLIENT):
            local.create_model_version(MODEL, version_of(client, move))
    local.create_tag(TAG, exclusive=True)
    swappable, url = store_server
    swappable.app = create_app(local, security=Security())  # type: ignore[attr-defined]
    return Served(url, store, tokens)


def move_repeatedly(served: Served, client: int, errors: list[BaseException]) -> None:
    """One client's moves, as its user; an error stops it and is kept for the test to raise."""
    remote = Client(url=served.url, token=served.tokens[user_of(client)])
    try:
        for move in range(MOVES_PER_CLIENT):
            remote.add_tags(Kind.MODEL_VERSION, version_of(client, move), [TAG], scope=MODEL)
    except BaseException as error:
        errors.append(error)
    finally:
        remote.store.close()


def holdings(events: list[TagEvent]) -> list[Holding]:
    """Each version's periods: its events, oldest first, alternate an add and a removal."""
    by_version: dict[str, list[TagEvent]] = {}
    for event in sorted(events, key=lambda e: (e.at, e.action == "removed")):
        by_version.setdefault(event.entity.name, []).append(event)
    found = []
    for version, own in by_version.items():
        ends: list[TagEvent | None] = [*own[1::2], *([None] if len(own) % 2 else [])]
        for added, removed in zip(own[::2], ends, strict=True):
            assert added.action == "added", f"{version}: {added} without an add before it"
            moved_to = removed.moved_to.name if removed and removed.moved_to else None
            found.append(Holding(version, added.at, removed.at if removed else None, moved_to))
    return found


def chain(periods: list[Holding]) -> list[Holding]:
    """The periods in order of holders, each followed by the one its move began."""
    by_start = {(p.version, p.start): p for p in periods}
    assert len(by_start) == len(periods), "a version entered twice in one millisecond"
    begun_by_a_move = {(p.moved_to, p.end) for p in periods if p.end is not None}
    [first] = [p for p in periods if (p.version, p.start) not in begun_by_a_move]
    ordered = [first]
    while ordered[-1].end is not None:
        assert len(ordered) < len(periods), "the moves go round in a circle"
        last = ordered[-1]
        following = by_start.get((last.moved_to or "", last.end))
        assert following is not None, f"{last} moved the tag to no period that began then"
        ordered.append(following)
    return ordered


def test_two_users_moving_one_exclusive_tag_leave_one_holder_and_a_whole_history(
    served: Served,
) -> None:
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=move_repeatedly, args=(served, client, errors))
        for client in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.perf_counter() - started
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    if errors:
        raise errors[0]
    print(f"{served.store.url.split(':')[0]}: {CLIENTS}x{MOVES_PER_CLIENT} moves in {elapsed:.1f}s")

    reader = Client(url=served.url, token=served.tokens[USERS[0]])
    try:
        check_history(reader)
    finally:
        reader.store.close()


def check_history(reader: Client) -> None:
    [holder] = reader.list_model_versions(MODEL, tags=[TAG])
    assert reader.get_tag(TAG).usage == {Kind.MODEL_VERSION: 1}

    moves = CLIENTS * MOVES_PER_CLIENT
    events = reader.tag_history(tag=TAG, limit=2 * moves)
    added = [e for e in events if e.action == "added"]
    removed = [e for e in events if e.action == "removed"]
    assert len(added) == moves  # every move recorded (the first gave the tag its holder)
    assert len(removed) == moves - 1
    assert {e.reason for e in removed} == {"moved"}

    # Each add and each move is under the user whose client made it.
    owner = {
        version_of(c, m): user_of(c) for c in range(CLIENTS) for m in range(VERSIONS_PER_CLIENT)
    }
    assert all(e.actor == owner[e.entity.name] for e in added)
    assert all(e.moved_to and e.actor == owner[e.moved_to.name] for e in removed)
    assert {e.actor for e in events} == set(USERS)
    per_version = Counter(e.entity.name for e in added)
    assert per_version == dict.fromkeys(owner, MOVES_PER_CLIENT // VERSIONS_PER_CLIENT)

    # One unbroken chain of holders: periods never overlap, each move ends one and begins the
    # next on the version it names, and the last is the holder's, still open.
    ordered = chain(holdings(events))
    assert len(ordered) == moves
    assert all(p.end is not None and p.start <= p.end for p in ordered[:-1])
    assert (ordered[-1].version, ordered[-1].end) == (holder.name, None)

    # "Who held it at T" agrees, at instants strictly inside a period.
    inside = [p for p in ordered[:-1] if p.end and p.end - p.start >= timedelta(milliseconds=2)]
    for period in random.Random(0).sample(inside, min(20, len(inside))):
        at = period.start + timedelta(milliseconds=1)
        found = reader.tag_holders(TAG, at, kind=Kind.MODEL_VERSION, scope=MODEL)
        assert [ref.name for ref in found] == [period.version]
