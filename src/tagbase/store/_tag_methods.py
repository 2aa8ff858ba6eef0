"""The part of the store that puts tags on entities and takes them off, one or many at once."""

from __future__ import annotations

import builtins
import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from tagbase._errors import InvalidInputError
from tagbase._kinds import Kind
from tagbase._records import Entity, Retagging
from tagbase._tags import TagsInput, normalize_tags
from tagbase.query import Node
from tagbase.store import _retag
from tagbase.store._catalog_base import Ref, tag_pairs
from tagbase.store._entity_methods import EntityMethods
from tagbase.store._fast import bound_list, in_bound_list, plan_for_parameters
from tagbase.store._schema import entity
from tagbase.store._tagging import TARGET_COLUMNS, Target


class TagMethods(EntityMethods):
    def add_tags(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        tags: TagsInput,
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        return self.update(kind, ref, scope, add_tags=tags, source=source, actor=actor)

    def remove_tags(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        tags: Sequence[str],
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        return self.update(kind, ref, scope, remove_tags=tags, source=source, actor=actor)

    def retag(
        self,
        kind: Kind | str,
        query: Node,
        *,
        scope: Ref | None = None,
        add: TagsInput = None,
        remove: Sequence[str] | None = None,
        dry_run: bool = False,
        source: str = "user",
        actor: str | None = None,
    ) -> Retagging:
        """Remove, then add, tags on every entity matching `query`, in one transaction and in
        tag history. An entity lacking a tag to remove is left as it is. With `dry_run`, the
        same write is rolled back: the result (or error) is the real call's."""
        kind = Kind.parse(kind)
        tags = normalize_tags(add, kind=kind, policy=self.tag_policy)
        removals = tag_pairs(remove)
        if not tags and not removals:
            raise InvalidInputError("nothing to change: give tags to add or to remove")

        def matching(connection: sa.Connection) -> builtins.list[Target]:
            plan_for_parameters(connection)
            planned = self._plan(connection, kind, scope, query)
            ordered = planned.select.order_by(planned.ident.desc())
            ids = [] if planned.empty else connection.execute(ordered).scalars().all()
            return _targets(connection, ids)

        return _retag.run(
            self._writing,
            matching,
            lambda connection: self._change(connection, source, actor),
            tags,
            removals,
            dry_run=dry_run,
        )


def _targets(connection: sa.Connection, ids: Sequence[int]) -> builtins.list[Target]:
    """The entities `ids` names, in that order, in one query however many."""
    query = _targets_statement(connection.dialect.name)
    rows = connection.execute(query, {"values": bound_list(connection, ids)})
    found = {row[0]: Target(*row) for row in rows}
    return [found[i] for i in ids if i in found]


@functools.cache
def _targets_statement(dialect: str) -> sa.Select[Any]:
    return sa.select(*TARGET_COLUMNS).where(in_bound_list(entity.c.id, dialect))
