"""`Definitions`: the assets, jobs, pipelines, schedules and sensors of one code location.

Building it checks the whole: asset keys and job names are unique, and asset jobs resolve
their selections (an unknown asset is an error here, before anything runs). It is a value:
building it reads and writes nothing. The catalog learns of it when it is synced
(`tagbase.sync_definitions`, `tagbase load`, a worker, `serve`) or when something of it runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from tagbase._errors import DefinitionError, Problem
from tagbase.definitions._assets import AssetsDefinition, AssetSpec
from tagbase.definitions._jobs import JobDefinition, UnresolvedAssetJob
from tagbase.definitions._pipelines import PipelineDefinition
from tagbase.definitions._selection import unknown

AssetInput = AssetsDefinition | AssetSpec
JobInput = JobDefinition | UnresolvedAssetJob | PipelineDefinition


def _as_assets(items: Iterable[AssetInput]) -> tuple[AssetsDefinition, ...]:
    return tuple(
        item if isinstance(item, AssetsDefinition) else AssetsDefinition((item,)) for item in items
    )


@dataclass(frozen=True, slots=True, init=False)
class Definitions:
    """Everything a code location defines; jobs here are resolved against its assets."""

    assets: tuple[AssetsDefinition, ...]
    jobs: tuple[JobDefinition, ...]
    pipelines: tuple[PipelineDefinition, ...]
    schedules: tuple[Any, ...]
    sensors: tuple[Any, ...]
    resources: Mapping[str, Any]

    def __init__(
        self,
        assets: Iterable[AssetInput] | None = None,
        jobs: Iterable[JobInput] | None = None,
        schedules: Iterable[Any] | None = None,
        sensors: Iterable[Any] | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> None:
        all_assets = _as_assets(assets or ())
        given = list(jobs or ())
        pipelines = tuple(j for j in given if isinstance(j, PipelineDefinition))
        resolved = tuple(
            j.resolve(all_assets) if isinstance(j, UnresolvedAssetJob) else j
            for j in given
            if not isinstance(j, PipelineDefinition)
        )
        _refuse_duplicates("asset", [n for a in all_assets for n in a.names])
        _refuse_duplicates("job", [j.name for j in resolved] + [p.name for p in pipelines])
        setter = object.__setattr__
        setter(self, "assets", all_assets)
        setter(self, "jobs", resolved)
        setter(self, "pipelines", pipelines)
        setter(self, "schedules", tuple(schedules or ()))
        setter(self, "sensors", tuple(sensors or ()))
        setter(self, "resources", MappingProxyType(dict(resources or {})))

    @property
    def job_names(self) -> tuple[str, ...]:
        return tuple(j.name for j in self.jobs) + tuple(p.name for p in self.pipelines)

    def get_job_def(self, name: str) -> JobDefinition:
        """The job (or parameterless pipeline) of that name, or UnknownDefinitionError."""
        for job in self.jobs:
            if job.name == name:
                return job
        for pipeline in self.pipelines:
            if pipeline.name == name:
                return pipeline.to_job()
        raise unknown("job", name, self.job_names)

    get_job = get_job_def

    def get_assets_def(self, name: str) -> AssetsDefinition:
        for definition in self.assets:
            if name in definition.names:
                return definition
        raise unknown("asset", name, [n for a in self.assets for n in a.names])

    @staticmethod
    def merge(*many: Definitions) -> Definitions:
        return Definitions(
            assets=[a for d in many for a in d.assets],
            jobs=[*(j for d in many for j in d.jobs), *(p for d in many for p in d.pipelines)],
            schedules=[s for d in many for s in d.schedules],
            sensors=[s for d in many for s in d.sensors],
            resources=_merged_resources(many),
        )


def _merged_resources(many: Sequence[Definitions]) -> dict[str, Any]:
    """Every resource of `many`; one key given two different objects is refused."""
    merged: dict[str, Any] = {}
    for definitions in many:
        for key, resource in definitions.resources.items():
            if key in merged and merged[key] is not resource:
                raise DefinitionError(
                    [
                        Problem(
                            f"resource {key!r}",
                            "two merged Definitions give this key different resources",
                            "give one of them another key, or pass the same object to both",
                        )
                    ]
                )
            merged[key] = resource
    return merged


def _refuse_duplicates(what: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    problems = []
    for name in names:
        if name in seen:
            problems.append(
                Problem(
                    f"{what} {name!r}",
                    f"two {what}s of one Definitions have this name",
                    f"rename one of them, or pass the {what} once",
                )
            )
        seen.add(name)
    if problems:
        raise DefinitionError(problems)
