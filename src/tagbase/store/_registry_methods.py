"""The tag registry part of the store: each tag's entry (behaviours, colour, description)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping

import sqlalchemy as sa

from tagbase._changes import ChangeType
from tagbase._errors import InvalidInputError, TagValidationError
from tagbase._records import TagDefinition
from tagbase._tag_settings import TagSettings
from tagbase._tags import Tag, split_tag_string, tag_problems
from tagbase.query import Match
from tagbase.store import _history, _outbox, _tagging
from tagbase.store._base import StoreBase
from tagbase.store._compile import like
from tagbase.store._dictionary import ensure_tags
from tagbase.store._registry import (
    definition_query,
    get_definition_id,
    load_definitions,
    update_definition,
)
from tagbase.store._schema import tag, tag_usage
from tagbase.store._tagging import Change


class RegistryMethods(StoreBase):
    def register_tag(
        self,
        name: str,
        settings: TagSettings,
        *,
        new: bool = False,
    ) -> TagDefinition:
        """Add a tag to the registry (`new`: refuse a registered one), or change its entry
        (settings left None stay as they are). Behaviours are checked against its holders:
        exclusive fails if a scope has two."""
        candidate = Tag(name, color=settings.color, description=settings.description)
        problems = tag_problems(candidate, kind=None, policy=self.tag_policy)
        if problems:
            raise TagValidationError(problems)
        with self._writing() as connection:
            change = self._change(connection, "api", None)
            rows = ensure_tags(connection, [(candidate.key, candidate.value)], change.now)
            tag_id = rows[(candidate.key, candidate.value)].id
            update_definition(connection, tag_id, change.now, settings, new=new)
            details = {"action": "registered", "settings": settings.given}
            _note_registry(connection, change, tag_id, details)
            return self._definition(connection, candidate.key, candidate.value)

    def update_tag(self, name: str, settings: TagSettings) -> TagDefinition:
        """Change a registered or used tag; NotFoundError if the catalog has never seen it."""
        self.get_tag(name)
        return self.register_tag(name, settings)

    def get_tag(self, name: str) -> TagDefinition:
        key, value = split_tag_string(name)
        with self._reading() as connection:
            return self._definition(connection, key, value)

    def _definition(self, connection: sa.Connection, key: str, value: str) -> TagDefinition:
        tag_id = get_definition_id(connection, key, value)
        return load_definitions(connection, definition_query().where(tag.c.id == tag_id))[0]

    def list_tags(
        self, *, registered_only: bool = False, key: str | None = None
    ) -> builtins.list[TagDefinition]:
        """Registered tags and tags in use, by key and value."""
        used = sa.select(tag_usage.c.tag_id).where(tag_usage.c.count > 0)
        query = definition_query().where(
            tag.c.registered if registered_only else tag.c.registered | tag.c.id.in_(used)
        )
        if key is not None:
            query = query.where(tag.c.key == key)
        with self._reading() as connection:
            found = load_definitions(connection, query)
        # Sorted here: ordered in SQL, SQLite walks the key index of the whole dictionary
        # instead of the few registered tags' partial index.
        return sorted(found, key=lambda definition: (definition.key, definition.value))

    def search_tags(
        self, containing: str = "", *, registered_only: bool = False, limit: int = 500
    ) -> tuple[builtins.list[TagDefinition], int]:
        """Registered tags and, unless `registered_only`, tags in use, whose string form holds
        `containing` (ASCII letters in either case, as both databases' lower() agree on them):
        registered first, then the most used, at most `limit` of them; and how many match.
        Ranked in SQL: a catalog may hold a tag per run."""
        if limit < 1:
            raise InvalidInputError(f"limit {limit} is not positive; give 1 or more")
        used = (
            sa.select(sa.func.sum(tag_usage.c.count))
            .where(tag_usage.c.tag_id == tag.c.id, tag_usage.c.count > 0)
            .scalar_subquery()
        )
        wanted = tag.c.registered if registered_only else tag.c.registered | used.is_not(None)
        if containing:
            lowered = sa.func.lower(tag.c.string_form)
            needle = "".join(c.lower() if c.isascii() else c for c in containing)
            wanted = wanted & like(lowered, Match.CONTAINS, needle)
        ranked = (
            definition_query()
            .where(wanted)
            .order_by(
                tag.c.registered.desc(), sa.func.coalesce(used, 0).desc(), tag.c.key, tag.c.value
            )
            .limit(limit)
        )
        counted = sa.select(sa.func.count()).select_from(tag).where(wanted)
        with self._reading() as connection:
            found = load_definitions(connection, ranked)  # in the ranking's order
            total = connection.execute(counted).scalar_one()
        return found, int(total)

    def delete_tag(self, name: str, *, actor: str | None = None) -> int:
        """Take the tag off every entity (kept in history) and drop its registry entry.
        Returns how many entities held it."""
        key, value = split_tag_string(name)
        with self._writing() as connection:
            change = self._change(connection, "api", actor)
            tag_id = get_definition_id(connection, key, value)
            targets = _history.holders_now(connection, tag_id)
            if targets:
                _tagging.unassign(connection, targets, [(key, value)], change, reason="deleted")
            unset = TagSettings(exclusive=False, cascade=False)
            update_definition(connection, tag_id, change.now, unset, registered=False)
            connection.execute(
                tag.update().where(tag.c.id == tag_id).values(color=None, description=None)
            )
            _note_registry(
                connection, change, tag_id, {"action": "deleted", "held_by": len(targets)}
            )
            return len(targets)


def _note_registry(
    connection: sa.Connection, change: Change, tag_id: int, details: Mapping[str, object]
) -> None:
    changed = ChangeType.REGISTRY_CHANGED
    payload = _outbox.payload(details)
    _outbox.note(
        connection, _outbox.row(changed, change.now, change.actor_id, None, tag_id, payload=payload)
    )
