"""Facet counts beside a list: how many of the matching entities hold each kind, group or tag
value, and the query term that narrows the list to them.

Which keys get a facet is read from the entities listed (the keys several of them share), so
a page never loads the whole tag dictionary. Counts are exact over every match while the
matches are at most `SCOPED_LIMIT`; beyond that (counting them would walk the matches once per
key) they are the whole catalog's, read from the usage counters, and the panel says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tagbase._client import Client
from tagbase._kinds import Kind
from tagbase._records import Entity, Page
from tagbase._tags import KIND_TAG_PREFIX, RESERVED_PREFIX
from tagbase.server import _data
from tagbase.server._data import Filters
from tagbase.server._pages import _links

GROUP_KEY = "tagbase/group"
TAG_KEYS = 8  # the keys most common on the page get a facet each
VALUES = 8  # values shown per facet
STATUSES = ("queued", "started", "success", "failed")
SCOPED_LIMIT = 20_000
WHOLE_CATALOG = "Counts over the whole catalog (the matches are too many to count here)."


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


@dataclass(frozen=True, slots=True)
class Panel:
    """The facets beside a list, and what their counts count."""

    facets: Sequence[Facet]
    note: str | None = None


def counted_within(query: str, total: int | None) -> str:
    """The query the counts are taken within: the list's, unless it matches too many."""
    return query if total is not None and total <= SCOPED_LIMIT else ""


def page_keys(shown: Sequence[Entity], shared: bool = True) -> list[str]:
    """The tag keys the listed entities hold, most common first; if `shared` and several
    are listed, only keys more than one holds (a key unique to one entity, like a run's own
    id, makes a useless facet)."""
    held = Counter(key for entity in shown for key in {tag.key for tag in entity.tags.assigned})
    least = 2 if shared and len(shown) > 1 else 1
    return [key for key, count in held.most_common() if count >= least]


def _values(client: Client, kind: Kind, key: str, query: str) -> dict[str, int]:
    return dict(_data.facet_values(client, kind, key, Filters(query or None)))


def tag_facets(client: Client, kind: Kind, query: str, shown: Sequence[Entity]) -> list[Facet]:
    """One facet per tag key common among the listed entities (system keys aside)."""
    keys = [key for key in page_keys(shown) if not key.startswith(RESERVED_PREFIX)][:TAG_KEYS]
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


def kind_facet(client: Client, query: str, shown: Sequence[Entity]) -> Facet:
    keys = [key for key in page_keys(shown, shared=False) if key.startswith(KIND_TAG_PREFIX)]
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


def _panel(facets: list[Facet], query: str, within: str) -> Panel:
    note = WHOLE_CATALOG if query and not within else None
    return Panel([facet for facet in facets if facet.entries], note)


def asset_facets(client: Client, query: str, shown: Page[Entity]) -> Panel:
    within = counted_within(query, shown.total)
    facets = [kind_facet(client, within, shown.items), group_facet(client, within)]
    facets.append(owner_facet(shown.items))
    facets += tag_facets(client, Kind.ASSET, within, shown.items)
    return _panel(facets, query, within)


def run_facets(client: Client, query: str, shown: Page[Entity]) -> Panel:
    within = counted_within(query, shown.total)
    facets = [status_facet(), *tag_facets(client, Kind.RUN, within, shown.items)]
    return _panel(facets, query, within)
