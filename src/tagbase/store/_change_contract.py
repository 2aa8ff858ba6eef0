"""The change feed's part of the store contract (`StoreContract` joins it with the rest)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tagbase._changes import ChangePage, ChangeType
from tagbase.query import Node


class ChangeFeed(Protocol):
    """Every catalog change as an event of one ordered log, written in the transaction that
    makes the change: entities created (`version.created` for versions), updated, deleted;
    tags added, removed, replaced, moved (an exclusive tag: `from` its previous holder, null
    when none, `to` the entity); metadata logged; a run's status (`run.queued`, `run.started`,
    `run.succeeded`, `run.failed`, `run.canceled`); tag registry and policy changes. A new
    entity's tags are in its created event (`tags`); exclusive ones also move.

    Ids increase in commit order with no gaps a reader falls into: a reader that has seen id N
    never sees a smaller id commit later, so `after=last id read` misses nothing. A rolled-back
    write (or savepoint) leaves no event."""

    def list_changes(
        self,
        *,
        after: int = 0,
        types: Sequence[str | ChangeType] | None = None,
        query: Node | None = None,
        limit: int = 100,
    ) -> ChangePage:
        """Up to `limit` (≤ 10,000) events after id `after`, oldest first: of `types` (dotted
        names, or a family such as `tag` or `run`), about entities that match `query` now
        (the query language; a deleted entity and registry or policy changes match none).
        `last_id` of the page continues it, past events read but filtered out too."""
        ...

    def last_change_id(self) -> int:
        """The id of the newest event (0 when there is none): a follower that wants only what
        comes next starts after it."""
        ...

    def prune_changes(self, before_ms: int) -> int:
        """Delete the events older than `before_ms` (retention); how many were deleted. The
        ids of those kept, and of those to come, do not change."""
        ...
