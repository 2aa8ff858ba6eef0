"""What the catalog parts of the store share: finding the entity a reference names.

A reference (`Ref`) is a name, a UUID string or, for a scoped kind, a number or an alias
(`PARENT@TAG`); `_resolve` turns it into the entity's row id, and `_plan` a query into ids.
"""

from __future__ import annotations

import builtins
import functools
import uuid as uuidlib
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from tagbase import _fixes
from tagbase._errors import InvalidInputError, NotFoundError
from tagbase._kinds import Kind
from tagbase._limits import check_entity_text, check_text
from tagbase._tags import split_tag_string
from tagbase.query import Everything, Node
from tagbase.store._aliases import find_holder
from tagbase.store._base import StoreBase
from tagbase.store._fast import counting, fetch
from tagbase.store._plan import IdQuery, plan
from tagbase.store._schema import entity, entity_count, owner
from tagbase.store._sql import Rows
from tagbase.store._tagging import TARGET_COLUMNS, Target

Ref = str | int | uuidlib.UUID


INSERT_OWNERS = owner.insert()


class CatalogBase(StoreBase):
    def _resolve(
        self, connection: sa.Connection, kind: Kind, ref: Ref, scope: Ref | None, lock: bool = False
    ) -> Target:
        if scope is None:
            held = self._alias(connection, kind, ref, lock)
            if held is not None:
                return held
        given: dict[str, Any] = {"kind": kind.code}
        if scope is not None and kind.scope is not None:  # an id must lie in the scope too
            given["scope_id"] = self._resolve(connection, kind.scope, scope, None).id
        as_uuid = _as_uuid(ref)
        if as_uuid is not None:
            by_uuid = _lookup("uuid", given, lock)
            row = next(iter(fetch(connection, by_uuid, given | {"value": as_uuid})), None)
            if row is not None:
                return Target(*row)
        column = "number" if isinstance(ref, int) and kind.scope is not None else "name"
        value = ref if column == "number" else str(ref)
        rows = fetch(connection, _lookup(column, given, lock), given | {"value": value})
        if len(rows) == 1:
            return Target(*rows[0])
        where = f" in {kind.scope.label} {scope!r}" if scope is not None and kind.scope else ""
        if rows:
            raise InvalidInputError(
                f"several {kind.label}s are named {str(ref)!r}; name the "
                f"{kind.scope.label if kind.scope else 'scope'} too, or use the id"
            )
        scope_name = None if scope is None else str(scope)
        raise NotFoundError(
            f"no {kind.label} {str(ref)!r}{where}", fix=_fixes.listing(kind, scope_name)
        )

    def _alias(self, connection: sa.Connection, kind: Kind, ref: Ref, lock: bool) -> Target | None:
        parent = kind.scope
        if parent is None:
            return None
        return find_holder(
            connection, kind, ref, lambda name: self._resolve(connection, parent, name, None), lock
        )

    def _plan(
        self, connection: sa.Connection, kind: Kind, scope: Ref | None, query: Node | None
    ) -> IdQuery:
        scope_id = None
        if scope is not None:
            if kind.scope is None:
                raise InvalidInputError(f"a {kind.label} has no parent; drop the scope")
            scope_id = self._resolve(connection, kind.scope, scope, None).id
        return plan(connection, kind.code, scope_id, query or Everything())


def entity_counts(connection: sa.Connection, slots: Sequence[tuple[int, int]], sign: int) -> Rows:
    """What keeps `entity_count` right: `sign` is +1 for created entities, -1 for deleted ones."""
    deltas = {slot: sign * times for slot, times in Counter(slots).items()}
    return counting(connection, entity_count, ["kind", "scope_id"], "count", deltas)


def check_entity_fields(kind: Kind, **fields: str | None) -> None:
    """Refuse text over a limit or breaking the text rule, alike on SQLite (which would keep
    it) and PostgreSQL (which would fail with a driver error), and a run status off its set."""
    check_entity_text(kind.label, is_run=kind is Kind.RUN, **fields)


def tag_pairs(names: Sequence[str] | str | None) -> builtins.list[tuple[str, str]]:
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    for name in names:
        check_text("the tag", str(name))
    return [split_tag_string(str(name)) for name in names]


def _lookup(column: str, given: Mapping[str, Any], lock: bool) -> sa.Select[Any]:
    return _lookup_statement(column, "scope_id" in given, lock)


@functools.cache
def _lookup_statement(column: str, scoped: bool, lock: bool) -> sa.Select[Any]:
    """Entities of a kind (maybe within a scope) whose `column` equals a value, built once;
    `lock` takes a row lock on PostgreSQL (SQLite writers are serial already)."""
    query = sa.select(*TARGET_COLUMNS).where(
        entity.c.kind == sa.bindparam("kind"), entity.c[column] == sa.bindparam("value")
    )
    if scoped:
        query = query.where(entity.c.scope_id == sa.bindparam("scope_id"))
    return query.limit(2).with_for_update() if lock else query.limit(2)


def _as_uuid(ref: Ref) -> str | None:
    if isinstance(ref, uuidlib.UUID):
        return str(ref)
    if isinstance(ref, str) and len(ref) in (32, 36):
        try:
            return str(uuidlib.UUID(ref))
        except ValueError:
            return None
    return None
