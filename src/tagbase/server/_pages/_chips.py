"""Tags as the UI shows them: chips in the registered colour, labels as labels, system tags
set apart, each a link that filters a list by it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from tagbase._records import AssignedTag, TagDefinition, Tags
from tagbase._tags import RESERVED_PREFIX, tag_string
from tagbase.server._pages import _links

# The registry's named colours as the chips paint them (hex colours are used as given).
PALETTE: Mapping[str, str] = {
    "grey": "#64748b",
    "red": "#dc2626",
    "orange": "#ea580c",
    "yellow": "#ca8a04",
    "green": "#16a34a",
    "teal": "#0d9488",
    "blue": "#2563eb",
    "indigo": "#4f46e5",
    "purple": "#9333ea",
    "pink": "#db2777",
}


@dataclass(frozen=True, slots=True)
class Registry:
    """The registered tags, looked up by tag string and, failing that, by key."""

    by_name: Mapping[str, TagDefinition]

    @classmethod
    def of(cls, definitions: Iterable[TagDefinition]) -> Registry:
        return cls({d.name: d for d in definitions if d.registered})

    def find(self, key: str, value: str) -> TagDefinition | None:
        return self.by_name.get(tag_string(key, value)) or self.by_name.get(key)


@dataclass(frozen=True, slots=True)
class Chip:
    key: str
    value: str
    color: str | None
    exclusive: bool
    description: str | None
    source: str | None = None
    actor: str | None = None
    added_at: datetime | None = None

    @property
    def name(self) -> str:
        return tag_string(self.key, self.value)

    @property
    def is_label(self) -> bool:
        return self.value == ""

    @property
    def is_system(self) -> bool:
        return self.key.startswith(RESERVED_PREFIX)

    @property
    def term(self) -> str:
        return _links.tag_term(self.key, self.value)


def color_of(definition: TagDefinition | None) -> str | None:
    if definition is None or definition.color is None:
        return None
    return PALETTE.get(definition.color, definition.color)


def chip(key: str, value: str, registry: Registry, held: AssignedTag | None = None) -> Chip:
    found = registry.find(key, value)
    return Chip(
        key,
        value,
        color_of(found),
        bool(found and found.exclusive) or bool(held and held.exclusive),
        found.description if found else None,
        held.source if held else None,
        held.actor if held else None,
        held.added_at if held else None,
    )


def chips(tags: Tags | Iterable[AssignedTag], registry: Registry) -> list[Chip]:
    """The entity's tags as chips: its own first, system tags last, each sorted by name.
    (Templates pass an entity's `tags`, whose iteration yields keys: its assignments count.)"""
    held = tags.assigned if isinstance(tags, Tags) else tags
    made = [chip(t.key, t.value, registry, t) for t in held]
    return sorted(made, key=lambda c: (c.is_system, c.name))
