"""Entity kinds, their scopes and the two vocabularies that name them."""

from __future__ import annotations

from enum import StrEnum

from tagbase._errors import InvalidInputError


class Kind(StrEnum):
    """The kinds of entity the catalog holds. The value is the canonical name."""

    ASSET = "asset"
    ASSET_VERSION = "asset_version"
    OP = "op"
    JOB = "job"
    RUN = "run"
    RUN_TEMPLATE = "run_template"
    MODEL = "model"
    MODEL_VERSION = "model_version"

    @property
    def code(self) -> int:
        """The small integer stored in the database; never reorder these."""
        return _CODES[self]

    @property
    def scope(self) -> Kind | None:
        """The kind of this kind's parent, or None for top-level kinds."""
        return _SCOPES.get(self)

    @property
    def is_version(self) -> bool:
        return self.value in _VERSION_KINDS

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def from_code(cls, code: int) -> Kind:
        return _BY_CODE[code]

    @classmethod
    def parse(cls, name: str | Kind) -> Kind:
        """Accept a canonical name or its seed-vocabulary alias (artifact, pipeline, step...)."""
        if isinstance(name, Kind):
            return name
        normal = name.strip().lower().replace("-", "_").replace(" ", "_")
        kind = _ALIASES.get(normal)
        if kind is None:
            known = ", ".join(sorted(_ALIASES))
            raise InvalidInputError(f"unknown entity kind {name!r}; use one of: {known}")
        return kind


_CODES = {
    Kind.ASSET: 1,
    Kind.ASSET_VERSION: 2,
    Kind.OP: 3,
    Kind.JOB: 4,
    Kind.RUN: 5,
    Kind.RUN_TEMPLATE: 6,
    Kind.MODEL: 7,
    Kind.MODEL_VERSION: 8,
}
_BY_CODE = {code: kind for kind, code in _CODES.items()}
_VERSION_KINDS = frozenset({"asset_version", "model_version"})
_SCOPES = {
    Kind.ASSET_VERSION: Kind.ASSET,
    Kind.MODEL_VERSION: Kind.MODEL,
    Kind.RUN: Kind.JOB,
    Kind.RUN_TEMPLATE: Kind.JOB,
}
_ALIASES: dict[str, Kind] = {kind.value: kind for kind in Kind} | {
    "artifact": Kind.ASSET,
    "artifact_version": Kind.ASSET_VERSION,
    "step": Kind.OP,
    "pipeline": Kind.JOB,
    "pipeline_run": Kind.RUN,
    "template": Kind.RUN_TEMPLATE,
}
