"""The result of a run: whether it succeeded, its id, and the values its steps returned."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tagbase._errors import NotFoundError
from tagbase.execution._artifacts import ArtifactStore
from tagbase.execution._outcome import OutputResult, StepOutcome
from tagbase.metadata import AssetKey


@dataclass(frozen=True, slots=True)
class RunResult:
    """What `execute_in_process`, `materialize` and calling a pipeline return."""

    run_id: str
    run_name: str
    job_name: str
    success: bool
    steps: Mapping[str, StepOutcome]
    asset_version_ids: tuple[str, ...]
    artifact_base: str

    @property
    def status(self) -> str:
        return "success" if self.success else "failed"

    @property
    def pipeline_name(self) -> str:
        """The job's name, as ZenML calls it."""
        return self.job_name

    @property
    def failed_steps(self) -> list[str]:
        return [key for key, outcome in self.steps.items() if outcome.status == "failed"]

    def output_for_node(self, node: str, output_name: str = "result") -> Any:
        """The value an op returned (for a step, outputs are `output`, `output_0`...)."""
        outcome = self.steps.get(node)
        if outcome is None:
            raise NotFoundError(
                f"no step {node!r} ran in run {self.run_id}; ran: {list(self.steps)}"
            )
        try:
            return self._value(outcome.output(output_name))
        except KeyError:
            names = [o.name for o in outcome.outputs]
            raise NotFoundError(
                f"step {node!r} has no output {output_name!r}; its outputs are {names}"
            ) from None

    output_for_step = output_for_node

    def asset_value(self, asset_key: AssetKey | str) -> Any:
        """The value the run stored for an asset (or artifact)."""
        name = asset_key.to_user_string() if isinstance(asset_key, AssetKey) else asset_key
        for outcome in self.steps.values():
            for output in outcome.outputs:
                if output.artifact == name:
                    return self._value(output)
        raise NotFoundError(f"run {self.run_id} materialized no asset {name!r}")

    def _value(self, output: OutputResult) -> Any:
        if output.value is None and output.stored is not None:
            what = f"output {output.name!r} of run {self.run_id}"
            return ArtifactStore(self.artifact_base).load(output.stored, what)
        return output.value
