"""The change feed's vocabulary: the types of catalog change, and the records readers get.

Every change to the catalog is written, in the transaction that makes it, as one event of an
ordered log (the store's outbox). Readers follow it by id: `after=ID` gives what committed
after ID, in commit order, with no gaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tagbase._errors import InvalidInputError
from tagbase._records import EntityRef


class ChangeType(StrEnum):
    """What changed. The value is the event's public, dotted name."""

    ENTITY_CREATED = "entity.created"
    ENTITY_UPDATED = "entity.updated"  # name, description, owners, a non-run status
    ENTITY_DELETED = "entity.deleted"
    VERSION_CREATED = "version.created"  # an asset or model version (instead of created)
    TAG_ADDED = "tag.added"
    TAG_REMOVED = "tag.removed"
    TAG_REPLACED = "tag.replaced"  # a single-valued key's value: payload `old` and `tag`
    TAG_MOVED = "tag.moved"  # an exclusive tag: payload `from` and `to`
    METADATA_LOGGED = "metadata.logged"
    RUN_QUEUED = "run.queued"
    RUN_STARTED = "run.started"
    RUN_SUCCEEDED = "run.succeeded"
    RUN_FAILED = "run.failed"
    RUN_CANCELED = "run.canceled"
    REGISTRY_CHANGED = "registry.changed"
    POLICY_CHANGED = "policy.changed"

    @property
    def code(self) -> int:
        """The small integer stored in the log; never reorder these."""
        return _CODES[self]

    @classmethod
    def from_code(cls, code: int) -> ChangeType:
        return _BY_CODE[code]

    @classmethod
    def parse(cls, name: str | ChangeType) -> ChangeType:
        """A type by its dotted name; a prefix such as `tag` or `run.` is not one (see
        `parse_types`)."""
        if isinstance(name, ChangeType):
            return name
        try:
            return cls(name.strip().lower())
        except ValueError:
            known = ", ".join(t.value for t in cls)
            raise InvalidInputError(
                f"event type {name!r} is unknown; use one of: {known} (or a family: tag, run...)"
            ) from None


def parse_types(names: Iterable[str | ChangeType] | None) -> frozenset[ChangeType] | None:
    """Event types by name, where a family name (`tag`, `run`, `entity`...) stands for every
    type in it; None for no filter."""
    if names is None:
        return None
    chosen: set[ChangeType] = set()
    for name in names:
        family = str(name).strip().lower().rstrip(".*")
        members = [t for t in ChangeType if t.value.split(".")[0] == family]
        chosen.update(members or [ChangeType.parse(name)])
    if not chosen:
        raise InvalidInputError("no event types were given; give one, or none for every type")
    return frozenset(chosen)


_CODES = {change: number for number, change in enumerate(ChangeType, start=1)}
_BY_CODE = {number: change for change, number in _CODES.items()}

RUN_STATUS_CHANGES = {
    "queued": ChangeType.RUN_QUEUED,
    "started": ChangeType.RUN_STARTED,
    "success": ChangeType.RUN_SUCCEEDED,
    "failed": ChangeType.RUN_FAILED,
    "canceled": ChangeType.RUN_CANCELED,
}
"""The event a run's status writes (`RUN_STATUSES`, one each)."""


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One catalog change: its place in the log, what, when, who, on which entity (None for
    registry and policy changes) and the details (`payload`, plain JSON values: `tag`, `old`,
    `from`/`to`, `metadata`, `status`, `changed`, `action`...)."""

    id: int
    type: ChangeType
    at: datetime
    actor: str | None
    entity: EntityRef | None
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ChangePage:
    """A page of the feed: its events, and `last_id`, the `after` that continues it (the last
    event read, matched or not; `after` itself when there was none). `more` says whether the
    log held more past `last_id` when the page was read."""

    events: tuple[ChangeEvent, ...]
    last_id: int
    more: bool
