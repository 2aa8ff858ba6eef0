"""Version numbers and automatic names of scoped entities (asset versions, runs...).

Numbers grow with ids within a scope, so the newest entity holds the highest. An automatic name
(`3` for a version, `etl-3` for a run) skips numbers whose name a user already took. Taken
names are read a window at a time, sized by how many automatic names the call needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa

from tagbase._kinds import Kind
from tagbase.store._schema import entity
from tagbase.store._sql import chunks

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
            latest = self.connection.execute(
                sa.select(entity.c.number)
                .where(entity.c.scope_id == scope_id, entity.c.kind == kind.code)
                .order_by(entity.c.id.desc())
                .limit(1)
            ).scalar()
            self.next[slot] = (latest or 0) + 1
        number = self.next[slot]
        self.next[slot] += 1
        return number

    def automatic(self, scope_id: int, scope_name: str, kind: Kind) -> tuple[int, str]:
        """The next number whose automatic name nobody took, and that name."""
        slot = (scope_id, kind.code)
        while True:
            number = self.number(scope_id, kind)
            name = _name(kind, scope_name, number)
            if (*slot, name) not in self.chosen and not self._taken(slot, kind, scope_name, number):
                return number, name

    def _taken(self, slot: Slot, kind: Kind, scope_name: str, number: int) -> bool:
        if number >= self.checked_up_to.get(slot, 0):
            end = number + max(1, self.unnamed[slot])
            self.unnamed[slot] = 2 * max(1, self.unnamed[slot])  # a later window is larger
            names = [_name(kind, scope_name, n) for n in range(number, end)]
            taken = self.taken.setdefault(slot, set())
            for part in chunks(names):
                query = sa.select(entity.c.name).where(
                    entity.c.scope_id == slot[0], entity.c.kind == slot[1], entity.c.name.in_(part)
                )
                taken.update(self.connection.execute(query).scalars())
            self.checked_up_to[slot] = end
        return _name(kind, scope_name, number) in self.taken[slot]


def _name(kind: Kind, scope_name: str, number: int) -> str:
    return str(number) if kind.is_version else f"{scope_name}-{number}"
