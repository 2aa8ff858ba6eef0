"""Code references: where each asset is defined, as local files or links into git.

`with_source_code_references(defs)` adds the file and line of each asset's function to its
`tagbase/code_references` metadata; `link_code_references_to_git(...)` turns those local files
into GitHub or GitLab links through a file path mapping. Both return new definitions.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from tagbase._errors import DefinitionError, Problem
from tagbase.definitions._assets import AssetsDefinition, AssetSpec
from tagbase.definitions._definitions import Definitions
from tagbase.metadata import (
    CodeReference,
    CodeReferencesMetadataValue,
    LocalFileCodeReference,
    StandardMetadataKeys,
    UrlCodeReference,
)

KEY = StandardMetadataKeys.CODE_REFERENCES
T = TypeVar("T", bound=Sequence[AssetsDefinition | AssetSpec] | Definitions)


@dataclass(frozen=True, slots=True)
class AnchorBasedFilePathMapping:
    """Maps a local file to its path in the repository: the part below `local_file_anchor`
    goes below `file_anchor_path_in_repository`."""

    local_file_anchor: Path
    file_anchor_path_in_repository: str

    def convert_to_source_control_path(self, local_path: Path) -> str:
        anchor = Path(os.path.abspath(self.local_file_anchor))
        try:
            relative = Path(os.path.abspath(local_path)).relative_to(anchor)
        except ValueError:
            raise DefinitionError(
                [
                    Problem(
                        f"file {str(local_path)!r}",
                        f"it is not below the local anchor {str(anchor)!r}",
                        "choose a local_file_anchor that contains every definition file",
                    )
                ]
            ) from None
        base = self.file_anchor_path_in_repository.strip("/")
        return "/".join(part for part in (base, relative.as_posix()) if part)


def _source_reference(definition: AssetsDefinition) -> LocalFileCodeReference | None:
    function = definition.op.fn if definition.op is not None else None
    if function is None:
        return None
    try:
        path = inspect.getsourcefile(function)
        line = inspect.getsourcelines(function)[1]
    except (OSError, TypeError):  # built in C or typed at a prompt: there is no file to name
        return None
    return None if path is None else LocalFileCodeReference(os.path.abspath(path), line)


def _references(spec: AssetSpec) -> tuple[CodeReference, ...]:
    value = spec.metadata.get(KEY)
    return tuple(value.code_references) if isinstance(value, CodeReferencesMetadataValue) else ()


def _with_references(spec: AssetSpec, references: Sequence[CodeReference]) -> AssetSpec:
    return spec.with_metadata({KEY: CodeReferencesMetadataValue(list(references))})


def _map_assets(
    items: Sequence[AssetsDefinition | AssetSpec],
    change: Callable[[AssetsDefinition, AssetSpec], AssetSpec],
) -> list[AssetsDefinition | AssetSpec]:
    mapped: list[AssetsDefinition | AssetSpec] = []
    for item in items:
        if isinstance(item, AssetSpec):
            mapped.append(change(AssetsDefinition((item,)), item))
        else:
            mapped.append(item.with_specs([change(item, spec) for spec in item.specs]))
    return mapped


def _apply(
    target: Definitions | Sequence[AssetsDefinition | AssetSpec],
    change: Callable[[AssetsDefinition, AssetSpec], AssetSpec],
) -> Definitions | list[AssetsDefinition | AssetSpec]:
    if not isinstance(target, Definitions):
        return _map_assets(target, change)
    return Definitions(
        assets=_map_assets(target.assets, change),
        jobs=[*target.jobs, *target.pipelines],
        schedules=target.schedules,
        sensors=target.sensors,
        resources=target.resources,
    )


def with_source_code_references(
    assets_defs: T,
) -> T:
    """The assets (or Definitions) with the file and line of each asset's function added."""

    def add(definition: AssetsDefinition, spec: AssetSpec) -> AssetSpec:
        found = _source_reference(definition)
        if found is None or found in _references(spec):
            return spec
        return _with_references(spec, [*_references(spec), found])

    return cast(T, _apply(assets_defs, add))


def link_code_references_to_git(
    assets_defs: T,
    git_url: str,
    git_branch: str,
    file_path_mapping: AnchorBasedFilePathMapping,
) -> T:
    """The assets (or Definitions) with local file references turned into links to the same
    line in a GitHub or GitLab repository."""
    tree = "-/tree" if "gitlab" in git_url.lower() else "tree"
    base = git_url.rstrip("/")

    def link(reference: CodeReference) -> CodeReference:
        if not isinstance(reference, LocalFileCodeReference):
            return reference
        path = file_path_mapping.convert_to_source_control_path(Path(reference.file_path))
        line = f"#L{reference.line_number}" if reference.line_number else ""
        return UrlCodeReference(f"{base}/{tree}/{git_branch}/{path}{line}", reference.label)

    def change(_definition: AssetsDefinition, spec: AssetSpec) -> AssetSpec:
        references = _references(spec)
        if not references:
            return spec
        return _with_references(spec, [link(r) for r in references])

    return cast(T, _apply(assets_defs, change))
