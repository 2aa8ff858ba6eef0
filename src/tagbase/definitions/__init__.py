"""Definitions: assets, ops (steps), jobs (pipelines) and the values step code returns.

Pure: building a definition checks it and does no I/O. Running one is `tagbase.execution`.
"""

from tagbase.definitions._assets import (
    AssetOut,
    AssetsDefinition,
    AssetSpec,
    asset,
    graph_asset,
    multi_asset,
)
from tagbase.definitions._code_references import (
    AnchorBasedFilePathMapping,
    link_code_references_to_git,
    with_source_code_references,
)
from tagbase.definitions._definitions import Definitions
from tagbase.definitions._jobs import (
    ExecutorDefinition,
    GraphDefinition,
    JobDefinition,
    UnresolvedAssetJob,
    dask_executor,
    define_asset_job,
    graph,
    in_process_executor,
    job,
    multiprocess_executor,
)
from tagbase.definitions._ops import OpDefinition, op, step
from tagbase.definitions._partitions import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
)
from tagbase.definitions._pipelines import PipelineDefinition, pipeline
from tagbase.definitions._plan import ExecutionPlan, plan_job
from tagbase.definitions._schedules import (
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    schedule,
    sensor,
)
from tagbase.definitions._values import ArtifactConfig, MaterializeResult, Model, Output

__all__ = [
    "AnchorBasedFilePathMapping",
    "ArtifactConfig",
    "AssetOut",
    "AssetSpec",
    "AssetsDefinition",
    "DailyPartitionsDefinition",
    "Definitions",
    "ExecutionPlan",
    "ExecutorDefinition",
    "GraphDefinition",
    "HourlyPartitionsDefinition",
    "JobDefinition",
    "MaterializeResult",
    "Model",
    "OpDefinition",
    "Output",
    "PipelineDefinition",
    "RunRequest",
    "ScheduleDefinition",
    "ScheduleEvaluationContext",
    "SensorDefinition",
    "SensorEvaluationContext",
    "SkipReason",
    "StaticPartitionsDefinition",
    "TimeWindowPartitionsDefinition",
    "UnresolvedAssetJob",
    "asset",
    "dask_executor",
    "define_asset_job",
    "graph",
    "graph_asset",
    "in_process_executor",
    "job",
    "link_code_references_to_git",
    "multi_asset",
    "multiprocess_executor",
    "op",
    "pipeline",
    "plan_job",
    "schedule",
    "sensor",
    "step",
    "with_source_code_references",
]
