"""Facet counts beside a list: how many of the matching entities hold each kind, group, tag
value or owner, and the query term that narrows the list to them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tagbase._client import Client
from tagbase._kinds import Kind
from tagbase._records import Entity, TagDefinition
from tagbase._tags import KIND_TAG_PREFIX, RESERVED_PREFIX
from tagbase.server import _data
from tagbase.server._data import Filters
from tagbase.server._pages import _links

GROUP_KEY = "tagbase/group"
TAG_KEYS = 8  # the most used tag keys get a facet each
VALUES = 8  # values shown per facet
STATUSES = ("queued", "started", "success", "failed")


@dataclass(frozen=True, slots=True)
class Entry:
    """One value of a facet; `count` is None where counting would cost a scan of the list."""

    label: str
    count: int | None
    term: str
    is_label: bool = False


@dataclass(frozen=True, slots=True)
class Facet:
    title: str
    entries: Sequence[Entry]
    note: str | None = None


def _used_keys(tags: Iterable[TagDefinition], kind: Kind) -> dict[str, int]:
    usage: dict[str, int] = {}
    for definition in tags:
        used = definition.usage.get(kind, 0)
        if used:
            usage[definition.key] = usage.get(definition.key, 0) + used
    return usage


def _values(client: Client, kind: Kind, key: str, query: str) -> dict[str, int]:
    return dict(_data.facet_values(client, kind, key, Filters(query or None)))


def tag_facets(
    client: Client, kind: Kind, query: str, tags: Sequence[TagDefinition]
) -> list[Facet]:
    """One facet per tag key most used on `kind` (system keys aside), values by count."""
    usage = _used_keys(tags, kind)
    keys = sorted(
        (key for key in usage if not key.startswith(RESERVED_PREFIX)),
        key=lambda key: (-usage[key], key),
    )[:TAG_KEYS]
    facets = []
    for key in keys:
        counts = _values(client, kind, key, query)
        entries = [
            Entry(value or key, count, _links.tag_term(key, value), value == "")
            for value, count in list(counts.items())[:VALUES]
        ]
        if entries:
            facets.append(Facet(key, entries))
    return facets


def kind_facet(client: Client, query: str, tags: Sequence[TagDefinition]) -> Facet:
    keys = sorted(k for k in _used_keys(tags, Kind.ASSET) if k.startswith(KIND_TAG_PREFIX))
    counts = {key: _values(client, Kind.ASSET, key, query).get("", 0) for key in keys}
    entries = [
        Entry(
            key.removeprefix(KIND_TAG_PREFIX),
            count,
            f"kind:{_links.query_value(key.removeprefix(KIND_TAG_PREFIX))}",
        )
        for key, count in sorted(counts.items(), key=lambda item: -item[1])
        if count
    ]
    return Facet("Kinds", entries)


def group_facet(client: Client, query: str) -> Facet:
    counts = _values(client, Kind.ASSET, GROUP_KEY, query)
    entries = [
        Entry(group, count, f"group:{_links.query_value(group)}") for group, count in counts.items()
    ]
    return Facet("Groups", entries)


def owner_facet(shown: Sequence[Entity]) -> Facet:
    """The owners of the entities on this page, as filters (the catalog keeps no per-owner
    counter, and counting each would scan the list)."""
    owners = sorted({owner for entity in shown for owner in entity.owners})
    entries = [Entry(owner, None, f"owner:{_links.query_value(owner)}") for owner in owners]
    return Facet("Owners", entries, "owners of the assets listed")


def status_facet() -> Facet:
    """Run statuses as filters (uncounted: a status has no counter, and runs are many)."""
    return Facet("Status", [Entry(status, None, f"status:{status}") for status in STATUSES])


def asset_facets(client: Client, query: str, shown: Sequence[Entity]) -> list[Facet]:
    tags = client.list_tags()
    facets = [kind_facet(client, query, tags), group_facet(client, query)]
    facets.append(owner_facet(shown))
    facets += tag_facets(client, Kind.ASSET, query, tags)
    return [facet for facet in facets if facet.entries]


def run_facets(client: Client, query: str) -> list[Facet]:
    facets = [status_facet()]
    facets += tag_facets(client, Kind.RUN, query, client.list_tags())
    return [facet for facet in facets if facet.entries]
