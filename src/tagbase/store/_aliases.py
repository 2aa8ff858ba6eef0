"""Aliases, as MLflow users know them: `iris_classifier@champion` is the version of
`iris_classifier` that holds the exclusive tag `champion`.

The rule: a scoped entity (an asset or model version, a run, a run template) named without its
parent by `PARENT@TAG`, split at the last `@`, is the holder of TAG within PARENT when TAG is a
registered exclusive tag; nobody holding it is a NotFoundError naming the alias and how to give
the tag. When TAG is not an exclusive tag the text is a name, as before. A name holding `@`
stays reachable with its parent given apart (`get_model_version("m", "v@x")`) or by its id.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from tagbase import _fixes
from tagbase._errors import NotFoundError
from tagbase._kinds import Kind
from tagbase._records import alias_parts
from tagbase._tags import split_tag_string
from tagbase.store._dictionary import pair_condition
from tagbase.store._schema import entity, tag, tag_assignment
from tagbase.store._tagging import TARGET_COLUMNS, Target


def find_holder(
    connection: sa.Connection,
    kind: Kind,
    ref: object,
    parent_of: Callable[[str], Target],
    lock: bool = False,
) -> Target | None:
    """The entity `ref` names as an alias, or None when it is no alias (see the module).
    `parent_of` resolves the parent's name (NotFoundError when there is none). One query more
    than a lookup by name, and only for text holding `@`."""
    parts = alias_parts(ref)
    if parts is None or kind.scope is None:
        return None
    parent_name, tag_name = parts
    key, value = split_tag_string(tag_name)
    exclusive = sa.select(tag.c.id).where(pair_condition(key, value), tag.c.exclusive)
    tag_id = connection.execute(exclusive).scalar()
    if tag_id is None:
        return None
    scope = parent_of(parent_name)
    holder = (
        sa.select(*TARGET_COLUMNS)
        .join(tag_assignment, tag_assignment.c.entity_id == entity.c.id)
        .where(
            tag_assignment.c.tag_id == tag_id,
            tag_assignment.c.kind == kind.code,
            tag_assignment.c.exclusive_scope == scope.id,
        )
    )
    row = connection.execute(holder.with_for_update() if lock else holder).first()
    if row is None:
        raise NotFoundError(
            f"no {kind.label} of {kind.scope.label} {parent_name!r} holds the exclusive tag "
            f"{tag_name!r}, so the alias {ref!r} names nothing",
            fix=_fixes.tagging(kind, parent_name, tag_name),
        )
    return Target(*row)
