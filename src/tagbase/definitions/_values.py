"""Values that step code returns or annotates with: results, outputs, artifact and model configs.

Each checks its metadata and tags when it is built, so a bad value fails the step that made it
and no asset version is recorded with half of its metadata.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from tagbase._kinds import Kind
from tagbase._tags import Tag, TagsInput, normalize_tags
from tagbase.metadata import AssetKey, MetadataValue, normalize_metadata

_NO_METADATA: Mapping[str, MetadataValue] = MappingProxyType({})


def _frozen_metadata(metadata: Mapping[str, object] | None) -> Mapping[str, MetadataValue]:
    return MappingProxyType(normalize_metadata(metadata)) if metadata else _NO_METADATA


@dataclass(frozen=True, slots=True, init=False)
class MaterializeResult:
    """What an asset function may return (or yield): runtime metadata for the new version,
    and optionally the value to store. `asset_key` names the asset of a multi-asset."""

    asset_key: AssetKey | None
    metadata: Mapping[str, MetadataValue]
    value: Any
    tags: tuple[Tag, ...]

    def __init__(
        self,
        *,
        asset_key: AssetKey | str | list[str] | None = None,
        metadata: Mapping[str, object] | None = None,
        value: Any = None,
        tags: TagsInput = None,
        data_version: object = None,
        check_results: object = None,
    ) -> None:
        key = None if asset_key is None else AssetKey(asset_key)
        object.__setattr__(self, "asset_key", key)
        object.__setattr__(self, "metadata", _frozen_metadata(metadata))
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "tags", normalize_tags(tags, kind=Kind.ASSET_VERSION))


@dataclass(frozen=True, slots=True, init=False)
class Output:
    """A value an op or asset returns, with runtime metadata for it."""

    value: Any
    output_name: str
    metadata: Mapping[str, MetadataValue]
    tags: tuple[Tag, ...]

    def __class_getitem__(cls, _item: object) -> type[Output]:
        """`Output[int]` in an annotation means Output, as in the seeds' framework."""
        return cls

    def __init__(
        self,
        value: Any,
        output_name: str = "result",
        metadata: Mapping[str, object] | None = None,
        tags: TagsInput = None,
        data_version: object = None,
    ) -> None:
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "output_name", output_name)
        object.__setattr__(self, "metadata", _frozen_metadata(metadata))
        object.__setattr__(self, "tags", normalize_tags(tags, kind=Kind.ASSET_VERSION))


@dataclass(frozen=True, slots=True)
class ArtifactConfig:
    """Names and tags the artifact a step output becomes: `Annotated[T, ArtifactConfig(...)]`.
    Tags are checked when the step decorator reads the annotation."""

    name: str | None = None
    tags: TagsInput = None
    version: str | int | None = None
    metadata: Mapping[str, object] | None = None
    is_model_artifact: bool = False


@dataclass(frozen=True, slots=True, init=False)
class Model:
    """The model a pipeline trains: each run gets a version of it (`version=None`: the next
    number; a given version name is created once and reused)."""

    name: str
    version: str | None
    tags: tuple[Tag, ...]
    description: str | None
    metadata: Mapping[str, MetadataValue]

    def __init__(
        self,
        name: str,
        version: str | int | None = None,
        tags: TagsInput = None,
        description: str | None = None,
        metadata: Mapping[str, object] | None = None,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "version", None if version is None else str(version))
        object.__setattr__(self, "tags", normalize_tags(tags, kind=Kind.MODEL_VERSION))
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "metadata", _frozen_metadata(metadata))
