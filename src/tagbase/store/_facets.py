"""Facet counts: how many entities hold each value of a tag key.

For the whole catalog the usage counters answer at once; within a query's results the
assignments of the key's few tag ids are counted against the result set.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tagbase.store._schema import tag, tag_assignment, tag_usage


def facet_counts(
    connection: sa.Connection, kind: int, key: str, within: sa.Select[Any] | None
) -> dict[str, int]:
    """Value -> number of entities of `kind` holding key=value (among the ids `within`)."""
    if within is None:
        query = (
            sa.select(tag.c.value, tag_usage.c.count)
            .join(tag_usage, tag_usage.c.tag_id == tag.c.id)
            .where(tag.c.key == key, tag_usage.c.kind == kind, tag_usage.c.count > 0)
        )
    else:
        query = (
            sa.select(tag.c.value, sa.func.count())
            .join(tag_assignment, tag_assignment.c.tag_id == tag.c.id)
            .where(
                tag.c.key == key,
                tag_assignment.c.kind == kind,
                tag_assignment.c.entity_id.in_(within),
            )
            .group_by(tag.c.value)
        )
    counts = {value: int(count) for value, count in connection.execute(query)}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
