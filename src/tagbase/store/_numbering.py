"""Version numbers and automatic names of scoped entities (asset versions, runs...).

Numbers grow with ids within a scope, so the newest entity holds the highest. An automatic name
(`3` for a version, `etl-3` for a run) skips numbers whose name a user already took. Taken
names are read a window at a time, sized by how many automatic names the call needs.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from tagbase._kinds import Kind
from tagbase.store._schema import entity, entity_count
from tagbase.store._sql import adding, chunks, fetch

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
# Constants written into the SQL, not bound: PostgreSQL plans `LIMIT 1` as the single-row
# probe it is, where a bound limit makes a reused plan guess.
_ONE: sa.ColumnClause[Any] = sa.literal_column("1")
_ZERO: sa.ColumnClause[Any] = sa.literal_column("0")
_LATEST = sa.select(entity.c.number).where(*_SLOT).order_by(entity.c.id.desc()).limit(_ONE)
_TAKEN = sa.select(entity.c.name).where(
    *_SLOT, entity.c.name.in_(sa.bindparam("names", expanding=True))
)
_NEXT = sa.func.coalesce(_LATEST.scalar_subquery(), _ZERO) + _ONE
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
    written = fetch(connection, _inserting_numbered(), {**row, "prefix": prefix})
    return (int(written[0][0]), int(written[0][1]), str(written[0][2])) if written else None


@functools.cache
def _inserting_numbered() -> sa.Select[Any]:
    """The statement of `insert_numbered`, from the same next number (`_NEXT`) and counter
    upsert (`adding`) as the step-by-step path: the insert and the count as writable CTEs."""
    following = sa.select(_NEXT.label("number")).cte("next")
    columns = ("uuid", "kind", "name", "scope_id", "number", "description", "status")
    given: dict[str, Any] = {n: sa.bindparam(n, type_=entity.c[n].type) for n in columns}
    given["name"] = sa.bindparam("prefix", type_=sa.String) + sa.cast(following.c.number, sa.String)
    given["number"] = following.c.number
    times = [sa.bindparam(name, type_=entity.c[name].type) for name in ("created_ms", "updated_ms")]
    added = (
        postgresql.insert(entity)
        .from_select([*columns, "created_ms", "updated_ms"], sa.select(*given.values(), *times))
        .on_conflict_do_nothing(index_elements=["kind", "name", "scope_id"])
        .returning(entity.c.id, entity.c.kind, entity.c.scope_id, entity.c.number, entity.c.name)
        .cte("added")
    )
    counted = adding("postgresql", entity_count, ("kind", "scope_id"), "count").from_select(
        ["kind", "scope_id", "count"], sa.select(added.c.kind, added.c.scope_id, _ONE)
    )
    return sa.select(added.c.id, added.c.number, added.c.name).add_cte(counted.cte("counted"))
