"""The data of the API and the pages: one function per question, over `Client`.

Pages call these (and `Client` methods) and render the records; the API turns the same
records into the shapes of `tagbase._json` (which the CLI's `--json` prints too). So the UI,
the API and the CLI cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tagbase._client import Client
from tagbase._kinds import Kind
from tagbase._records import Entity, EntityRef, Page
from tagbase._run_records import RunEvent, StepRecord
from tagbase.store import Ref

MAX_PAGE_SIZE = 500
ASSET_VERSIONS_OF_A_RUN = 200


@dataclass(frozen=True, slots=True)
class Filters:
    """What a list, count or facet request filters by (all optional, ANDed)."""

    query: str | None = None
    tags: Sequence[str] | None = None  # operator strings: "equals:env=prod", "startswith:exp"
    name: str | None = None  # a name filter: "orders*", "contains:ord"
    scope: Ref | None = None  # the parent, for scoped kinds


@dataclass(frozen=True, slots=True)
class RunDetail:
    """A run with what happened in it."""

    run: Entity
    steps: list[StepRecord]
    events: list[RunEvent]
    asset_versions: list[EntityRef]


# -- questions ------------------------------------------------------------------------------


def _selection(filters: Filters) -> dict[str, Any]:
    """The filter arguments `Client.list`, `count` and `facets` share (empty ones as None)."""
    return {
        "scope": filters.scope,
        "tags": list(filters.tags) if filters.tags else None,
        "name": filters.name,
        "query": filters.query or None,
    }


def list_entities(
    client: Client,
    kind: Kind,
    filters: Filters,
    *,
    size: int = 50,
    page: int | None = None,
    cursor: str | None = None,
    with_total: bool = True,
) -> Page[Entity]:
    """One page, newest first; `cursor` (keyset) wins over `page`. Without `with_total`,
    `total` is None (at a million runs the unfiltered count costs more than the page)."""
    return client.list(
        kind,
        **_selection(filters),
        size=size,
        page=None if cursor else page,
        cursor=cursor,
        with_total=with_total,
    )


def count_entities(client: Client, kind: Kind, filters: Filters) -> int:
    return client.count(kind, **_selection(filters))


def facet_values(client: Client, kind: Kind, key: str, filters: Filters) -> list[tuple[str, int]]:
    """(value, how many hold it) for tag `key`, most held first, then by value."""
    counts = client.facets(kind, key, **_selection(filters))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def run_detail(client: Client, ref: Ref) -> RunDetail:
    """A run, its steps and events, and the asset versions it created."""
    run = client.get(Kind.RUN, ref)
    versions = client.list(
        Kind.ASSET_VERSION,
        query=f"metadata:tagbase/run_id={run.id}",
        size=ASSET_VERSIONS_OF_A_RUN,
    )
    return RunDetail(
        run,
        client.list_run_steps(run.id),
        client.list_run_events(run.id),
        [version.ref for version in versions],
    )
