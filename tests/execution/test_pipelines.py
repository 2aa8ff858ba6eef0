"""Pipelines: tags inside steps, exclusive and cascade tags, models, and artifacts."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import pyarrow as pa
import pytest

from tagbase import (
    ArtifactConfig,
    Client,
    Model,
    Tag,
    TargetError,
    add_tags,
    get_step_context,
    log_metadata,
    pipeline,
    remove_tags,
    step,
)


@step
def load() -> Annotated[pd.DataFrame, ArtifactConfig(name="iris", tags=["raw"])]:
    return pd.DataFrame({"sepal": [5.1, 4.9, 4.7], "species": ["a", "b", "a"]})


@step
def split(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    add_tags(tags=["training"], artifact_name="output_0", infer_artifact=True)
    add_tags(tags=["testing"], artifact_name="output_1", infer_artifact=True)
    return data.iloc[:2], data.iloc[2:]


@step
def evaluate(train: pd.DataFrame, test: pd.DataFrame) -> float:
    add_tags(tags=["high_accuracy"])
    remove_tags("draft")
    log_metadata({"accuracy": 0.92})
    log_metadata({"accuracy": 0.92}, infer_model=True)
    assert get_step_context().step_key == "evaluate"
    return 0.92


@pipeline(
    tags=[Tag("latest", exclusive=True), Tag("exp_42", cascade=True), "draft", "training"],
    model=Model(name="iris_classifier", tags=["sklearn"]),
)
def training() -> None:
    train, test = split(load())
    evaluate(train, test)


def test_a_pipeline_run_records_artifacts_tags_and_model(client: Client) -> None:
    result = training()
    run = client.get_run(result.run_id)
    assert run.tag_names == ["exp_42", "high_accuracy", "latest", "training"]
    assert run.metadata["accuracy"].value == 0.92
    iris = client.get_artifact_version("iris", 1)
    assert {t.name: t.source for t in iris.tags.assigned} == {
        "raw": "definition",
        "exp_42": "cascade",
    }
    assert iris.metadata["tagbase/row_count"].value == 3
    columns = iris.metadata["tagbase/column_schema"].value.columns
    frame = load.fn()
    assert [(c.name, c.type) for c in columns] == [(n, str(t)) for n, t in frame.dtypes.items()]
    pd.testing.assert_frame_equal(iris.load(), load.fn())
    train = client.get_artifact_version("training::split::output_0", 1)
    assert set(train.tag_names) == {"training", "exp_42"}
    assert "training" not in client.get_artifact_version("training::split::output_1", 1).tag_names
    version = client.get_model_version("iris_classifier", 1)
    assert version.tag_names == ["sklearn"]
    assert version.metadata["accuracy"].value == 0.92
    assert version.metadata["tagbase/run_id"].value == result.run_id


def test_exclusive_pipeline_tags_move_between_runs(client: Client) -> None:
    first, second = training(), training()
    assert "latest" not in client.get_run(first.run_id).tag_names
    assert "latest" in client.get_run(second.run_id).tag_names
    assert "latest" not in client.get_pipeline("training").tag_names  # it moves between runs
    moves = [e for e in client.tag_history(tag="latest") if e.reason == "moved"]
    assert len(moves) == 1
    assert moves[0].moved_to is not None
    assert moves[0].moved_to.id == second.run_id


def test_a_registered_cascade_tag_cascades_as_a_plain_string(client: Client) -> None:
    client.create_tag("nightly", cascade=True)

    @pipeline(tags=["nightly"])
    def nightly() -> None:
        load()

    nightly()
    assert client.get_artifact_version("iris", 1).tag_dict.get("nightly") == ""


def test_inferring_outside_a_step_is_a_target_error(client: Client) -> None:
    with pytest.raises(TargetError, match="inside a running step"):
        add_tags(["x"], infer_artifact=True)
    with pytest.raises(TargetError, match="no target given"):
        log_metadata({"a": 1})


def test_a_named_output_must_exist(client: Client) -> None:
    @step
    def two() -> tuple[int, int]:
        add_tags(["x"], artifact_name="output_7", infer_artifact=True)
        return 1, 2

    @pipeline
    def wrong() -> None:
        two()

    with pytest.raises(TargetError, match="output_7"):
        wrong()
    assert client.count("asset_version") == 0


def test_pyarrow_tables_are_stored_as_parquet_with_their_schema(client: Client) -> None:
    @step
    def table() -> Annotated[pa.Table, ArtifactConfig(name="scores")]:
        return pa.table({"score": [0.5, 0.7]})

    @pipeline
    def scoring() -> None:
        table()

    scoring()
    version = client.get_artifact_version("scores", 1)
    assert str(version.uri).endswith(".arrow.parquet")
    assert version.metadata["tagbase/row_count"].value == 2
    assert version.load().equals(pa.table({"score": [0.5, 0.7]}))
    assert client.load_artifact("scores").num_rows == 2
