"""Numeric metadata as a time series: every number logged under one key, oldest first, on an
entity and on its children (the versions of an asset or model, the runs of a job)."""

from __future__ import annotations

import sqlalchemy as sa

from tagbase._kinds import Kind
from tagbase._records import EntityRef, from_millis
from tagbase._run_records import MetadataPoint
from tagbase.metadata import decode_metadata_value
from tagbase.store._schema import entity, metadata_entry, metadata_key


def metadata_series(connection: sa.Connection, entity_uuid: str, key: str) -> list[MetadataPoint]:
    parent = entity.alias("parent")
    target = sa.select(entity.c.id).where(entity.c.uuid == entity_uuid).scalar_subquery()
    query = (
        sa.select(
            entity.c.uuid,
            entity.c.kind,
            entity.c.name,
            parent.c.name.label("scope_name"),
            metadata_entry.c.type,
            metadata_entry.c.payload,
            metadata_entry.c.at_ms,
        )
        .select_from(metadata_entry)
        .join(entity, entity.c.id == metadata_entry.c.entity_id)
        .join(metadata_key, metadata_key.c.id == metadata_entry.c.key_id)
        .outerjoin(parent, parent.c.id == entity.c.scope_id)
        .where(
            metadata_key.c.key == key,
            metadata_entry.c.number.is_not(None),
            sa.or_(entity.c.id == target, entity.c.scope_id == target),
        )
        .order_by(metadata_entry.c.at_ms, metadata_entry.c.id)
    )
    rows = connection.execute(query).all()
    return [
        MetadataPoint(
            EntityRef(row.uuid, Kind.from_code(row.kind), row.name, row.scope_name),
            decode_metadata_value(row.type, row.payload).value,
            from_millis(row.at_ms),
        )
        for row in rows
    ]
