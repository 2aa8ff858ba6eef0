"""The context a step runs in, and what its code asks for while it runs.

Step code adds tags and metadata through the context (`context.add_output_metadata(...)`) or
the module functions (`add_tags(...)`, `remove_tags(...)`, `log_metadata(...)`). Both only note
the request here; the run records it when the step ends, after the step's outputs. Tag changes
(adds and removals, of the run, an output's version or a named entity) are applied in the order
they were asked for, so adding then removing a tag leaves it off. A context is plain data, so a
worker process can send it back whole.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from tagbase._errors import TargetError
from tagbase._kinds import Kind
from tagbase._limits import storable_text
from tagbase._tags import Tag, TagsInput, normalize_tags
from tagbase.metadata import AssetKey, MetadataValue, normalize_metadata


@dataclass(frozen=True, slots=True)
class TagChange:
    """One `add_tags` or `remove_tags` of step code: of the run (no output, no kind), of the
    version an output of the step becomes (`output`), or of an entity named (`kind`, `ref`,
    `scope`). Adds carry tags, removals the names (or bare keys) to remove."""

    action: Literal["add", "remove"]
    tags: tuple[Tag, ...] = ()
    names: tuple[str, ...] = ()
    output: str | None = None
    kind: Kind | None = None
    ref: str | None = None
    scope: str | None = None

    @property
    def target(self) -> tuple[str | None, Kind | None, str | None, str | None]:
        return (self.output, self.kind, self.ref, self.scope)


@dataclass
class StepEffects:
    """Tags and metadata step code asked for: tag changes in call order, metadata keyed by
    output name where it targets one."""

    tag_changes: list[TagChange] = field(default_factory=list)
    run_metadata: dict[str, MetadataValue] = field(default_factory=dict)
    model_metadata: dict[str, MetadataValue] = field(default_factory=dict)
    output_metadata: dict[str, dict[str, MetadataValue]] = field(default_factory=dict)
    logs: list[tuple[int, str, str]] = field(default_factory=list)  # (ms, level, message)


class _EffectsHandler(logging.Handler):
    def __init__(self, effects: StepEffects) -> None:
        super().__init__(logging.DEBUG)
        self.effects = effects

    def emit(self, record: logging.LogRecord) -> None:
        at = int(record.created * 1000)
        self.effects.logs.append((at, record.levelname, storable_text(record.getMessage())))


class StepContext:
    """What a running step knows: its run, job, step and outputs, and where to note tags and
    metadata. `AssetExecutionContext` and `OpExecutionContext` are the same thing."""

    def __init__(
        self,
        *,
        run_id: str,
        run_name: str,
        job_name: str,
        step_key: str,
        op_name: str,
        outputs: Mapping[str, str | None],
        run_tags: Mapping[str, str],
        model_version: tuple[str, str] | None = None,
    ) -> None:
        self.run_id = run_id
        self.run_name = run_name
        self.job_name = job_name
        self.step_key = step_key
        self.op_name = op_name
        self.outputs = dict(outputs)  # output name -> artifact (asset) name, or None
        self.run_tags = dict(run_tags)
        self.model_version = model_version  # (model name, version name)
        self.effects = StepEffects()
        self.log = logging.getLogger(f"tagbase.run.{job_name}.{step_key}")
        self._handler = _EffectsHandler(self.effects)

    # -- what the step is -------------------------------------------------------------------

    @property
    def pipeline_name(self) -> str:
        return self.job_name

    @property
    def partition_key(self) -> str:
        """The partition this run processes (its `tagbase/partition` tag)."""
        key = self.run_tags.get("tagbase/partition")
        if key is None:
            raise TargetError(
                f"run {self.run_id} has no partition (no tagbase/partition tag). Fix: launch it "
                "for a partition (a backfill, a partitioned schedule, or that tag)"
            )
        return key

    @property
    def has_partition_key(self) -> bool:
        return "tagbase/partition" in self.run_tags

    @property
    def asset_key(self) -> AssetKey:
        """The asset this step materializes (one, or use `asset_keys`)."""
        names = self.asset_names
        if len(names) != 1:
            raise TargetError(
                f"step {self.step_key!r} materializes {len(names)} assets; use asset_keys"
            )
        return AssetKey.from_user_string(names[0])

    @property
    def asset_keys(self) -> list[AssetKey]:
        return [AssetKey.from_user_string(name) for name in self.asset_names]

    @property
    def asset_names(self) -> list[str]:
        return [name for name in self.outputs.values() if name is not None]

    # -- tags and metadata ------------------------------------------------------------------

    def add_output_metadata(
        self, metadata: Mapping[str, object], output_name: str | None = None
    ) -> None:
        """Metadata for the version an output becomes (the only output, unless named)."""
        name = self.output_name(output_name)
        self.effects.output_metadata.setdefault(name, {}).update(normalize_metadata(metadata))

    def add_asset_metadata(
        self, metadata: Mapping[str, object], asset_key: AssetKey | str | None = None
    ) -> None:
        """Metadata for the new version of an asset of this step."""
        wanted = None
        if asset_key is not None:
            wanted = asset_key.to_user_string() if isinstance(asset_key, AssetKey) else asset_key
        output = None if wanted is None else self.output_for_artifact(wanted)
        self.add_output_metadata(metadata, output)

    def add_output_tags(self, tags: TagsInput, output_name: str | None = None) -> None:
        """Tags for the version an output becomes (the only output, unless named)."""
        name = self.output_name(output_name)
        checked = normalize_tags(tags, kind=Kind.ASSET_VERSION)
        self.effects.tag_changes.append(TagChange("add", checked, output=name))

    def remove_output_tags(self, names: Sequence[str], output_name: str | None = None) -> None:
        """Take tags off the version an output becomes, once it is recorded."""
        name = self.output_name(output_name)
        self.effects.tag_changes.append(TagChange("remove", names=tuple(names), output=name))

    def add_run_tags(self, tags: TagsInput) -> None:
        checked = normalize_tags(tags, kind=Kind.RUN)
        self.effects.tag_changes.append(TagChange("add", checked))

    def remove_run_tags(self, names: Sequence[str]) -> None:
        self.effects.tag_changes.append(TagChange("remove", names=tuple(names)))

    def change_entity_tags(self, change: TagChange) -> None:
        """A tag change of an entity named by keyword, applied with the step's others."""
        self.effects.tag_changes.append(change)

    def add_run_metadata(self, metadata: Mapping[str, object]) -> None:
        self.effects.run_metadata.update(normalize_metadata(metadata))

    def add_model_metadata(self, metadata: Mapping[str, object]) -> None:
        if self.model_version is None:
            raise TargetError(
                f"infer_model=True in step {self.step_key!r}, but its pipeline has no model. "
                "Fix: give the pipeline model=Model(name=...), or name the model version"
            )
        self.effects.model_metadata.update(normalize_metadata(metadata))

    def output_name(self, given: str | None) -> str:
        """The output a request targets: the one named, or the step's only output."""
        if given is not None:
            if given in self.outputs:
                return given
            return self.output_for_artifact(given)
        if len(self.outputs) == 1:
            return next(iter(self.outputs))
        raise TargetError(
            f"step {self.step_key!r} has outputs {', '.join(self.outputs)}; name one "
            "(artifact_name=... or output_name=...)"
        )

    def output_for_artifact(self, artifact: str) -> str:
        for output, name in self.outputs.items():
            if name == artifact:
                return output
        raise TargetError(
            f"step {self.step_key!r} has no output or artifact named {artifact!r}; its outputs "
            f"are {', '.join(self.outputs)}. Fix: use one of those names"
        )

    @contextmanager
    def capturing_logs(self) -> Iterator[None]:
        self.log.addHandler(self._handler)
        self.log.setLevel(logging.DEBUG)
        try:
            yield
        finally:
            self.log.removeHandler(self._handler)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("log")
        state.pop("_handler")
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.log = logging.getLogger(f"tagbase.run.{self.job_name}.{self.step_key}")
        self._handler = _EffectsHandler(self.effects)


class AssetExecutionContext(StepContext):
    """The context of an asset's step."""


class OpExecutionContext(StepContext):
    """The context of an op's step."""


_CURRENT: ContextVar[StepContext | None] = ContextVar("tagbase_step", default=None)


def current_step() -> StepContext | None:
    """The context of the step running in this thread, if any."""
    return _CURRENT.get()


def get_step_context() -> StepContext:
    """The running step's context; a TargetError outside a step."""
    context = _CURRENT.get()
    if context is None:
        raise TargetError("no step is running; get_step_context() works inside a step")
    return context


@contextmanager
def running(context: StepContext) -> Iterator[StepContext]:
    token = _CURRENT.set(context)
    try:
        with context.capturing_logs():
            yield context
    finally:
        _CURRENT.reset(token)
