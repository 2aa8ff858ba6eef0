"""The one JSON form of each record, shared by the CLI's `--json` output and the REST API.

Each shape is declared once, here, as a Pydantic model built from its record by the model's
`of` constructor. The API returns the model (FastAPI writes the OpenAPI schema from it); the
CLI prints `model_dump(mode="json")` of the same model (`json_default`). So a field added to
a shape reaches both, and a user sees one shape from `tagbase ... --json` and from `/api/...`:

- times are ISO 8601 strings in UTC to the millisecond (`iso_time`), as the store keeps them;
- kinds are their canonical names (`"model_version"`);
- an entity is named by a ref `{id, kind, name, scope, deleted}`, `scope` being the parent's
  name;
- a metadata value is typed: `{"type": "float", "value": 0.92}`, `value` being the stored
  payload as plain JSON.

Pure: Pydantic is a core dependency; the web framework stays in `server/`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from tagbase._changes import ChangeEvent, ChangePage
from tagbase._identity import ApiToken, User
from tagbase._kinds import Kind
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


Time = Annotated[
    datetime,
    PlainSerializer(iso_time, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time, written as `iso_time` writes it (Pydantic's own form varies in width)."""


def json_default(value: object) -> Any:
    """For `json.dumps(default=...)`: a shape of this module as the API sends it."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not a JSON shape")


class Shape(BaseModel):
    """A response shape: immutable, built from a record by `of`.

    The shapes a page holds many of (refs, tags, entities) also give their fields as plain
    data (`fields_of`), so a whole page is validated in one call rather than one per tag:
    at 50 entities of 5 tags that is a fifth of the time.
    """

    model_config = ConfigDict(frozen=True)


class RefOut(Shape):
    id: str
    kind: Kind
    name: str
    scope: str | None = Field(description="the parent's name, for scoped kinds")
    deleted: bool = Field(
        False, description="the entity was deleted; the tag history still names it"
    )

    @classmethod
    def of(cls, ref: EntityRef) -> Self:
        return cls.model_validate(cls.fields_of(ref))

    @staticmethod
    def fields_of(ref: EntityRef) -> dict[str, Any]:
        return {
            "id": ref.id,
            "kind": ref.kind,
            "name": ref.name,
            "scope": ref.scope_name,
            "deleted": ref.deleted,
        }


def _optional_ref(ref: EntityRef | None) -> RefOut | None:
    return None if ref is None else RefOut.of(ref)


class TagOut(Shape):
    name: str = Field(description="the string form: `key` for a label, `key=value` otherwise")
    key: str
    value: str
    label: bool
    system: bool = Field(description="set by tagbase (under tagbase/)")
    source: str = Field(description="definition, launch, user, system, cascade or api")
    actor: str | None
    added_at: Time
    exclusive: bool

    @classmethod
    def of(cls, tag: AssignedTag) -> Self:
        return cls.model_validate(cls.fields_of(tag))

    @staticmethod
    def fields_of(tag: AssignedTag) -> dict[str, Any]:
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


class MetadataOut(Shape):
    type: str = Field(description="text, url, md, int, float, json, table_schema, ...")
    value: Any

    @classmethod
    def of(cls, value: object) -> Self:
        """A metadata value with its type name; `value` is the stored payload, plain JSON."""
        if isinstance(value, MetadataValue):
            encoded = encode_metadata_value(value)
            return cls(type=encoded.type_name, value=json.loads(encoded.payload))
        return cls(type="json", value=value)


class EntityOut(Shape):
    id: str
    kind: Kind
    name: str
    scope: RefOut | None
    version: str | None
    number: int | None
    status: str | None
    description: str | None
    tags: list[TagOut]
    metadata: dict[str, MetadataOut]
    owners: list[str]
    created_at: Time
    updated_at: Time

    @classmethod
    def of(cls, entity: Entity) -> Self:
        return cls.model_validate(cls.fields_of(entity))

    @staticmethod
    def fields_of(entity: Entity) -> dict[str, Any]:
        scope = entity.scope
        return {
            "id": entity.id,
            "kind": entity.kind,
            "name": entity.name,
            "scope": None if scope is None else RefOut.fields_of(scope),
            "version": entity.version,
            "number": entity.number,
            "status": entity.status,
            "description": entity.description,
            "tags": [TagOut.fields_of(tag) for tag in entity.tags.assigned],
            "metadata": {key: MetadataOut.of(value) for key, value in entity.metadata.items()},
            "owners": list(entity.owners),
            "created_at": entity.created_at,
            "updated_at": entity.updated_at,
        }


class EntityPage(Shape):
    items: list[EntityOut]
    total: int | None
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")
    page: int
    size: int
    total_pages: int | None

    @classmethod
    def of(cls, page: Page[Entity]) -> Self:
        return cls.model_validate(  # the whole page in one validation
            {
                "items": [EntityOut.fields_of(entity) for entity in page.items],
                "total": page.total,
                "next_cursor": page.next_cursor,
                "page": page.index,
                "size": page.max_size,
                "total_pages": page.total_pages,
            }
        )


class TagDefinitionOut(Shape):
    name: str
    key: str
    value: str
    registered: bool
    exclusive: bool
    cascade: bool
    multi_valued: bool
    color: str | None
    description: str | None
    usage: dict[str, int] = Field(description="entities holding the tag, per kind")
    usage_total: int
    created_at: Time
    updated_at: Time

    @classmethod
    def of(cls, definition: TagDefinition) -> Self:
        return cls(
            name=definition.name,
            key=definition.key,
            value=definition.value,
            registered=definition.registered,
            exclusive=definition.exclusive,
            cascade=definition.cascade,
            multi_valued=definition.multi_valued,
            color=definition.color,
            description=definition.description,
            usage={kind.value: count for kind, count in definition.usage.items()},
            usage_total=definition.usage_count,
            created_at=definition.created_at,
            updated_at=definition.updated_at,
        )


class TagEventOut(Shape):
    at: Time
    entity: RefOut
    tag: str
    action: str = Field(description="added or removed")
    reason: str | None = Field(description="for removals: removed, replaced, moved, deleted")
    moved_to: RefOut | None
    source: str
    actor: str | None

    @classmethod
    def of(cls, event: TagEvent) -> Self:
        return cls(
            at=event.at,
            entity=RefOut.of(event.entity),
            tag=event.tag,
            action=event.action,
            reason=event.reason,
            moved_to=_optional_ref(event.moved_to),
            source=event.source,
            actor=event.actor,
        )


class ChangeEventOut(Shape):
    """One event of the change feed (`GET /api/events`, `tagbase events tail --json`)."""

    id: int = Field(description="increasing in commit order: pass the last one as `after`")
    type: str = Field(description="entity.created, tag.moved, metadata.logged, run.failed, ...")
    at: Time
    actor: str | None
    entity: RefOut | None = Field(description="none for tag registry and policy changes")
    payload: dict[str, Any] = Field(
        description="tag, old, from/to (refs), tags, metadata, status, changed, action..."
    )

    @classmethod
    def of(cls, event: ChangeEvent) -> Self:
        return cls(
            id=event.id,
            type=event.type.value,
            at=event.at,
            actor=event.actor,
            entity=_optional_ref(event.entity),
            payload=dict(event.payload),
        )


class ChangePageOut(Shape):
    events: list[ChangeEventOut]
    last_id: int = Field(description="the `after` that continues the feed")
    more: bool = Field(description="whether the log held more past `last_id`")

    @classmethod
    def of(cls, page: ChangePage) -> Self:
        events = [ChangeEventOut.of(event) for event in page.events]
        return cls(events=events, last_id=page.last_id, more=page.more)


class DeletedTagOut(Shape):
    """A deleted tag and how many entities held it."""

    name: str
    removed_from: int = Field(description="how many entities held the tag")


class MetadataEntryOut(Shape):
    key: str
    value: MetadataOut
    source: str
    actor: str | None
    at: Time

    @classmethod
    def of(cls, entry: MetadataEntry) -> Self:
        return cls(
            key=entry.key,
            value=MetadataOut.of(entry.value),
            source=entry.source,
            actor=entry.actor,
            at=entry.at,
        )


class PointOut(Shape):
    entity: RefOut
    value: int | float = Field(description="as logged: an int stays an int")
    at: Time

    @classmethod
    def of(cls, point: MetadataPoint) -> Self:
        return cls(entity=RefOut.of(point.entity), value=point.value, at=point.at)


class StepOut(Shape):
    key: str
    op: str
    status: str
    started_at: Time | None
    ended_at: Time | None
    duration_s: float | None
    error: str | None

    @classmethod
    def of(cls, step: StepRecord) -> Self:
        return cls(
            key=step.key,
            op=step.op,
            status=step.status,
            started_at=step.started_at,
            ended_at=step.ended_at,
            duration_s=step.duration,
            error=step.error,
        )


class EventOut(Shape):
    at: Time
    event: str
    step: str | None
    message: str | None

    @classmethod
    def of(cls, event: RunEvent) -> Self:
        return cls(at=event.at, event=event.event, step=event.step, message=event.message)


class RetagOut(Shape):
    matched: int = Field(description="how many entities the query matched")
    changed: int = Field(description="how many of them had their tags changed")
    add: list[str]
    remove: list[str]
    sample: list[RefOut]
    dry_run: bool

    @classmethod
    def of(cls, result: Retagging) -> Self:
        return cls(
            matched=result.matched,
            changed=result.changed,
            add=list(result.add),
            remove=list(result.remove),
            sample=[RefOut.of(ref) for ref in result.sample],
            dry_run=result.dry_run,
        )


def _moment(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


class UserOut(Shape):
    name: str
    role: str = Field(description="viewer, editor or admin")
    email: str | None
    service: bool
    actor: str = Field(description="what its changes are recorded under (`service:NAME`)")
    teams: list[str]
    created_at: Time | None

    @classmethod
    def of(cls, user: User) -> Self:
        return cls(
            name=user.name,
            role=user.role.label,
            email=user.email,
            service=user.service,
            actor=user.actor,
            teams=list(user.teams),
            created_at=_moment(user.created_ms),
        )


class ApiTokenOut(Shape):
    """A token as listed: its first characters, never the token."""

    id: int
    user: str
    label: str | None
    prefix: str
    created_at: Time | None
    expires_at: Time | None
    revoked_at: Time | None
    last_used_at: Time | None

    @classmethod
    def of(cls, token: ApiToken) -> Self:
        return cls(
            id=token.id,
            user=token.user,
            label=token.label,
            prefix=token.prefix,
            created_at=_moment(token.created_ms),
            expires_at=_moment(token.expires_ms),
            revoked_at=_moment(token.revoked_ms),
            last_used_at=_moment(token.last_used_ms),
        )


class CreatedTokenOut(Shape):
    token: str = Field(description="the token itself: shown this once, never stored")
    listing: ApiTokenOut


class SignedInOut(Shape):
    name: str | None = Field(description="the user (None: a local server's configured user)")
    role: str = Field(description="viewer, editor or admin")
    actor: str | None = Field(description="what this session's changes are recorded under")
    via: str = Field(description="token (a stored one), configured (a server token) or local")
