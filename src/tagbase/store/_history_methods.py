"""The history and metadata part of the store: who held a tag when, and logged metadata."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import datetime

from tagbase._errors import InvalidInputError
from tagbase._kinds import Kind
from tagbase._records import Entity, EntityRef, MetadataEntry, TagEvent, to_millis
from tagbase._tags import split_tag_string
from tagbase.store import _history, _metadata_store
from tagbase.store._catalog_base import Ref
from tagbase.store._entity_methods import EntityMethods
from tagbase.store._registry import get_definition_id


class HistoryMethods(EntityMethods):
    def tag_history(
        self,
        *,
        kind: Kind | str | None = None,
        ref: Ref | None = None,
        scope: Ref | None = None,
        tag: str | None = None,
        limit: int = 1000,
    ) -> builtins.list[TagEvent]:
        """Adds, removals and moves, newest first: of one entity, of one tag, or both."""
        with self._reading() as connection:
            entity_id = None
            kind_code = None
            if kind is not None:
                kind = Kind.parse(kind)
                kind_code = kind.code
                if ref is not None:
                    entity_id = self._resolve(connection, kind, ref, scope).id
            tag_id = None if tag is None else get_definition_id(connection, *split_tag_string(tag))
            return _history.events(connection, entity_id, tag_id, kind_code, limit)

    def tag_holders(
        self,
        tag: str,
        *,
        at: datetime,
        kind: Kind | str | None = None,
        scope: Ref | None = None,
    ) -> builtins.list[EntityRef]:
        """Who held `tag` at time `at`: for an exclusive tag and a scope, at most one entity."""
        with self._reading() as connection:
            tag_id = get_definition_id(connection, *split_tag_string(tag))
            kind_code = None
            scope_id = None
            if kind is not None:
                parsed = Kind.parse(kind)
                kind_code = parsed.code
                if scope is not None:
                    if parsed.scope is None:
                        raise InvalidInputError(f"a {parsed.label} has no parent; drop the scope")
                    scope_id = self._resolve(connection, parsed.scope, scope, None).id
            millis = to_millis(at)
            return _history.holders_at(connection, tag_id, millis, kind_code, scope_id)

    def log_metadata(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        metadata: Mapping[str, object],
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        return self.update(kind, ref, scope, metadata=metadata, source=source, actor=actor)

    def metadata_history(
        self, kind: Kind | str, ref: Ref, scope: Ref | None = None, *, key: str | None = None
    ) -> builtins.list[MetadataEntry]:
        """Every metadata value logged on the entity, oldest first."""
        with self._reading() as connection:
            found = self._resolve(connection, Kind.parse(kind), ref, scope)
            return _metadata_store.history(connection, found.id, key)
