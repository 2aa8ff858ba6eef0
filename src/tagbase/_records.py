"""Plain, immutable records that the store hands to callers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, NamedTuple, TypeVar

from tagbase._kinds import Kind
from tagbase._tags import tag_string

T = TypeVar("T")


def from_millis(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def to_millis(moment: datetime) -> int:
    """Milliseconds since the epoch; a naive datetime is read as UTC, as everywhere in tagbase."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class EntityRef:
    """Enough to name an entity in a message or a link."""

    id: str
    kind: Kind
    name: str
    scope_name: str | None = None

    @property
    def display_name(self) -> str:
        return f"{self.scope_name}:{self.name}" if self.scope_name else self.name


class AssignedTag(NamedTuple):
    """A tag on an entity, with where it came from. (A named tuple: pages hold thousands.)"""

    key: str
    value: str
    source: str
    actor: str | None
    added_at: datetime
    exclusive: bool = False

    @property
    def name(self) -> str:
        return tag_string(self.key, self.value)

    @property
    def is_label(self) -> bool:
        return self.value == ""

    @property
    def is_system(self) -> bool:
        return self.key.startswith("tagbase/")

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Entity:
    """One catalog entity: asset, asset version, op, job, run, run template, model, version."""

    id: str
    kind: Kind
    name: str
    scope: EntityRef | None
    number: int | None
    description: str | None
    status: str | None
    tags: tuple[AssignedTag, ...]
    metadata: Mapping[str, Any]
    owners: tuple[str, ...]
    created_at: datetime
    updated_at: datetime

    @property
    def tag_names(self) -> list[str]:
        """Tags in string form, sorted: `key` for labels, `key=value` otherwise."""
        return sorted(tag.name for tag in self.tags)

    @property
    def tag_dict(self) -> dict[str, str]:
        return {tag.key: tag.value for tag in self.tags}

    @property
    def version(self) -> str | None:
        """The version name of an asset or model version."""
        return self.name if self.kind.is_version else None

    @property
    def ref(self) -> EntityRef:
        return EntityRef(self.id, self.kind, self.name, self.scope.name if self.scope else None)

    def has_tag(self, name: str) -> bool:
        return name in self.tag_names


@dataclass(frozen=True, slots=True)
class TagDefinition:
    """A tag in the dictionary, with what the registry says about it."""

    key: str
    value: str
    registered: bool
    exclusive: bool
    cascade: bool
    color: str | None
    description: str | None
    multi_valued: bool
    usage: Mapping[Kind, int]
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return tag_string(self.key, self.value)

    @property
    def usage_count(self) -> int:
        return sum(self.usage.values())


@dataclass(frozen=True, slots=True)
class TagEvent:
    """One change in a tag's history: an add, or a removal with its reason."""

    entity: EntityRef
    tag: str
    action: str  # "added" or "removed"
    at: datetime
    source: str
    actor: str | None
    reason: str | None = None  # removed, replaced, moved, deleted
    moved_to: EntityRef | None = None


@dataclass(frozen=True, slots=True)
class MetadataEntry:
    """One value logged for a metadata key, kept as history."""

    key: str
    value: Any
    source: str
    actor: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Retagging:
    """What a bulk tag change did (or, in a dry run, would do) to the entities of a query."""

    matched: int
    add: tuple[str, ...]
    remove: tuple[str, ...]
    sample: tuple[EntityRef, ...]  # the first matching entities, newest first
    dry_run: bool


@dataclass(frozen=True, slots=True)
class StoredArtifact:
    """What tagbase wrote for an asset version's value, as the run recorder keeps it beside the
    version (where no client can change it): the location relative to the artifact store's
    root, the sha256 of the bytes written, their format and size. Loading follows only this."""

    location: str
    sha256: str
    format: str  # json, pandas-parquet, arrow-parquet or pickle
    size: int


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results. Iterate it, or read `items`; pass `next_cursor` for the next."""

    items: Sequence[T]
    total: int | None = None
    next_cursor: str | None = None
    index: int = 1
    max_size: int = 50
    extras: Mapping[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    @property
    def size(self) -> int:
        return len(self.items)

    @property
    def total_pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.max_size))
