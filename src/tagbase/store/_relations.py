"""`asset:` and `run.tag:` in SQL: runs and asset versions are linked by the version's
`tagbase/run_id` metadata (the id of the run that made it), which the recorder writes.

The planner resolves `AssetIs` and `MadeByRun` for the kind queried into the nodes below; each
compiles itself to a condition on an entity id column, like `_compile.condition`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import sqlalchemy as sa

from tagbase._errors import InvalidInputError
from tagbase._kinds import Kind
from tagbase.query import AssetIs, MadeByRun, Node
from tagbase.store._compile import TagIds, condition, reads_entity
from tagbase.store._schema import entity, metadata_key, metadata_latest, tag_assignment

RUN_ID_KEY = "tagbase/run_id"
_asset = entity.alias("related_asset")
_version = entity.alias("related_version")
_run = entity.alias("maker_run")
_maker_tags = tag_assignment.alias("maker_tags")


def _run_id_key() -> Any:
    return sa.select(metadata_key.c.id).where(metadata_key.c.key == RUN_ID_KEY).scalar_subquery()


def _assets_named(name: str) -> sa.Select[Any]:
    return sa.select(_asset.c.id).where(_asset.c.kind == Kind.ASSET.code, _asset.c.name == name)


@dataclass(frozen=True, slots=True)
class VersionOf:
    """An asset version of the asset `name`."""

    name: str
    reads_entity: ClassVar[bool] = True

    def compile(self, ident: Any) -> sa.ColumnElement[bool]:
        return entity.c.scope_id.in_(_assets_named(self.name))


@dataclass(frozen=True, slots=True)
class Materialized:
    """A run that made a version of the asset `name`: some version of it names the run's id."""

    name: str
    reads_entity: ClassVar[bool] = True

    def compile(self, ident: Any) -> sa.ColumnElement[bool]:
        found = (
            sa.select(metadata_latest.c.entry_id)
            .join(_version, _version.c.id == metadata_latest.c.entity_id)
            .where(
                metadata_latest.c.key_id == _run_id_key(),
                metadata_latest.c.kind == Kind.ASSET_VERSION.code,
                metadata_latest.c.text == sa.cast(entity.c.uuid, sa.Text),
                _version.c.scope_id.in_(_assets_named(self.name)),
            )
        )
        return found.exists()


@dataclass(frozen=True, slots=True)
class MadeBy:
    """An asset version whose `tagbase/run_id` names a run that `runs` (a resolved tag
    condition) accepts."""

    runs: Any
    reads_entity: ClassVar[bool] = False

    def compile(self, ident: Any) -> sa.ColumnElement[bool]:
        if isinstance(self.runs, TagIds):  # the runs that hold the tags, from the tag index
            if not self.runs.ids:
                return sa.false()
            made_by = (
                sa.select(sa.cast(_run.c.uuid, sa.Text))
                .join(_maker_tags, _maker_tags.c.entity_id == _run.c.id)
                .where(
                    _maker_tags.c.kind == Kind.RUN.code,
                    _maker_tags.c.tag_id.in_(sorted(self.runs.ids)),
                )
            )
        else:
            made_by = sa.select(sa.cast(_run.c.uuid, sa.Text)).where(
                _run.c.kind == Kind.RUN.code, condition(self.runs, _run.c.id)
            )
        found = sa.select(metadata_latest.c.entry_id).where(
            metadata_latest.c.entity_id == ident,
            metadata_latest.c.key_id == _run_id_key(),
            metadata_latest.c.text.in_(made_by),
        )
        return found.exists()


def resolve_relation(node: Node, kind: int, resolve: Callable[[Node, int], Any]) -> Any:
    """`asset:` or `run.tag:` for entities of `kind`; other kinds have no such relation."""
    if isinstance(node, AssetIs):
        if kind == Kind.RUN.code:
            return Materialized(node.name)
        if kind == Kind.ASSET_VERSION.code:
            return VersionOf(node.name)
        raise _unrelated(kind, "asset:NAME", "runs and asset versions", f"name:{node.name}")
    assert isinstance(node, MadeByRun)
    if kind != Kind.ASSET_VERSION.code:
        raise _unrelated(kind, "run.tag:", "asset versions", "tag:KEY=VALUE")
    runs = resolve(node.condition, Kind.RUN.code)
    if reads_entity(runs):
        raise InvalidInputError(
            "run.tag: tests the tags of the run that made a version, nothing else; "
            "Fix: write run.tag:KEY=VALUE"
        )
    return MadeBy(runs)


def _unrelated(kind: int, term: str, kinds: str, instead: str) -> InvalidInputError:
    label = Kind.from_code(kind).label
    return InvalidInputError(
        f"{term} filters {kinds}, not {label}s; Fix: drop it, or filter {label}s by {instead}"
    )
