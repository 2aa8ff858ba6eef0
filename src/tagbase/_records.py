"""Plain, immutable records that the store hands to callers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, NamedTuple, TypeVar

from tagbase._kinds import Kind
from tagbase._tag_settings import TagSettings
from tagbase._tags import tag_string
from tagbase.metadata import TimestampMetadataValue

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
    deleted: bool = False  # named by the history after the entity was deleted

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


class Tags(Mapping[str, str]):
    """An entity's tags, read as a mapping of key to value (a label's value is `""`), so that
    `"env" in run.tags` and `run.tags["env"]` work as they do in Dagster. A key registered
    multi-valued that holds several values maps to the first in sorted order; `get_all(key)`
    gives them all. Iterating yields keys; `assigned` holds every assignment, with its source,
    actor and time."""

    __slots__ = ("_values", "assigned")

    def __init__(self, assigned: Iterable[AssignedTag] = ()) -> None:
        self.assigned: tuple[AssignedTag, ...] = tuple(assigned)
        self._values: dict[str, str] | None = None  # built on first use: pages hold thousands

    @property
    def _by_key(self) -> dict[str, str]:
        if self._values is None:
            values: dict[str, str] = {}
            for held in self.assigned:
                first = values.get(held.key)
                if first is None or held.value < first:
                    values[held.key] = held.value
            self._values = values
        return self._values

    def __getitem__(self, key: str) -> str:
        return self._by_key[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def get_all(self, key: str) -> tuple[str, ...]:
        """Every value of `key` on the entity, sorted (empty when it has none)."""
        return tuple(sorted(held.value for held in self.assigned if held.key == key))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Tags):
            return sorted(self.assigned) == sorted(other.assigned)
        if isinstance(other, Mapping):
            return self._by_key == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self.assigned))

    def __repr__(self) -> str:
        return f"Tags({self._by_key!r})"

    def __reduce__(self) -> tuple[type[Tags], tuple[tuple[AssignedTag, ...]]]:
        return Tags, (self.assigned,)


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
    tags: Tags
    metadata: Mapping[str, Any]
    owners: tuple[str, ...]
    created_at: datetime
    updated_at: datetime

    @property
    def tag_names(self) -> list[str]:
        """Tags in string form, sorted: `key` for labels, `key=value` otherwise."""
        return sorted(tag.name for tag in self.tags.assigned)

    @property
    def tag_dict(self) -> dict[str, str]:
        """The tags as a plain dict (a copy of `tags`)."""
        return dict(self.tags)

    @property
    def version(self) -> str | None:
        """The version name of an asset or model version."""
        return self.name if self.kind.is_version else None

    # Read-only names that users of other tools reach for (listed in the README).

    @property
    def job_name(self) -> str | None:
        """The job (pipeline) of a run or run template."""
        return self._parent_name(Kind.JOB)

    pipeline_name = job_name

    @property
    def artifact_name(self) -> str | None:
        """The asset (artifact) of an asset version."""
        return self._parent_name(Kind.ASSET)

    asset_name = artifact_name

    @property
    def model_name(self) -> str | None:
        """The model of a model version."""
        return self._parent_name(Kind.MODEL)

    @property
    def run_id(self) -> str | None:
        """A run's id."""
        return self.id if self.kind is Kind.RUN else None

    @property
    def start_time(self) -> datetime | None:
        """When a run started (its `tagbase/started_at`); None before it starts."""
        return self._run_time("tagbase/started_at")

    @property
    def end_time(self) -> datetime | None:
        """When a run ended (its `tagbase/ended_at`); None until it ends."""
        return self._run_time("tagbase/ended_at")

    def _parent_name(self, parent: Kind) -> str | None:
        if self.scope is None or self.kind.scope is not parent:
            return None
        return self.scope.name

    def _run_time(self, key: str) -> datetime | None:
        value = self.metadata.get(key) if self.kind is Kind.RUN else None
        return value.as_datetime() if isinstance(value, TimestampMetadataValue) else None

    @property
    def ref(self) -> EntityRef:
        return EntityRef(self.id, self.kind, self.name, self.scope.name if self.scope else None)

    def has_tag(self, name: str) -> bool:
        return name in self.tag_names


@dataclass(frozen=True, slots=True)
class TagDefinition:
    """A tag in the dictionary, with what the registry says about it: its `settings`, every
    one set (a colour or description it has none of is None)."""

    key: str
    value: str
    registered: bool
    settings: TagSettings
    usage: Mapping[Kind, int]
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return tag_string(self.key, self.value)

    # Each setting by name, as users read them: `client.get_tag("champion").exclusive`.

    @property
    def exclusive(self) -> bool:
        return bool(self.settings.exclusive)

    @property
    def cascade(self) -> bool:
        return bool(self.settings.cascade)

    @property
    def multi_valued(self) -> bool:
        return bool(self.settings.multi_valued)

    @property
    def color(self) -> str | None:
        return self.settings.color

    @property
    def description(self) -> str | None:
        return self.settings.description

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
    """What a bulk tag change did (or, in a dry run, would do) to the entities of a query:
    how many matched, and how many of them had their tags changed."""

    matched: int
    changed: int
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


def alias_parts(ref: object) -> tuple[str, str] | None:
    """(parent, tag) of text written `PARENT@TAG`, else None."""
    if not isinstance(ref, str):
        return None
    parent, at, tag_name = ref.rpartition("@")
    return (parent, tag_name) if at and parent and tag_name else None
