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
    """Value -> number of entities of `kind` holding key=value (among the ids `within`),
    most common first."""
    counts = _whole_catalog(connection, kind, key) if within is None else {}
    if within is not None:
        values = dict(
            connection.execute(sa.select(tag.c.id, tag.c.value).where(tag.c.key == key)).all()
        )
        # Walk the index entries of the key's few tags and check each against the matching ids,
        # held once in memory. (`+ 0` keeps SQLite from probing the index once per pair of a
        # tag and a match instead, which its statistics make it prefer.)
        query = (
            sa.select(tag_assignment.c.tag_id, sa.func.count())
            .where(
                tag_assignment.c.kind == kind,
                tag_assignment.c.tag_id.in_(sorted(values)),
                (tag_assignment.c.entity_id + 0).in_(within),
            )
            .group_by(tag_assignment.c.tag_id)
        )
        counts = {values[tag_id]: int(count) for tag_id, count in connection.execute(query)}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _whole_catalog(connection: sa.Connection, kind: int, key: str) -> dict[str, int]:
    query = (
        sa.select(tag.c.value, tag_usage.c.count)
        .join(tag_usage, tag_usage.c.tag_id == tag.c.id)
        .where(tag.c.key == key, tag_usage.c.kind == kind, tag_usage.c.count > 0)
    )
    return {value: int(count) for value, count in connection.execute(query)}
