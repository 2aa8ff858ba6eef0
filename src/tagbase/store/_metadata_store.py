"""Metadata writes and reads: every value kept as history, the latest one indexed for filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from tagbase._changes import ChangeType
from tagbase._records import MetadataEntry, from_millis
from tagbase.metadata import MetadataValue, decode_metadata_value, encode_metadata_value
from tagbase.store import _outbox
from tagbase.store._schema import SOURCES, actor, metadata_entry, metadata_key, metadata_latest
from tagbase.store._sql import ensure_named, insert_ids, upsert
from tagbase.store._tagging import Change, Target


def log(
    connection: sa.Connection,
    items: Sequence[tuple[Target, Mapping[str, MetadataValue]]],
    change: Change,
) -> None:
    """Append one entry per (entity, key) and make it the latest value."""
    items = [(target, values) for target, values in items if values]
    if not items:
        return
    keys = (key for _, values in items for key in values)
    key_ids = {
        key: row[0]
        for key, row in ensure_named(connection, metadata_key, "key", keys, ("id",)).items()
    }
    rows = []
    events = []
    for target, values in items:
        logged = []
        for key, value in values.items():
            encoded = encode_metadata_value(value)
            logged.append((key, encoded.type_name, encoded.payload))
            rows.append(
                {
                    "entity_id": target.id,
                    "key_id": key_ids[key],
                    "type": encoded.type_name,
                    "payload": encoded.payload,
                    "number": encoded.number,
                    "source": change.source_code,
                    "actor_id": change.actor_id,
                    "at_ms": change.time_for(target),
                    "_kind": target.kind,
                    "_text": _indexable(encoded.text),
                }
            )
        # One event per entity and call, its keys and values together.
        events.append(
            _outbox.row(
                ChangeType.METADATA_LOGGED,
                change.now,
                change.actor_id,
                target.id,
                payload=_outbox.metadata_payload(logged),
            )
        )
    _outbox.note_many(connection, events)
    entries = [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]
    inserted = insert_ids(connection, metadata_entry, entries, ("entity_id", "key_id"))
    latest = [
        {
            "entity_id": row["entity_id"],
            "key_id": row["key_id"],
            "entry_id": entry_id,
            "kind": row["_kind"],
            "number": row["number"],
            "text": row["_text"],
        }
        for row, entry_id in zip(rows, inserted, strict=True)
    ]
    upsert(connection, metadata_latest, latest, ["entity_id", "key_id"])


# The text column is in a btree index; PostgreSQL refuses index rows over ~2700 bytes, so
# multi-byte text is cut shorter than the column's 1024 characters.
_INDEXED_TEXT_BYTES = 2048


def _indexable(text: str | None) -> str | None:
    if text is None or len(text) * 4 <= _INDEXED_TEXT_BYTES:
        return text
    return text.encode()[:_INDEXED_TEXT_BYTES].decode(errors="ignore")


def history(connection: sa.Connection, entity_id: int, key: str | None) -> list[MetadataEntry]:
    """Every value logged on an entity, oldest first, optionally for one key."""
    query = (
        sa.select(
            metadata_key.c.key,
            metadata_entry.c.type,
            metadata_entry.c.payload,
            metadata_entry.c.source,
            actor.c.name.label("actor"),
            metadata_entry.c.at_ms,
        )
        .join(metadata_key, metadata_key.c.id == metadata_entry.c.key_id)
        .outerjoin(actor, actor.c.id == metadata_entry.c.actor_id)
        .where(metadata_entry.c.entity_id == entity_id)
        .order_by(metadata_entry.c.id)
    )
    if key is not None:
        query = query.where(metadata_key.c.key == key)
    return [_entry(row) for row in connection.execute(query)]


def _entry(row: Any) -> MetadataEntry:
    return MetadataEntry(
        key=row.key,
        value=decode_metadata_value(row.type, row.payload),
        source=SOURCES[row.source],
        actor=row.actor,
        at=from_millis(row.at_ms),
    )
