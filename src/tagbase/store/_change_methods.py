"""The change feed part of the store: reading the ordered log of catalog changes by id, and
pruning it (the write paths record it: see `_outbox`)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import sqlalchemy as sa

from tagbase._changes import ChangePage, ChangeType, parse_types
from tagbase._errors import InvalidInputError
from tagbase.query import Node
from tagbase.store import _feed
from tagbase.store._catalog_base import CatalogBase
from tagbase.store._feed import FeedRow
from tagbase.store._plan import plan

MAX_CHANGES = 10_000  # events per page
MAX_ID = 2**63 - 1  # ids are 8-byte integers on both databases
_SCAN = 1_000  # rows read per batch while a query filters them
_SCANS = 20  # batches one call reads at most; its `last_id` says where it stopped


class ChangeMethods(CatalogBase):
    def list_changes(
        self,
        *,
        after: int = 0,
        types: Sequence[str | ChangeType] | None = None,
        query: Node | None = None,
        limit: int = 100,
    ) -> ChangePage:
        """Events after id `after`, oldest first, in commit order: of `types` (names, or
        families such as `tag`), about entities matching `query` (as they are now)."""
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= MAX_ID:
            raise InvalidInputError(
                f"after {after!r} is not an event id (0 to {MAX_ID}); give 0 (the start) or "
                "the last id read"
            )
        if not 1 <= limit <= MAX_CHANGES:
            raise InvalidInputError(f"limit {limit} is outside 1..{MAX_CHANGES}; pick one in it")
        chosen = parse_types(types)
        with self._reading() as connection:
            if query is None:
                rows = _feed.read_rows(connection, after, chosen, limit + 1)
                more = len(rows) > limit
                rows = rows[:limit]
                last = rows[-1].id if rows else after
            else:
                rows, last, more = self._filtered(connection, after, chosen, query, limit)
            return ChangePage(tuple(_feed.records(connection, rows)), last, more)

    def _filtered(
        self,
        connection: sa.Connection,
        after: int,
        types: frozenset[ChangeType] | None,
        query: Node,
        limit: int,
    ) -> tuple[builtins.list[FeedRow], int, bool]:
        """Rows whose entity matches `query`, read a batch at a time; where the reading
        stopped, and whether the log goes on past it."""
        kept: builtins.list[FeedRow] = []
        last = after
        for _ in range(_SCANS):
            batch = _feed.read_rows(connection, last, types, _SCAN)
            matching = self._matching(connection, batch, query)
            for row in batch:
                last = row.id
                if row.id in matching:
                    kept.append(row)
                    if len(kept) == limit:
                        return kept, last, row is not batch[-1] or len(batch) == _SCAN
            if len(batch) < _SCAN:
                return kept, last, False
        return kept, last, True

    def _matching(
        self, connection: sa.Connection, rows: Sequence[FeedRow], query: Node
    ) -> set[int]:
        """The ids of rows whose entity matches, through the query compiler, a kind at a time."""
        matched_entities: set[int] = set()
        for kind, ids in _feed.entity_kinds(connection, rows).items():
            planned = plan(connection, kind, None, query)
            if planned.empty:
                continue
            among = planned.select.where(planned.ident.in_(ids))
            matched_entities.update(connection.execute(among).scalars())
        return {row.id for row in rows if row.entity_id in matched_entities}

    def last_change_id(self) -> int:
        """The id of the newest event, 0 when there is none."""
        with self._reading() as connection:
            return _feed.newest_id(connection)

    def prune_changes(self, before_ms: int) -> int:
        """Delete the events older than `before_ms` (retention); how many. A chunk per
        transaction, so writers wait for none long; the ids of what is kept do not change."""
        with self._reading() as connection:
            first_kept = _feed.first_kept(connection, before_ms)
        pruned = 0
        while True:
            with self._writing() as connection:
                deleted = _feed.delete_before(connection, first_kept)
            pruned += deleted
            if deleted < _feed.PRUNE_CHUNK:
                return pruned
