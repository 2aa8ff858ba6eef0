"""The one JSON form of each record, shared by the CLI's `--json` output and the REST API.

Pure functions from records to plain JSON data (dicts, lists, strings, numbers), so a user
sees the same shape from `tagbase ... --json` and from `/api/...`:

- times are ISO 8601 strings in UTC to the millisecond (`iso_time`), as the store keeps them;
- kinds are their canonical names (`"model_version"`);
- an entity is named by a ref `{id, kind, name, scope}`, `scope` being the parent's name;
- a metadata value is typed: `{"type": "float", "value": 0.92}`, `value` being the stored
  payload as plain JSON (`metadata_json`).

The API's Pydantic models (`server/_schemas.py`) describe these shapes in its OpenAPI schema.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tagbase._records import (
    AssignedTag,
    Entity,
    EntityRef,
    MetadataEntry,
    Page,
    Retagging,
    TagDefinition,
    TagEvent,
)
from tagbase._run_records import MetadataPoint, RunEvent, StepRecord
from tagbase.metadata import MetadataValue, encode_metadata_value


def iso_time(moment: datetime) -> str:
    """UTC to the millisecond, e.g. 2024-05-01T12:00:03.123Z; the CLI's `--at` reads it back."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _optional_time(moment: datetime | None) -> str | None:
    return None if moment is None else iso_time(moment)


def ref_json(ref: EntityRef) -> dict[str, Any]:
    return {
        "id": ref.id,
        "kind": ref.kind.value,
        "name": ref.name,
        "scope": ref.scope_name,
        "deleted": ref.deleted,
    }


def _optional_ref(ref: EntityRef | None) -> dict[str, Any] | None:
    return None if ref is None else ref_json(ref)


def tag_json(tag: AssignedTag) -> dict[str, Any]:
    return {
        "name": tag.name,
        "key": tag.key,
        "value": tag.value,
        "label": tag.is_label,
        "system": tag.is_system,
        "source": tag.source,
        "actor": tag.actor,
        "added_at": iso_time(tag.added_at),
        "exclusive": tag.exclusive,
    }


def metadata_json(value: object) -> dict[str, Any]:
    """A metadata value as `{"type": ..., "value": ...}` (the stored payload, plain JSON)."""
    if isinstance(value, MetadataValue):
        encoded = encode_metadata_value(value)
        return {"type": encoded.type_name, "value": json.loads(encoded.payload)}
    return {"type": "json", "value": value}


def metadata_map_json(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {key: metadata_json(value) for key, value in metadata.items()}


def entity_json(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "kind": entity.kind.value,
        "name": entity.name,
        "scope": _optional_ref(entity.scope),
        "version": entity.version,
        "number": entity.number,
        "status": entity.status,
        "description": entity.description,
        "tags": [tag_json(tag) for tag in entity.tags.assigned],
        "metadata": metadata_map_json(entity.metadata),
        "owners": list(entity.owners),
        "created_at": iso_time(entity.created_at),
        "updated_at": iso_time(entity.updated_at),
    }


def page_json(page: Page[Entity]) -> dict[str, Any]:
    return {
        "items": [entity_json(entity) for entity in page.items],
        "total": page.total,
        "next_cursor": page.next_cursor,
        "page": page.index,
        "size": page.max_size,
        "total_pages": page.total_pages,
    }


def tag_definition_json(definition: TagDefinition) -> dict[str, Any]:
    return {
        "name": definition.name,
        "key": definition.key,
        "value": definition.value,
        "registered": definition.registered,
        "exclusive": definition.exclusive,
        "cascade": definition.cascade,
        "multi_valued": definition.multi_valued,
        "color": definition.color,
        "description": definition.description,
        "usage": {kind.value: count for kind, count in definition.usage.items()},
        "usage_total": definition.usage_count,
        "created_at": iso_time(definition.created_at),
        "updated_at": iso_time(definition.updated_at),
    }


def tag_event_json(event: TagEvent) -> dict[str, Any]:
    return {
        "at": iso_time(event.at),
        "entity": ref_json(event.entity),
        "tag": event.tag,
        "action": event.action,
        "reason": event.reason,
        "moved_to": _optional_ref(event.moved_to),
        "source": event.source,
        "actor": event.actor,
    }


def deleted_tag_json(name: str, removed_from: int) -> dict[str, Any]:
    """A deleted tag and how many entities held it."""
    return {"name": name, "removed_from": removed_from}


def metadata_entry_json(entry: MetadataEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "value": metadata_json(entry.value),
        "source": entry.source,
        "actor": entry.actor,
        "at": iso_time(entry.at),
    }


def point_json(point: MetadataPoint) -> dict[str, Any]:
    return {"entity": ref_json(point.entity), "value": point.value, "at": iso_time(point.at)}


def step_json(step: StepRecord) -> dict[str, Any]:
    return {
        "key": step.key,
        "op": step.op,
        "status": step.status,
        "started_at": _optional_time(step.started_at),
        "ended_at": _optional_time(step.ended_at),
        "duration_s": step.duration,
        "error": step.error,
    }


def event_json(event: RunEvent) -> dict[str, Any]:
    return {
        "at": iso_time(event.at),
        "event": event.event,
        "step": event.step,
        "message": event.message,
    }


def retagging_json(result: Retagging) -> dict[str, Any]:
    return {
        "matched": result.matched,
        "changed": result.changed,
        "add": list(result.add),
        "remove": list(result.remove),
        "sample": [ref_json(ref) for ref in result.sample],
        "dry_run": result.dry_run,
    }
