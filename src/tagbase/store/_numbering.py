"""Version numbers and automatic names of scoped entities (asset versions, runs...).

Numbers grow with ids within a scope, so the newest entity holds the highest. An automatic name
(`3` for a version, `etl-3` for a run) skips numbers whose name a user already took. Taken
names are read a window at a time, sized by how many automatic names the call needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from tagbase._kinds import Kind
from tagbase.store._schema import entity
from tagbase.store._sql import chunks, fetch, on_driver

Slot = tuple[int, int]  # (scope id, kind code)


class Numbering:
    """Hands out numbers and automatic names within one write transaction."""

    def __init__(
        self,
        connection: sa.Connection,
        chosen: Iterable[tuple[int, int, str]],
        unnamed: Counter[Slot],
    ) -> None:
        self.connection = connection
        self.chosen = set(chosen)  # names given in this same call
        self.unnamed = unnamed  # how many automatic names each slot will need
        self.next: dict[Slot, int] = {}
        self.taken: dict[Slot, set[str]] = {}
        self.checked_up_to: dict[Slot, int] = {}

    def number(self, scope_id: int, kind: Kind) -> int:
        slot = (scope_id, kind.code)
        if slot not in self.next:
            given = {"scope_id": scope_id, "kind": kind.code}
            latest = next(iter(fetch(self.connection, _LATEST, given)), (None,))[0]
            self.next[slot] = (latest or 0) + 1
        number = self.next[slot]
        self.next[slot] += 1
        return number

    def automatic(self, scope_id: int, scope_name: str, kind: Kind) -> tuple[int, str]:
        """The next number whose automatic name nobody took, and that name."""
        slot = (scope_id, kind.code)
        if slot not in self.next and self.unnamed[slot] == 1:
            self._first_guess(slot, kind, scope_name)
        while True:
            number = self.number(scope_id, kind)
            name = _name(kind, scope_name, number)
            if (*slot, name) not in self.chosen and not self._taken(slot, kind, scope_name, number):
                return number, name

    def _first_guess(self, slot: Slot, kind: Kind, scope_name: str) -> None:
        """For a single automatic name, read the next number and whether its name is taken in
        one query (the common one-run-per-call case)."""
        given = {"scope_id": slot[0], "kind": slot[1], "prefix": automatic_prefix(kind, scope_name)}
        ((number, taken),) = fetch(self.connection, _NEXT_AND_TAKEN, given)
        self.next[slot] = number
        self.taken[slot] = {_name(kind, scope_name, number)} if taken else set()
        self.checked_up_to[slot] = number + 1

    def _taken(self, slot: Slot, kind: Kind, scope_name: str, number: int) -> bool:
        if number >= self.checked_up_to.get(slot, 0):
            end = number + max(1, self.unnamed[slot])
            self.unnamed[slot] = 2 * max(1, self.unnamed[slot])  # a later window is larger
            names = [_name(kind, scope_name, n) for n in range(number, end)]
            taken = self.taken.setdefault(slot, set())
            for part in chunks(names):
                given = {"scope_id": slot[0], "kind": slot[1], "names": part}
                taken.update(self.connection.execute(_TAKEN, given).scalars())
            self.checked_up_to[slot] = end
        return _name(kind, scope_name, number) in self.taken[slot]


# Built once: a small create runs both, and building a statement costs more than running it.
_SLOT = (entity.c.scope_id == sa.bindparam("scope_id"), entity.c.kind == sa.bindparam("kind"))
_LATEST = sa.select(entity.c.number).where(*_SLOT).order_by(entity.c.id.desc()).limit(1)
_TAKEN = sa.select(entity.c.name).where(
    *_SLOT, entity.c.name.in_(sa.bindparam("names", expanding=True))
)
_NEXT = sa.func.coalesce(_LATEST.scalar_subquery(), 0) + 1
_NEXT_AND_TAKEN = sa.select(
    _NEXT,
    sa.exists().where(
        *_SLOT, entity.c.name == sa.bindparam("prefix", type_=sa.String) + sa.cast(_NEXT, sa.String)
    ),
)


def _name(kind: Kind, scope_name: str, number: int) -> str:
    return automatic_prefix(kind, scope_name) + str(number)


def automatic_prefix(kind: Kind, scope_name: str) -> str:
    """What an automatic name puts before the number: `3` for a version, `etl-3` for a run."""
    return "" if kind.is_version else f"{scope_name}-"


def insert_numbered(
    connection: sa.Connection, row: Mapping[str, Any], prefix: str
) -> tuple[int, int, str] | None:
    """Insert one entity of a scope with the scope's next number, named `prefix` and the
    number, and count it, in one PostgreSQL statement: (id, number, name). Its snapshot is
    taken after the caller locked the scope, so no writer numbers alongside. None when a user
    took that name already: the caller numbers the entity the long way."""
    written = on_driver(connection, _INSERT_NUMBERED, {**row, "prefix": prefix})
    return (int(written[0][0]), int(written[0][1]), str(written[0][2])) if written else None


_INSERT_NUMBERED = """
WITH next AS (
    SELECT coalesce((
        SELECT number FROM entity WHERE scope_id = %(scope_id)s AND kind = %(kind)s
        ORDER BY id DESC LIMIT 1
    ), 0) + 1 AS number
), added AS (
    INSERT INTO entity
        (uuid, kind, name, scope_id, number, description, status, created_ms, updated_ms)
    SELECT %(uuid)s::uuid, %(kind)s, %(prefix)s || next.number, %(scope_id)s, next.number,
        %(description)s, %(status)s, %(created_ms)s, %(updated_ms)s
    FROM next
    ON CONFLICT (kind, name, scope_id) DO NOTHING
    RETURNING id, kind, scope_id, number, name
), counted AS (
    INSERT INTO entity_count (kind, scope_id, count) SELECT kind, scope_id, 1 FROM added
    ON CONFLICT (kind, scope_id) DO UPDATE SET count = entity_count.count + excluded.count
)
SELECT id, number, name FROM added
"""
