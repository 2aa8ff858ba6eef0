"""The client's catalog part: create, get, list, update and delete an entity of any kind,
its tags and metadata, and the tag registry. `Client` adds the methods of each kind."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from tagbase._bulk import chosen
from tagbase._changes import ChangePage
from tagbase._config import Config
from tagbase._kinds import Kind
from tagbase._records import (
    Entity,
    EntityRef,
    MetadataEntry,
    Page,
    Retagging,
    TagDefinition,
    TagEvent,
    to_millis,
)
from tagbase._run_records import MetadataPoint
from tagbase._tag_settings import TagSettings
from tagbase._tags import Tag, TagsInput
from tagbase.execution._runtime import current_runtime
from tagbase.query import (
    Everything,
    Node,
    all_of,
    from_name_filter,
    from_operator_strings,
    from_tag_dict,
    parse,
)
from tagbase.store import EntitySpec, Ref, StoreContract, open_store

TagFilter = Mapping[str, Any] | Iterable[str | Tag] | str | None


def build_query(
    tags: TagFilter = None, name: str | None = None, query: str | Node | None = None
) -> Node:
    """AND of a tag filter (operator strings or a key/value dict), a name filter and a query
    (a selection string such as `tag:env=prod and not tag:deprecated`, or a syntax tree)."""
    nodes: builtins.list[Node] = []
    if isinstance(tags, Mapping):
        nodes.append(from_tag_dict(tags))
    elif tags is not None:
        nodes.append(from_operator_strings([tags] if isinstance(tags, str | Tag) else tags))
    if name is not None:
        nodes.append(from_name_filter(name))
    if query is not None:
        nodes.append(parse(query) if isinstance(query, str) else query)
    return all_of(nodes)


class CatalogClient:
    """The methods of any kind and of tags; `Client` (in `_client`) is the one to use."""

    def __init__(
        self,
        store: StoreContract | None = None,
        *,
        database_url: str | None = None,
        home: str | None = None,
        url: str | None = None,
        token: str | None = None,
    ) -> None:
        if store is None and url is not None:
            from tagbase.store import HttpStore  # httpx only for a server's clients

            store = HttpStore.connect(url, token=token)
        elif store is None and (home is not None or database_url is not None):
            store = open_store(Config.load(home=home, database_url=database_url))
        self.store = store or current_runtime().store

    # -- any kind ---------------------------------------------------------------------------

    def create(
        self,
        kind: Kind | str,
        name: str | None = None,
        *,
        scope: Ref | None = None,
        tags: TagsInput = None,
        metadata: Mapping[str, object] | None = None,
        owners: Sequence[str] | None = None,
        description: str | None = None,
        status: str | None = None,
        created_at: datetime | None = None,
    ) -> Entity:
        spec = EntitySpec(
            kind, name, scope, tags, metadata, owners, description, status, created_at
        )
        return self.store.add(spec, source="api")

    def bulk_create(self, entities: Sequence[EntitySpec]) -> builtins.list[str]:
        """Create many entities with their tags and metadata in one transaction; their ids."""
        return self.store.add_many(entities, source="api")

    def get(self, kind: Kind | str, name_or_id: Ref, scope: Ref | None = None) -> Entity:
        return self.store.get(kind, name_or_id, scope)

    def list(
        self,
        kind: Kind | str,
        *,
        scope: Ref | None = None,
        tags: TagFilter = None,
        name: str | None = None,
        query: str | Node | None = None,
        size: int = 50,
        page: int | None = None,
        cursor: str | None = None,
        with_total: bool = True,
    ) -> Page[Entity]:
        """Newest first. `tags` takes operator strings (`"contains:exp"`) or a dict.
        `with_total=False` leaves `total` None: counting a large kind unfiltered costs more
        than the page itself."""
        node = build_query(tags, name, query)
        return self.store.list(
            kind,
            scope=scope,
            query=node,
            size=size,
            page=page,
            cursor=cursor,
            with_total=with_total,
        )

    def count(
        self,
        kind: Kind | str,
        *,
        scope: Ref | None = None,
        tags: TagFilter = None,
        name: str | None = None,
        query: str | Node | None = None,
    ) -> int:
        return self.store.count(kind, scope=scope, query=build_query(tags, name, query))

    def facets(
        self,
        kind: Kind | str,
        key: str,
        *,
        scope: Ref | None = None,
        tags: TagFilter = None,
        name: str | None = None,
        query: str | Node | None = None,
    ) -> dict[str, int]:
        """How many entities hold each value of tag `key`, within the filters if any."""
        node = build_query(tags, name, query)
        filtered = None if isinstance(node, Everything) else node
        return self.store.facets(kind, key, scope=scope, query=filtered)

    def retag(
        self,
        kind: Kind | str,
        *,
        query: str | Node | None = None,
        tags: TagFilter = None,
        scope: Ref | None = None,
        add: TagsInput = None,
        remove: Sequence[str] | None = None,
        dry_run: bool = False,
        all: bool = False,
    ) -> Retagging:
        """Add and remove tags on every entity matching a query (an empty one only with
        `all=True`), in one transaction. `dry_run=True` does exactly that and rolls it back."""
        kind = Kind.parse(kind)
        query, tags = chosen(kind, query, tags, everything=all)
        node = build_query(tags, None, query)
        return self.store.retag(
            kind, node, scope=scope, add=add, remove=remove, dry_run=dry_run, source="user"
        )

    def update(
        self,
        kind: Kind | str,
        name_or_id: Ref,
        scope: Ref | None = None,
        *,
        add_tags: TagsInput = None,
        remove_tags: Sequence[str] | None = None,
        name: str | None = None,
        description: str | None = None,
        status: str | None = None,
        metadata: Mapping[str, object] | None = None,
        owners: Sequence[str] | None = None,
    ) -> Entity:
        return self.store.update(
            kind,
            name_or_id,
            scope,
            add_tags=add_tags,
            remove_tags=remove_tags,
            name=name,
            description=description,
            status=status,
            metadata=metadata,
            owners=owners,
            source="user",
        )

    def delete(
        self,
        kind: Kind | str,
        name_or_id: Ref,
        scope: Ref | None = None,
        *,
        recursive: bool = False,
    ) -> None:
        self.store.delete(kind, name_or_id, scope, recursive=recursive)

    def add_tags(
        self, kind: Kind | str, name_or_id: Ref, tags: TagsInput, scope: Ref | None = None
    ) -> Entity:
        return self.store.add_tags(kind, name_or_id, scope, tags=tags, source="user")

    def remove_tags(
        self, kind: Kind | str, name_or_id: Ref, tags: Sequence[str], scope: Ref | None = None
    ) -> Entity:
        return self.store.remove_tags(kind, name_or_id, scope, tags=tags, source="user")

    def log_metadata(
        self,
        kind: Kind | str,
        name_or_id: Ref,
        metadata: Mapping[str, object],
        scope: Ref | None = None,
    ) -> Entity:
        return self.store.log_metadata(kind, name_or_id, scope, metadata=metadata, source="user")

    def metadata_history(
        self, kind: Kind | str, name_or_id: Ref, scope: Ref | None = None, key: str | None = None
    ) -> builtins.list[MetadataEntry]:
        return self.store.metadata_history(kind, name_or_id, scope, key=key)

    def metadata_series(
        self, kind: Kind | str, name_or_id: Ref, key: str, scope: Ref | None = None
    ) -> builtins.list[MetadataPoint]:
        """Every number logged under `key` on the entity and its children (the versions of
        an asset or model, the runs of a job), oldest first: a time series to plot."""
        found = self.get(kind, name_or_id, scope)
        return self.store.metadata_series(found.id, key)

    # -- tags -------------------------------------------------------------------------------

    def create_tag(
        self, name: str, settings: TagSettings | None = None, **changes: bool | str | None
    ) -> TagDefinition:
        """Register a new tag with its settings (`create_tag("champion", exclusive=True)`):
        exclusive, cascade, color, description, multi_valued, as keywords or a TagSettings.
        Its behaviours stay with it when later used as a plain string. AlreadyExistsError if
        it is registered: `update_tag` changes a registered tag."""
        given = (settings or TagSettings()).with_changes(changes)
        return self.store.register_tag(name, given, new=True)

    def update_tag(
        self,
        tag_name_or_id: str,
        settings: TagSettings | None = None,
        **changes: bool | str | None,
    ) -> TagDefinition:
        """Change a tag's settings (as `create_tag` takes them); those not given stay."""
        given = (settings or TagSettings()).with_changes(changes)
        return self.store.update_tag(tag_name_or_id, given)

    def get_tag(self, tag_name_or_id: str) -> TagDefinition:
        return self.store.get_tag(tag_name_or_id)

    def list_tags(
        self, registered_only: bool = False, key: str | None = None
    ) -> builtins.list[TagDefinition]:
        return self.store.list_tags(registered_only=registered_only, key=key)

    def search_tags(
        self, containing: str = "", *, registered_only: bool = False, limit: int = 500
    ) -> tuple[builtins.list[TagDefinition], int]:
        """Registered (and, unless `registered_only`, used) tags whose name holds `containing`,
        registered first, then the most used: at most `limit`, and how many match."""
        return self.store.search_tags(containing, registered_only=registered_only, limit=limit)

    def delete_tag(self, tag_name_or_id: str) -> int:
        """Unregister the tag and take it off every entity; returns how many held it."""
        return self.store.delete_tag(tag_name_or_id)

    def tag_history(
        self,
        kind: Kind | str | None = None,
        name_or_id: Ref | None = None,
        scope: Ref | None = None,
        tag: str | None = None,
        limit: int = 1000,
    ) -> builtins.list[TagEvent]:
        """Adds, removals and exclusive moves, newest first, of an entity and/or a tag."""
        return self.store.tag_history(kind=kind, ref=name_or_id, scope=scope, tag=tag, limit=limit)

    def tag_holders(
        self,
        tag: str,
        at: datetime,
        kind: Kind | str | None = None,
        scope: Ref | None = None,
    ) -> builtins.list[EntityRef]:
        """Which entities held `tag` at time `at` (within `scope`, for scoped kinds)."""
        return self.store.tag_holders(tag, at=at, kind=kind, scope=scope)

    # -- the change feed ----------------------------------------------------------------------

    def events(
        self,
        after: int = 0,
        types: Sequence[str] | None = None,
        query: str | Node | None = None,
        limit: int = 100,
    ) -> ChangePage:
        """Catalog changes after event id `after`, oldest first, in commit order: of `types`
        (`tag.moved`, or a family such as `run`), about entities matching `query` (a selection
        such as `kind:model_version and tag:champion`, matched against them as they are now).
        Follow the feed with `after=page.last_id`."""
        node = parse(query) if isinstance(query, str) else query
        return self.store.list_changes(after=after, types=types, query=node, limit=limit)

    def prune_events(self, before: datetime) -> int:
        """Delete the change events older than `before` (retention); how many went."""
        return self.store.prune_changes(to_millis(before))

    def last_event_id(self) -> int:
        """The id of the newest change event (0 when none): follow from it for what comes next."""
        return self.store.last_change_id()
