"""What the daemon remembers between ticks and restarts: a cursor per schedule and sensor,
and every run key it has launched (unique per origin, so a key launches one run, ever)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from tagbase.store._schema import Id, Millis, metadata_obj

daemon_cursor = sa.Table(
    "daemon_cursor",
    metadata_obj,
    sa.Column("name", sa.String(255), primary_key=True),  # "schedule:NAME" or "sensor:NAME"
    sa.Column("cursor", sa.Text, nullable=True),
    sa.Column("last_tick_ms", Millis, nullable=True),
    sa.Column("updated_ms", Millis, nullable=False),
)

run_request = sa.Table(
    "run_request",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("origin", sa.String(255), nullable=False),
    sa.Column("run_key", sa.String(255), nullable=False),
    sa.Column("run_uuid", sa.String(36), nullable=True),
    sa.Column("created_ms", Millis, nullable=False),
    sa.Index(None, "origin", "run_key", unique=True),
)


@dataclass(frozen=True, slots=True)
class CursorState:
    cursor: str | None
    last_tick_ms: int | None


def get_cursor(connection: sa.Connection, name: str) -> CursorState | None:
    row = connection.execute(sa.select(daemon_cursor).where(daemon_cursor.c.name == name)).first()
    return None if row is None else CursorState(row.cursor, row.last_tick_ms)


def set_cursor(connection: sa.Connection, name: str, state: CursorState, now_ms: int) -> None:
    values = {"cursor": state.cursor, "last_tick_ms": state.last_tick_ms, "updated_ms": now_ms}
    where = daemon_cursor.c.name == name
    if not connection.execute(daemon_cursor.update().where(where).values(**values)).rowcount:
        connection.execute(daemon_cursor.insert().values(name=name, **values))


def claim_run_key(connection: sa.Connection, origin: str, run_key: str, now_ms: int) -> bool:
    """Reserve a run key for an origin; False when it launched a run before."""
    try:
        with connection.begin_nested():  # a savepoint: the refusal leaves the transaction usable
            connection.execute(
                run_request.insert().values(origin=origin, run_key=run_key, created_ms=now_ms)
            )
    except sa.exc.IntegrityError:
        return False
    return True


def attach_run(connection: sa.Connection, origin: str, run_key: str, run_uuid: str | None) -> None:
    """Note the run a key launched; None gives the key back (its launch failed)."""
    where = (run_request.c.origin == origin) & (run_request.c.run_key == run_key)
    if run_uuid is None:
        connection.execute(run_request.delete().where(where))
    else:
        connection.execute(run_request.update().where(where).values(run_uuid=run_uuid))
