"""The demo's made-up history: artifact and model versions, a month of runs and
materializations."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeAlias

from tagbase._tags import Tag, TagsInput
from tagbase.demo._definitions import (
    CHAMPION,
    LAKE,
    TRAINING,
)

# -- versions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Version:
    name: str
    tags: TagsInput
    metadata: Mapping[str, object]
    created_at: datetime | None = None


def iris_metadata(rows: int, missing: int, sepal: float, file: str) -> dict[str, object]:
    return {
        "tagbase/row_count": rows,
        "missing_values": missing,
        "mean_sepal_length_cm": sepal,
        "tagbase/uri": f"{LAKE}/ml/iris_data/{file}.parquet",
    }


def model_scores(accuracy: float, precision: float, recall: float) -> dict[str, object]:
    f1 = 2 * precision * recall / (precision + recall)
    return {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": round(f1, 4)}


IRIS_DATA_VERSIONS: tuple[Version, ...] = (
    Version("1", ["raw", "cleaned"], iris_metadata(150, 4, 5.843, "1"),
             datetime(2023, 6, 1, 2, tzinfo=UTC)),
    Version("2", ["raw", "cleaned"], iris_metadata(149, 1, 5.838, "2"),
             datetime(2023, 6, 8, 2, tzinfo=UTC)),
    Version("2023-06-15", ["raw", "cleaned"], iris_metadata(147, 0, 5.851, "2023-06-15"),
             datetime(2023, 6, 15, 2, tzinfo=UTC)),
)  # fmt: skip
IRIS_CLASSIFIER_VERSIONS: tuple[Version, ...] = (
    Version("1.0.0", ["production", "sklearn", "logistic-regression", CHAMPION],
             {**model_scores(0.913, 0.918, 0.902), "training_rows": 120}),
    Version("2.0.0", ["candidate", "experiment-42", CHAMPION],
             {**model_scores(0.953, 0.957, 0.949), "training_rows": 118}),
)  # fmt: skip
FRAUD_DETECTOR_VERSIONS: tuple[Version, ...] = (
    Version("3.1.0", ["production", "xgboost", "fraud-detection", "2023-05-training"],
             {**model_scores(0.981, 0.842, 0.771), "auc": 0.941}),
    Version("3.2.1",
             [Tag("production", exclusive=True), "xgboost", "fraud-detection", "2023-07-training"],
             {**model_scores(0.986, 0.871, 0.804), "auc": 0.957}),
)  # fmt: skip


# -- a month of runs and materializations --------------------------------------------------

RunDetails: TypeAlias = tuple[dict[str, str], dict[str, object]]


def training_run(rng: random.Random, at: datetime, ok: bool) -> RunDetails:
    tags = {
        "env": "prod",
        "tagbase/schedule_name": "nightly_training_schedule",
        "tagbase/partition": at.date().isoformat(),
    }
    if not ok:
        return tags, {"duration_s": round(rng.uniform(20, 90), 1), "error": "OOM in trainer"}
    accuracy = round(rng.uniform(0.9, 0.96), 4)
    return tags, {"accuracy": accuracy, "duration_s": round(rng.uniform(300, 900), 1)}


def _experiment_run(rng: random.Random, at: datetime, ok: bool) -> RunDetails:
    tags = {"env": "dev", rng.choice(["v1", "v2"]): ""}
    if not ok:
        return tags, {"duration_s": round(rng.uniform(5, 60), 1), "error": "diverged"}
    accuracy = round(rng.uniform(0.82, 0.97), 4)
    if accuracy > 0.9:  # as the seed's evaluation_step does
        tags["high_accuracy"] = ""
    learning_rate = rng.choice([0.001, 0.003, 0.01, 0.03])
    return tags, {"accuracy": accuracy, "learning_rate": learning_rate, "epochs": 20}


def _production_run(rng: random.Random, at: datetime, ok: bool) -> RunDetails:
    tags = {
        "env": "prod",
        "tagbase/priority": "10",
        "tagbase/schedule_name": "fraud_scoring_schedule",
        "tagbase/image": "registry.example.com/fraud-scoring:3.2.1",
    }
    if not ok:
        return tags, {"error": "feature store timed out"}
    scored = rng.randint(40_000, 60_000)
    flagged = int(scored * rng.uniform(0.002, 0.006))
    return tags, {"transactions_scored": scored, "transactions_flagged": flagged}


def _tagged_job_run(rng: random.Random, at: datetime, ok: bool) -> RunDetails:
    tags = {"env": rng.choice(["dev", "prod"])}
    if rng.random() < 0.4:
        tags["tagbase/sensor_name"] = "new_upload_sensor"
    return tags, {"duration_s": round(rng.uniform(1, 30), 1)}


def _marketing_run(rng: random.Random, at: datetime, ok: bool) -> RunDetails:
    trigger = (
        ("tagbase/backfill", "marketing_backfill_0412")
        if rng.random() < 0.2
        else ("tagbase/schedule_name", "marketing_daily")
    )
    tags = {"env": "prod", "tagbase/partition": at.date().isoformat(), trigger[0]: trigger[1]}
    return tags, {"duration_s": round(rng.uniform(4, 9.5), 1)}


@dataclass(frozen=True, slots=True)
class RunPlan:
    pipeline: str
    count: int
    failure_rate: float
    details: Callable[[random.Random, datetime, bool], RunDetails]


RUN_PLANS: tuple[RunPlan, ...] = (
    RunPlan(TRAINING, 30, 0.07, training_run),
    RunPlan("experiment_pipeline", 70, 0.15, _experiment_run),
    RunPlan("production_pipeline", 45, 0.04, _production_run),
    RunPlan("my_job_with_tags", 25, 0.1, _tagged_job_run),
    RunPlan("marketing_job", 30, 0.1, _marketing_run),
)


@dataclass(frozen=True, slots=True)
class Materializations:
    asset: str
    count: int
    rows: int
    daily_growth: int


MATERIALIZATIONS: tuple[Materializations, ...] = (
    Materializations("leads", 10, 12_400, 160),
    Materializations("customers", 10, 2_310, 21),
    Materializations("orders", 10, 8_950, 95),
    Materializations("marketing_summary", 10, 4, 0),
)
