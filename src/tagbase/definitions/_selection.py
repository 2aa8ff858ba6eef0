"""Asset selections: the query language plus lineage operators, evaluated over definitions.

    *              every asset                 orders         the asset `orders`
    +orders        orders and its parents      orders+        orders and its children
    2+orders       two levels of parents       ++orders       the same
    *orders        every ancestor too          orders*        every descendant too
    tag:team=ml and not kind:python or group:marketing     (any term of the query language)

A bare name must be an asset's key (`prefix/name` for a prefixed key); an unknown one is an
`UnknownDefinitionError` raised before anything runs. Name patterns need `name:` (`name:raw_*`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tagbase._errors import InvalidInputError, UnknownDefinitionError
from tagbase.definitions._assets import AssetsDefinition, AssetSpec
from tagbase.metadata import AssetKey, encode_metadata_value
from tagbase.query import (
    And,
    AssetIs,
    Candidate,
    Everything,
    MadeByRun,
    Match,
    NameMatch,
    Node,
    Not,
    Or,
    matches,
)
from tagbase.query._parser import _Parser
from tagbase.query._tokens import Token

_LINEAGE = re.compile(r"(?P<up>\*|\d+\+|\++)?(?P<name>[^+*]+)(?P<down>\*|\+\d+|\++)?")
_MARK = "\x00lineage:"
_ALL = -1


@dataclass(frozen=True, slots=True)
class Lineage:
    """A name with how many levels of parents and children to add (-1: all of them)."""

    name: str
    up: int
    down: int


def _depth(text: str | None) -> int:
    if not text:
        return 0
    if text == "*":
        return _ALL
    digits = text.strip("+")
    return int(digits) if digits else len(text)


class _SelectionParser(_Parser):
    def __init__(self, selection: str, known: Iterable[str]) -> None:
        super().__init__(selection)
        self.known = set(known)
        self.lineages: list[Lineage] = []

    def _bare_word(self, token: Token) -> Node:
        if token.text == "*" and not any(c.quoted for c in token.chars):
            return Everything()
        found = _LINEAGE.fullmatch(token.text)
        if found is None or any(c.text in "=<>:" and not c.quoted for c in token.chars):
            return super()._bare_word(token)
        name = found["name"]
        if name not in self.known:
            raise unknown("asset", name, self.known, where=f" in selection {self.query!r}")
        self.lineages.append(Lineage(name, _depth(found["up"]), _depth(found["down"])))
        return NameMatch(Match.EQUALS, f"{_MARK}{len(self.lineages) - 1}")


def unknown(what: str, name: str, known: Iterable[str], where: str = "") -> UnknownDefinitionError:
    """An error naming the unknown definition, the nearest known names, and the fix."""
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    shown = ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")
    return UnknownDefinitionError(
        f"no {what} named {name!r}{where}. Fix: {hint}defined {what}s are: {shown or 'none'}"
    )


class AssetGraph:
    """The assets of a code location, by name, with their parents and children."""

    def __init__(self, assets: Sequence[AssetsDefinition]) -> None:
        self.assets = tuple(assets)
        self.specs: dict[str, AssetSpec] = {s.name: s for a in assets for s in a.specs}
        self.owner: dict[str, AssetsDefinition] = {s.name: a for a in assets for s in a.specs}
        self.parents: dict[str, set[str]] = {name: set() for name in self.specs}
        self.children: dict[str, set[str]] = {name: set() for name in self.specs}
        for definition in assets:
            upstream = [key.to_user_string() for key in definition.upstream]
            for spec in definition.specs:
                for parent in upstream:
                    self.parents[spec.name].add(parent)
                    self.children.setdefault(parent, set()).add(spec.name)

    def walk(self, start: str, links: Mapping[str, set[str]], depth: int) -> set[str]:
        found, frontier, level = {start}, {start}, 0
        while frontier and (depth == _ALL or level < depth):
            frontier = {n for f in frontier for n in links.get(f, ())} - found
            found |= frontier
            level += 1
        return found

    def lineage(self, lineage: Lineage) -> set[str]:
        return self.walk(lineage.name, self.parents, lineage.up) | self.walk(
            lineage.name, self.children, lineage.down
        )

    @cached_property
    def candidates(self) -> dict[str, Candidate]:
        """Each asset as the query language sees it, built once: every term of a selection
        tests every asset."""
        return {name: self.candidate(spec) for name, spec in self.specs.items()}

    def candidate(self, spec: AssetSpec) -> Candidate:
        encoded = {key: encode_metadata_value(value) for key, value in spec.metadata.items()}
        return Candidate(
            name=spec.name,
            tags=[(tag.key, tag.value) for tag in spec.catalog_tags],
            owners=spec.owners,
            metadata=encoded,
        )


def _evaluate(node: Node, graph: AssetGraph, lineages: Sequence[Lineage]) -> set[str]:
    match node:
        case Everything():
            return set(graph.specs)
        case NameMatch(Match.EQUALS, pattern) if pattern.startswith(_MARK):
            return graph.lineage(lineages[int(pattern.removeprefix(_MARK))])
        case And(operands):
            return set.intersection(*(_evaluate(o, graph, lineages) for o in operands))
        case Or(operands):
            return set.union(*(_evaluate(o, graph, lineages) for o in operands))
        case Not(operand):
            return set(graph.specs) - _evaluate(operand, graph, lineages)
        case AssetIs(name):
            raise InvalidInputError(
                f"asset:{name} filters runs and asset versions; a selection picks assets by name. "
                f"Fix: write {name} (or name:{name})"
            )
        case MadeByRun():
            raise InvalidInputError(
                "run.tag: filters asset versions by the run that made them; a selection picks "
                "assets, which no run made. Fix: select by the assets' own tags (tag:KEY=VALUE)"
            )
    return {name for name, candidate in graph.candidates.items() if matches(node, candidate)}


def selected_names(selection: Any, graph: AssetGraph) -> set[str]:
    """The names of the assets a selection picks."""
    if selection is None:
        return set(graph.specs)
    if isinstance(selection, str):
        parser = _SelectionParser(selection, graph.specs)
        return _evaluate(parser.parse(), graph, parser.lineages)
    if isinstance(selection, AssetKey):
        return selected_names(selection.to_user_string(), graph)
    if isinstance(selection, AssetsDefinition):
        return set(selection.names)
    names: set[str] = set()
    for item in selection:
        names |= selected_names(item, graph)
    return names


def select_assets(
    selection: Any, assets: Sequence[AssetsDefinition]
) -> tuple[AssetsDefinition, ...]:
    """The executable definitions that compute the selected assets, in definition order."""
    graph = AssetGraph(assets)
    names = selected_names(selection, graph)
    return tuple(a for a in assets if a.is_executable and names & set(a.names))
