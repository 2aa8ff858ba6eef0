"""An asset's neighbours: from the definitions the server loaded (what each asset reads or
depends on) and from the column lineage recorded in the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field

from tagbase._records import Entity
from tagbase.definitions import Definitions
from tagbase.metadata import MetadataValue

LINEAGE_KEY = "tagbase/column_lineage"


@dataclass(frozen=True, slots=True)
class Lineage:
    """Neighbour asset name -> where the link comes from (`definition`, `column lineage`)."""

    upstream: dict[str, str] = field(default_factory=dict)
    downstream: dict[str, str] = field(default_factory=dict)
    from_definitions: bool = False


def _definition_edges(definitions: Definitions) -> list[tuple[str, str]]:
    """(upstream, downstream) pairs of every loaded asset."""
    return [
        (key.to_user_string(), name)
        for assets in definitions.assets
        for key in assets.upstream
        for name in assets.names
    ]


def _lineage_sources(asset: Entity) -> list[str]:
    value = asset.metadata.get(LINEAGE_KEY)
    if not isinstance(value, MetadataValue) or value.type_name != "column_lineage":
        return []
    deps = value.value.deps_by_column.values()
    return list(dict.fromkeys(dep.asset_key.to_user_string() for col in deps for dep in col))


def lineage_of(asset: Entity, definitions: Definitions | None) -> Lineage:
    found = Lineage(from_definitions=definitions is not None)
    for name in _lineage_sources(asset):
        if name != asset.name:
            found.upstream[name] = "column lineage"
    for source, target in _definition_edges(definitions) if definitions else ():
        if target == asset.name:
            found.upstream[source] = "definition"
        elif source == asset.name:
            found.downstream[target] = "definition"
    return found
