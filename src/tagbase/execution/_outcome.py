"""What running one step produced: outputs, the tags and metadata its code asked for, or its
error. Plain data, so that a worker process can send it back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tagbase._records import StoredArtifact
from tagbase._tags import Tag
from tagbase.execution._context import StepEffects
from tagbase.metadata import MetadataValue


@dataclass
class OutputResult:
    name: str
    artifact: str | None
    value: Any = None
    uri: str | None = None  # where the value was stored, for people
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    tags: list[Tag] = field(default_factory=list)
    definition_tags: tuple[Tag, ...] = ()  # from the output's ArtifactConfig
    version: str | None = None  # the version name asked for; None: the next number
    version_id: str | None = None  # set once the asset version is recorded
    stored: StoredArtifact | None = None  # what was stored: the one thing a load follows
    partitioned: bool = False  # its version is of the run's partition


@dataclass
class StepOutcome:
    key: str
    op_name: str
    status: str  # success, failed, skipped
    started_ms: int | None
    ended_ms: int
    outputs: list[OutputResult] = field(default_factory=list)
    effects: StepEffects = field(default_factory=StepEffects)
    error: str | None = None
    stack: str | None = None
    exception: BaseException | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "success"

    def output(self, name: str) -> OutputResult:
        for output in self.outputs:
            if output.name == name:
                return output
        raise KeyError(name)
