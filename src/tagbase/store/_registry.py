"""The tag registry: descriptions, colours and the behaviours stored with a tag."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from tagbase import _fixes
from tagbase._errors import (
    AlreadyExistsError,
    ConflictError,
    ExclusiveTagConflictError,
    NotFoundError,
)
from tagbase._kinds import Kind
from tagbase._records import TagDefinition, from_millis
from tagbase._tag_settings import TagSettings
from tagbase._tags import Tag, tag_string
from tagbase.store._dictionary import ensure_tags, pair_condition
from tagbase.store._schema import entity, tag, tag_assignment, tag_key, tag_usage
from tagbase.store._sql import bound_list, in_bound_list, lock_rows

_MAX_LISTED = 5


def register_behaviours(connection: sa.Connection, tags: Sequence[Tag], now: int) -> None:
    """Store what Tag objects say about themselves; later plain strings keep the behaviour."""
    if not tags:
        return
    rows = ensure_tags(connection, [(t.key, t.value) for t in tags], now)
    for given in tags:
        update_definition(connection, rows[(given.key, given.value)].id, now, given.settings)


def update_definition(
    connection: sa.Connection,
    tag_id: int,
    now: int,
    settings: TagSettings,
    *,
    registered: bool = True,
    new: bool = False,
) -> None:
    """Change a tag's registry entry; a setting left None stays as it is. `new`: refuse a
    tag that is registered already (checked under the row's lock, so two creators race
    safely)."""
    lock_rows(connection, tag.c.id, [tag_id])
    columns = (tag.c.key, tag.c.value, tag.c.key_id, tag.c.exclusive, tag.c.registered)
    current = connection.execute(sa.select(*columns).where(tag.c.id == tag_id)).one()
    if new and current.registered:
        name = tag_string(current.key, current.value)
        raise AlreadyExistsError(
            f"tag {name!r} is registered already, and create_tag registers a new tag only "
            "(it would rewrite the behaviours others rely on)",
            fix=_fixes.tag_update(name),
        )
    exclusive, multi_valued = settings.exclusive, settings.multi_valued
    if exclusive is not None and exclusive != current.exclusive:
        _set_exclusive(connection, tag_id, tag_string(current.key, current.value), exclusive)
    if multi_valued is not None:
        _set_multi_valued(connection, current.key_id, current.key, multi_valued)
    # Every other setting is a column of `tag` of the same name.
    given = {name: value for name, value in settings.given.items() if name not in _KEY_SETTINGS}
    changes: dict[str, Any] = {"registered": registered, "updated_ms": now, **given}
    connection.execute(tag.update().where(tag.c.id == tag_id).values(**changes))


def _set_exclusive(connection: sa.Connection, tag_id: int, name: str, exclusive: bool) -> None:
    scope: Any = sa.null()
    if exclusive:
        _refuse_shared(connection, tag_id, name)
        scope = (
            sa.select(entity.c.scope_id)
            .where(entity.c.id == tag_assignment.c.entity_id)
            .scalar_subquery()
        )
    connection.execute(
        tag_assignment.update()
        .where(tag_assignment.c.tag_id == tag_id)
        .values(exclusive_scope=scope)
    )


def _refuse_shared(connection: sa.Connection, tag_id: int, name: str) -> None:
    """A tag can only become exclusive if no scope has two holders already."""
    holders = connection.execute(
        sa.select(tag_assignment.c.kind, entity.c.scope_id, entity.c.name, entity.c.id)
        .join(entity, entity.c.id == tag_assignment.c.entity_id)
        .where(tag_assignment.c.tag_id == tag_id)
        .order_by(entity.c.id)
    ).all()
    by_scope: dict[tuple[int, int], list[str]] = defaultdict(list)
    for row in holders:
        by_scope[(row.kind, row.scope_id)].append(row.name)
    shared = {scope: names for scope, names in by_scope.items() if len(names) > 1}
    if not shared:
        return
    scope_names = _names(connection, [scope_id for _, scope_id in shared])
    lines = []
    for (kind, scope_id), names in list(shared.items())[:_MAX_LISTED]:
        where = scope_names.get(scope_id, "the whole catalog")
        shown = ", ".join(names[:_MAX_LISTED]) + (" ..." if len(names) > _MAX_LISTED else "")
        lines.append(f"  - {len(names)} {Kind.from_code(kind).label}s of {where}: {shown}")
    raise ExclusiveTagConflictError(
        f"tag {name!r} cannot become exclusive: {len(shared)} scope(s) have several holders\n"
        + "\n".join(lines)
        + f"\nFix: remove {name!r} from all but one entity in each scope, then try again"
    )


def _names(connection: sa.Connection, ids: list[int]) -> dict[int, str]:
    query = sa.select(entity.c.id, entity.c.name).where(entity.c.id.in_(ids))
    return {row.id: row.name for row in connection.execute(query)}


def _set_multi_valued(connection: sa.Connection, key_id: int, key: str, multi: bool) -> None:
    """Let a key take several values per entity, or one: its assignments then carry its id in
    `single_key_id`, unique per entity."""
    of_key = tag_assignment.c.tag_id.in_(sa.select(tag.c.id).where(tag.c.key == key))
    if not multi:
        doubled = connection.execute(
            sa.select(entity.c.name, sa.func.count())
            .join(entity, entity.c.id == tag_assignment.c.entity_id)
            .where(of_key)
            .group_by(entity.c.id, entity.c.name)
            .having(sa.func.count() > 1)
            .limit(_MAX_LISTED)
        ).all()
        if doubled:
            shown = ", ".join(f"{name} ({count} values)" for name, count in doubled)
            raise ConflictError(
                f"key {key!r} cannot take one value per entity: {shown} hold several. "
                f"Fix: remove the extra values of {key!r} first"
            )
    connection.execute(tag_key.update().where(tag_key.c.id == key_id).values(multi_valued=multi))
    single_key_id = None if multi else key_id
    connection.execute(tag_assignment.update().where(of_key).values(single_key_id=single_key_id))


_KEY_SETTINGS = frozenset({"multi_valued"})  # settings of the key (`tag_key`), not the tag
_SETTING_COLUMNS = tuple(
    (tag_key if name in _KEY_SETTINGS else tag).c[name] for name in TagSettings.names()
)
_DEFINITION_COLUMNS = (
    tag.c.id,
    tag.c.key,
    tag.c.value,
    tag.c.registered,
    *_SETTING_COLUMNS,
    tag.c.created_ms,
    tag.c.updated_ms,
)


def definition_query() -> sa.Select[Any]:
    return sa.select(*_DEFINITION_COLUMNS).join(tag_key, tag_key.c.id == tag.c.key_id)


def load_definitions(connection: sa.Connection, query: sa.Select[Any]) -> list[TagDefinition]:
    rows = connection.execute(query).all()
    usage: dict[int, dict[Kind, int]] = defaultdict(dict)
    if rows:
        counts = sa.select(tag_usage).where(  # one parameter however many tags
            in_bound_list(tag_usage.c.tag_id, connection.dialect.name), tag_usage.c.count > 0
        )
        given = {"values": bound_list(connection, [row.id for row in rows])}
        for tag_id, kind, count in connection.execute(counts, given):
            usage[tag_id][Kind.from_code(kind)] = count
    return [
        TagDefinition(
            key=row.key,
            value=row.value,
            registered=row.registered,
            settings=TagSettings(**{name: row._mapping[name] for name in TagSettings.names()}),
            usage=usage.get(row.id, {}),
            created_at=from_millis(row.created_ms),
            updated_at=from_millis(row.updated_ms),
        )
        for row in rows
    ]


def get_definition_id(connection: sa.Connection, key: str, value: str) -> int:
    found = connection.execute(sa.select(tag.c.id).where(pair_condition(key, value))).scalar()
    if found is None:
        name = tag_string(key, value)
        raise NotFoundError(f"no tag {name!r} in the catalog", fix=_fixes.tag_registry(name))
    return int(found)
