"""The data of the API and the pages: one function per question, over `Client`.

Pages call these (and `Client` methods) and render the records; the API turns the same
records into JSON with the `*_json` functions here. So the UI and the API cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tagbase._client import Client
from tagbase._kinds import Kind
from tagbase._metadata import MetadataValue, encode_metadata_value
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
from tagbase.store._store import Ref

MAX_PAGE_SIZE = 500
ASSET_VERSIONS_OF_A_RUN = 200


@dataclass(frozen=True, slots=True)
class Filters:
    """What a list, count or facet request filters by (all optional, ANDed)."""

    query: str | None = None
    tags: Sequence[str] | None = None  # operator strings: "equals:env=prod", "startswith:exp"
    name: str | None = None  # a name filter: "orders*", "contains:ord"
    scope: Ref | None = None  # the parent, for scoped kinds


@dataclass(frozen=True, slots=True)
class RunDetail:
    """A run with what happened in it."""

    run: Entity
    steps: list[StepRecord]
    events: list[RunEvent]
    asset_versions: list[EntityRef]


# -- questions ------------------------------------------------------------------------------


def list_entities(
    client: Client,
    kind: Kind,
    filters: Filters,
    *,
    size: int = 50,
    page: int | None = None,
    cursor: str | None = None,
    with_total: bool = True,
) -> Page[Entity]:
    """One page, newest first; `cursor` (keyset) wins over `page`. Without `with_total`,
    `total` is None (at a million runs the unfiltered count costs more than the page)."""
    tags = list(filters.tags) if filters.tags else None
    return client.list(
        kind,
        scope=filters.scope,
        tags=tags,
        name=filters.name,
        query=filters.query or None,
        size=size,
        page=None if cursor else page,
        cursor=cursor,
        with_total=with_total,
    )


def count_entities(client: Client, kind: Kind, filters: Filters) -> int:
    tags = list(filters.tags) if filters.tags else None
    return client.count(
        kind, scope=filters.scope, tags=tags, name=filters.name, query=filters.query or None
    )


def facet_values(client: Client, kind: Kind, key: str, filters: Filters) -> list[tuple[str, int]]:
    """(value, how many hold it) for tag `key`, most held first, then by value."""
    tags = list(filters.tags) if filters.tags else None
    counts = client.facets(
        kind, key, scope=filters.scope, tags=tags, name=filters.name, query=filters.query or None
    )
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def run_detail(client: Client, ref: Ref) -> RunDetail:
    """A run, its steps and events, and the asset versions it created."""
    run = client.get(Kind.RUN, ref)
    versions = client.list(
        Kind.ASSET_VERSION,
        query=f"metadata:tagbase/run_id={run.id}",
        size=ASSET_VERSIONS_OF_A_RUN,
    )
    return RunDetail(
        run,
        client.list_run_steps(run.id),
        client.list_run_events(run.id),
        [version.ref for version in versions],
    )


# -- JSON -----------------------------------------------------------------------------------


def ref_json(ref: EntityRef) -> dict[str, Any]:
    return {"id": ref.id, "kind": ref.kind, "name": ref.name, "scope": ref.scope_name}


def tag_json(tag: AssignedTag) -> dict[str, Any]:
    return {
        "name": tag.name,
        "key": tag.key,
        "value": tag.value,
        "label": tag.is_label,
        "system": tag.is_system,
        "source": tag.source,
        "actor": tag.actor,
        "added_at": tag.added_at,
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
        "kind": entity.kind,
        "name": entity.name,
        "scope": None if entity.scope is None else ref_json(entity.scope),
        "version": entity.version,
        "number": entity.number,
        "status": entity.status,
        "description": entity.description,
        "tags": [tag_json(tag) for tag in entity.tags],
        "metadata": metadata_map_json(entity.metadata),
        "owners": list(entity.owners),
        "created_at": entity.created_at,
        "updated_at": entity.updated_at,
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
        "created_at": definition.created_at,
        "updated_at": definition.updated_at,
    }


def tag_event_json(event: TagEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "entity": ref_json(event.entity),
        "tag": event.tag,
        "action": event.action,
        "reason": event.reason,
        "moved_to": None if event.moved_to is None else ref_json(event.moved_to),
        "source": event.source,
        "actor": event.actor,
    }


def metadata_entry_json(entry: MetadataEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "value": metadata_json(entry.value),
        "source": entry.source,
        "actor": entry.actor,
        "at": entry.at,
    }


def point_json(point: MetadataPoint) -> dict[str, Any]:
    return {"entity": ref_json(point.entity), "value": point.value, "at": point.at}


def step_json(step: StepRecord) -> dict[str, Any]:
    return {
        "key": step.key,
        "op": step.op,
        "status": step.status,
        "started_at": step.started_at,
        "ended_at": step.ended_at,
        "duration_s": step.duration,
        "error": step.error,
    }


def event_json(event: RunEvent) -> dict[str, Any]:
    return {"at": event.at, "event": event.event, "step": event.step, "message": event.message}


def run_detail_json(detail: RunDetail) -> dict[str, Any]:
    return {
        "run": entity_json(detail.run),
        "steps": [step_json(step) for step in detail.steps],
        "events": [event_json(event) for event in detail.events],
        "asset_versions": [ref_json(ref) for ref in detail.asset_versions],
    }


def retagging_json(result: Retagging) -> dict[str, Any]:
    return {
        "matched": result.matched,
        "add": list(result.add),
        "remove": list(result.remove),
        "sample": [ref_json(ref) for ref in result.sample],
        "dry_run": result.dry_run,
    }
