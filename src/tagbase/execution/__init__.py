"""Execution: running definitions and recording every run, step, event and asset version."""

from tagbase.execution._artifacts import ArtifactStore
from tagbase.execution._context import (
    AssetExecutionContext,
    OpExecutionContext,
    StepContext,
    current_step,
    get_step_context,
)
from tagbase.execution._launch import execute_job, materialize
from tagbase.execution._loading import load_definitions
from tagbase.execution._reexecute import reexecute
from tagbase.execution._result import RunResult
from tagbase.execution._sync import sync_definitions

__all__ = [
    "ArtifactStore",
    "AssetExecutionContext",
    "OpExecutionContext",
    "RunResult",
    "StepContext",
    "current_step",
    "execute_job",
    "get_step_context",
    "load_definitions",
    "materialize",
    "reexecute",
    "sync_definitions",
]
