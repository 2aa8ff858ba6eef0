"""The change feed's outbox: every catalog change, one small row each, in commit order.

Write paths `note` an event on the transaction's connection as they change the catalog; the
store writes what a transaction noted just before it commits (`flush`), so an event exists if
and only if its change committed. A savepoint that rolls back forgets what it noted (`mark`,
`undo_to`).

Ids follow commit order, with no gaps a reader could fall into: a reader that has seen id N
never later sees a smaller one commit. On SQLite writers hold the database's write lock from
BEGIN IMMEDIATE to COMMIT, so the rowid order is the commit order. On PostgreSQL an id drawn
from a sequence at insert would not be (a transaction drawing 7 may commit after one drawing
8, and a reader at 8 would never see 7): the insert first takes a transaction-level advisory
lock, held until commit, so event-writing transactions draw their ids one at a time, right
before they commit. The lock is held only for that insert and the commit, not for the work
before it; measured cost: see `benchmarks/catalog.py` (one statement, no extra round trip).

A row holds ids and small integers; the tag's and entities' names are read at read time, and
`payload` is compact JSON only where ids do not say it all (metadata values, a status).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from tagbase._changes import ChangeType
from tagbase.store._schema import Id, Millis, TagId, metadata_obj
from tagbase.store._sql import on_driver

change_event = sa.Table(
    "change_event",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("type", sa.SmallInteger, nullable=False),  # a `ChangeType` code
    sa.Column("at_ms", Millis, nullable=False),
    sa.Column("actor_id", Id, nullable=True),
    sa.Column("entity_id", Id, nullable=True),  # none for registry and policy changes
    sa.Column("tag_id", TagId, nullable=True),
    # The other party: the entity an exclusive tag moved from, the tag a value replaced.
    sa.Column("other_id", Id, nullable=True),
    sa.Column("payload", sa.Text, nullable=True),  # compact JSON, when ids do not say it all
    # An id is never used twice, even once retention has pruned every row (SQLite would
    # otherwise start again after the largest id left).
    sqlite_autoincrement=True,
)

_PENDING = "tagbase.pending_changes"
_LOCK = 0x7461676265  # "tagbe": the one advisory lock event writers share on PostgreSQL
_COLUMNS = "type, at_ms, actor_id, entity_id, tag_id, other_id, payload"
_SQLITE_INSERT = f"INSERT INTO change_event ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
# One statement: the lock (a one-row subquery every inserted row joins, so it is taken before
# any id is drawn), then the rows from column arrays, their ids from the sequence.
_POSTGRESQL_INSERT = (
    f"INSERT INTO change_event ({_COLUMNS}) SELECT c.* "
    f"FROM (SELECT pg_advisory_xact_lock({_LOCK})) AS serialized, unnest("
    "%s::smallint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::integer[], %s::bigint[], "
    "%s::text[]) AS c"
)
_POSTGRESQL_INSERT_ONE = (
    f"INSERT INTO change_event ({_COLUMNS}) SELECT %s::smallint, %s::bigint, %s::bigint, "
    "%s::bigint, %s::integer, %s::bigint, %s::text "
    f"FROM (SELECT pg_advisory_xact_lock({_LOCK})) AS serialized"
)
METADATA_VALUE_BYTES = 512  # a larger value is named in the event, not copied into it

Pending = tuple[int, int, int | None, int | None, int | None, int | None, str | None]


def note(connection: sa.Connection, event: Pending) -> None:
    """Keep an event (made by `row`) with the transaction, to be written when it commits."""
    connection.info.setdefault(_PENDING, []).append(event)


def note_many(connection: sa.Connection, rows: Sequence[Pending], at: int | None = None) -> None:
    """Events already in row form (a bulk write's), in order; `at`: where `mark` said, ahead
    of events noted since (a new entity's own event comes before its tags' moves)."""
    if rows:
        pending = connection.info.setdefault(_PENDING, [])
        where = len(pending) if at is None else at
        pending[where:where] = rows


def row(
    change: ChangeType,
    at_ms: int,
    actor_id: int | None,
    entity_id: int | None,
    tag_id: int | None = None,
    other_id: int | None = None,
    payload: str | None = None,
) -> Pending:
    """An event in the outbox's row form."""
    return (change.code, at_ms, actor_id, entity_id, tag_id, other_id, payload)


def mark(connection: sa.Connection) -> int:
    """Where the transaction's noted events end now (see `undo_to`)."""
    return len(connection.info.get(_PENDING, ()))


def undo_to(connection: sa.Connection, where: int) -> None:
    """Forget the events noted since `mark` returned `where` (their savepoint rolled back)."""
    pending = connection.info.get(_PENDING)
    if pending is not None:
        del pending[where:]


def forget(connection: sa.Connection) -> None:
    """Drop what the transaction noted: it ended. (`info` outlives it, with the connection.)"""
    connection.info.pop(_PENDING, None)


def flush(connection: sa.Connection) -> None:
    """Write the transaction's events, last thing before it commits."""
    pending: list[Pending] | None = connection.info.pop(_PENDING, None)
    if not pending:
        return
    if connection.dialect.name == "postgresql" and len(pending) == 1:
        on_driver(connection, _POSTGRESQL_INSERT_ONE, pending[0])  # a small write's: no arrays
    elif connection.dialect.name == "postgresql":
        columns = tuple(list(column) for column in zip(*pending, strict=True))
        on_driver(connection, _POSTGRESQL_INSERT, columns)
    else:
        on_driver(connection, _SQLITE_INSERT, pending, many=True)


def payload(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, separators=(",", ":"), default=str)


def metadata_payload(entries: Sequence[tuple[str, str, str]]) -> str:
    """`{"metadata": {key: {"type": ..., "value": ...}}}` from (key, type name, stored JSON
    payload) triples, without encoding the values again; a value over `METADATA_VALUE_BYTES`
    is left out (`"omitted": true`): the entity's metadata history holds it."""
    parts = []
    for key, type_name, stored in entries:
        if len(stored) <= METADATA_VALUE_BYTES:
            shown = f'{{"type":"{type_name}","value":{stored}}}'
        else:
            shown = f'{{"type":"{type_name}","omitted":true}}'
        parts.append(f"{json.dumps(key)}:{shown}")
    return '{"metadata":{' + ",".join(parts) + "}}"
