"""The module-level `add_tags`, `remove_tags` and `log_metadata`, and the seed snippets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import pytest

from tagbase import (
    ArtifactConfig,
    Client,
    Entity,
    Kind,
    MetadataValue,
    NotFoundError,
    TargetError,
    add_tags,
    log_metadata,
    remove_tags,
)


@dataclass(frozen=True)
class World:
    """One entity of each taggable kind, created through the client."""

    artifact: Entity
    artifact_version: Entity
    other_artifact_version: Entity
    pipeline: Entity
    run: Entity
    run_template: Entity
    model: Entity
    model_version: Entity
    op: Entity


@pytest.fixture
def world(client: Client) -> World:
    artifact = client.create_artifact("iris_data")
    return World(
        artifact=artifact,
        artifact_version=client.create_artifact_version("iris_data", "2023-06-15"),
        other_artifact_version=client.create_artifact_version("iris_data", "2023-06-16"),
        pipeline=client.create_pipeline("training_pipeline"),
        run=client.create_run("training_pipeline", "run-1"),
        run_template=client.create_run_template("daily", "training_pipeline"),
        model=client.create_model("iris_classifier"),
        model_version=client.create_model_version("iris_classifier", "1.0.0"),
        op=client.create(Kind.OP, "train_step"),
    )


Target = Callable[[World], tuple[dict[str, object], Entity]]

TARGETS: dict[str, Target] = {
    "artifact=name": lambda w: ({"artifact": "iris_data"}, w.artifact),
    "artifact=id": lambda w: ({"artifact": w.artifact.id}, w.artifact),
    "artifact_name+artifact_version": lambda w: (
        {"artifact_name": "iris_data", "artifact_version": "2023-06-15"},
        w.artifact_version,
    ),
    "artifact_name+version-number": lambda w: (
        {"artifact_name": "iris_data", "artifact_version": 2},
        w.other_artifact_version,
    ),
    "artifact_version_id": lambda w: (
        {"artifact_version_id": w.artifact_version.id},
        w.artifact_version,
    ),
    "run=name": lambda w: ({"run": "run-1"}, w.run),
    "run=id": lambda w: ({"run": w.run.id}, w.run),
    "pipeline": lambda w: ({"pipeline": "training_pipeline"}, w.pipeline),
    "job": lambda w: ({"job": "training_pipeline"}, w.pipeline),
    "asset": lambda w: ({"asset": "iris_data"}, w.artifact),
    "op": lambda w: ({"op": "train_step"}, w.op),
    "run_template": lambda w: ({"run_template": "daily"}, w.run_template),
    "model": lambda w: ({"model": "iris_classifier"}, w.model),
    "model_name+model_version": lambda w: (
        {"model_name": "iris_classifier", "model_version": "1.0.0"},
        w.model_version,
    ),
    "model+model_version": lambda w: (
        {"model": w.model.id, "model_version": "1.0.0"},
        w.model_version,
    ),
}


def reload(client: Client, entity: Entity) -> Entity:
    return client.get(entity.kind, entity.id)


@pytest.mark.parametrize("target", list(TARGETS))
def test_add_and_remove_tags_on_each_target(client: Client, world: World, target: str) -> None:
    keywords, expected = TARGETS[target](world)
    add_tags(tags=["production", "dataset"], **keywords)  # type: ignore[arg-type]
    assert reload(client, expected).tag_names == ["dataset", "production"]
    remove_tags(tags=["dataset"], **keywords)  # type: ignore[arg-type]
    assert reload(client, expected).tag_names == ["production"]
    remove_tags(tags="production", **keywords)  # type: ignore[arg-type]
    assert reload(client, expected).tag_names == []
    others = [e for e in vars(world).values() if e.id != expected.id]
    assert all(reload(client, other).tags == {} for other in others)


@pytest.mark.parametrize("target", list(TARGETS))
def test_log_metadata_on_each_target(client: Client, world: World, target: str) -> None:
    keywords, expected = TARGETS[target](world)
    log_metadata(metadata={"accuracy": 0.9}, **keywords)  # type: ignore[arg-type]
    log_metadata(metadata={"accuracy": 0.95}, **keywords)  # type: ignore[arg-type]
    assert reload(client, expected).metadata == {"accuracy": MetadataValue.float(0.95)}
    history = client.metadata_history(expected.kind, expected.id)
    assert [entry.value for entry in history] == [
        MetadataValue.float(0.9),
        MetadataValue.float(0.95),
    ]


def test_tags_may_be_a_dict(client: Client, world: World) -> None:
    add_tags(tags={"env": "prod", "reviewed": ""}, run="run-1")
    assert reload(client, world.run).tag_dict == {"env": "prod", "reviewed": ""}


# -- wrong targets -----------------------------------------------------------------------------

VALID_TARGETS = (
    "artifact=",
    "asset=",
    "artifact_name= with artifact_version=",
    "artifact_version_id=",
    "run=",
    "pipeline=",
    "job=",
    "op=",
    "run_template=",
    "model=",
    "model_name= with model_version=",
)

FUNCTIONS = {
    "add_tags": lambda **target: add_tags(tags=["x"], **target),
    "remove_tags": lambda **target: remove_tags(tags=["x"], **target),
    "log_metadata": lambda **target: log_metadata(metadata={"x": 1}, **target),
}


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_no_target_lists_the_valid_ones(world: World, function: str) -> None:
    with pytest.raises(TargetError, match="no target") as caught:
        FUNCTIONS[function]()
    for keyword in VALID_TARGETS:
        assert keyword in str(caught.value)


@pytest.mark.parametrize(
    "keywords",
    [
        {"run": "run-1", "pipeline": "training_pipeline"},
        {"artifact": "iris_data", "artifact_version_id": "x"},
        {"artifact": "iris_data", "artifact_name": "iris_data", "artifact_version": "2023-06-15"},
        {"model": "iris_classifier", "model_name": "iris_classifier"},
        {"model_name": "iris_classifier", "model_version": "1.0.0", "run": "run-1"},
    ],
)
@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_two_targets_are_refused(
    client: Client, world: World, function: str, keywords: dict[str, str]
) -> None:
    with pytest.raises(TargetError, match="several targets") as caught:
        FUNCTIONS[function](**keywords)
    for keyword in VALID_TARGETS:
        assert keyword in str(caught.value)
    assert all(reload(client, e).tags == {} for e in vars(world).values())


@pytest.mark.parametrize(
    "keywords",
    [
        {"artifact_name": "iris_data"},
        {"artifact_version": "2023-06-15"},
        {"model_name": "iris_classifier"},
        {"model_version": "1.0.0"},
    ],
)
@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_half_a_pair_is_refused(world: World, function: str, keywords: dict[str, str]) -> None:
    with pytest.raises(TargetError, match="needs both") as caught:
        FUNCTIONS[function](**keywords)
    assert "model_name= with model_version=" in str(caught.value)


def test_a_target_error_is_a_value_error(world: World) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        add_tags(tags=["x"])


@pytest.mark.parametrize(
    "keywords",
    [
        {"artifact": "no-such-artifact"},
        {"artifact_name": "iris_data", "artifact_version": "1999-01-01"},
        {"artifact_version_id": "a1b2c3d4-e5f6-7890-a1b2-c3d4e5f67890"},
        {"run": "no-such-run"},
        {"model_name": "no-such-model", "model_version": "1.0.0"},
    ],
)
def test_an_unknown_target_is_not_found(world: World, keywords: dict[str, str]) -> None:
    with pytest.raises(NotFoundError):
        add_tags(tags=["x"], **keywords)  # type: ignore[arg-type]


# -- the seed snippets, with only the imports changed ------------------------------------------


def test_seed_tagging_artifacts_and_versions(client: Client) -> None:
    from tagbase import add_tags

    client.create_artifact("my_artifact_name_or_id")
    client.create_artifact("iris_data")
    client.create_artifact_version("iris_data", "2023-06-15")
    version = client.create_artifact_version("iris_data", "2023-06-16")

    # Tag using artifact name or ID
    add_tags(tags=["production", "dataset"], artifact="my_artifact_name_or_id")
    # Method 4: Tag an artifact version manually by version info
    add_tags(tags=["final"], artifact_name="iris_data", artifact_version="2023-06-15")
    # Method 5: Tag using the artifact version UUID
    add_tags(tags=["validated"], artifact_version_id=version.id)

    assert client.get_artifact("my_artifact_name_or_id").tag_names == ["dataset", "production"]
    assert client.get_artifact_version("iris_data", "2023-06-15").tag_names == ["final"]
    validated_data = client.list_artifact_versions(tags=["validated"])
    assert [v.id for v in validated_data] == [version.id]


def test_seed_tagging_pipelines_runs_and_templates(client: Client) -> None:
    from tagbase import add_tags
    from tagbase.client import Client

    client.create_pipeline("training_pipeline")
    client.create_run("training_pipeline", "run_name_or_id")
    client.create_run_template("template_name_or_id", "training_pipeline")

    # Tag an existing pipeline
    add_tags(tags=["production", "v2"], pipeline="training_pipeline")
    # Method 3: Tag an existing run by ID
    add_tags(tags=["archived"], run="run_name_or_id")
    # Tag a run template
    add_tags(tags=["daily_training", "approved"], run_template="template_name_or_id")

    assert Client().get_pipeline("training_pipeline").tag_names == ["production", "v2"]
    assert Client().get_run("run_name_or_id").tag_names == ["archived"]
    template = Client().get_run_template("template_name_or_id")
    assert template.tag_names == ["approved", "daily_training"]


def test_seed_models_and_filters(client: Client) -> None:
    from tagbase.client import Client

    # Method 2: Tag when registering models
    Client().create_model(
        name="iris_classifier",
        tags=["classification", "iris-dataset"],
    )
    # Method 3: Tag model versions separately
    Client().create_model_version(
        model_name_or_id="iris_classifier",
        name="2.0.0",
        tags=["candidate", "experiment-42"],
    )
    Client().create_model(name="fraud_detector", tags=["production"])

    # Simple tag filtering
    production_models = Client().list_models(tags=["production"])
    assert [m.name for m in production_models] == ["fraud_detector"]
    version = Client().get_model_version("iris_classifier", "2.0.0")
    assert version.tag_names == ["candidate", "experiment-42"]
    assert client.get_model("iris_classifier").tag_names == ["classification", "iris-dataset"]


def test_seed_complex_run_filter(client: Client) -> None:
    from tagbase.client import Client

    client.create_pipeline("p")
    client.create_run("p", "match", tags=["experiment_7", "v2.0", "high_accuracy"])
    client.create_run("p", "no-accuracy", tags=["experiment_7", "v2.0"])
    client.create_run("p", "old", tags=["experiment_7", "v1.9", "high_accuracy"])

    # Complex tag filtering with conditions
    experiments = Client().list_runs(
        tags=[
            "contains:experiment",  # Tags containing "experiment"
            "startswith:v2",  # Tags starting with "v2"
            "equals:high_accuracy",  # Tags exactly matching "high_accuracy"
        ]
    )
    assert [run.name for run in experiments] == ["match"]


def test_seed_exclusive_tag_by_client(client: Client) -> None:
    from tagbase.client import Client

    # Method 2: Create an exclusive tag explicitly
    Client().create_tag(name="production", exclusive=True)
    Client().create_pipeline("production_pipeline", tags=["production"])
    Client().create_pipeline("other_pipeline", tags=["production"])
    assert [p.name for p in Client().list_pipelines(tags=["production"])] == ["other_pipeline"]
    assert Client().get_tag("production").usage == {Kind.JOB: 1}


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_a_wrong_keyword_lists_the_valid_targets(world: World, function: str) -> None:
    with pytest.raises(TargetError, match="takes no target pipline=") as caught:
        FUNCTIONS[function](pipline="training_pipeline")
    for keyword in VALID_TARGETS:
        assert keyword in str(caught.value)


# -- inside a step: one order for adds and removals ----------------------------------------------


def _run_step(body: Callable[[], None], *, tags: list[str] | None = None) -> Entity:
    """Run a one-step job whose step calls `body`; the run as recorded."""
    from tagbase import job, op

    @op
    def tagging() -> None:
        body()

    @job(tags=tags)
    def tagged() -> None:
        tagging()

    result = tagged.execute_in_process(raise_on_error=False)
    return Client().get_run(result.run_id)


def test_adding_then_removing_a_tag_in_a_step_leaves_it_off(client: Client) -> None:
    def body() -> None:
        add_tags(["reviewed", "keep"])
        remove_tags(["reviewed"])

    run = _run_step(body)
    assert run.status == "success"
    assert run.tag_names == ["keep"]
    history = [(e.tag, e.action) for e in client.tag_history(Kind.RUN, run.id)]
    assert sorted(history) == [("keep", "added"), ("reviewed", "added"), ("reviewed", "removed")]


def test_removing_then_adding_a_tag_in_a_step_puts_it_on(client: Client) -> None:
    def body() -> None:
        remove_tags("nightly")  # the job's tag
        add_tags(["nightly"])

    assert _run_step(body, tags=["nightly"]).tag_names == ["nightly"]


def test_a_step_removing_a_tag_the_run_lacks_fails_as_outside_a_step(client: Client) -> None:
    run = _run_step(lambda: remove_tags(["missing"]))
    assert run.status == "failed"
    assert "NotFoundError" in run.metadata["tagbase/error"].value


def test_remove_tags_infer_artifact_and_artifact_name_in_a_step(client: Client) -> None:
    from tagbase import pipeline, step

    @step
    def load() -> Annotated[int, ArtifactConfig(name="numbers", tags=["raw", "draft"])]:
        add_tags(["checked"], infer_artifact=True)
        remove_tags(["draft"], infer_artifact=True)  # an ArtifactConfig tag
        return 1

    @step
    def split(value: int) -> tuple[int, int]:
        add_tags(["training", "tmp"], artifact_name="output_0")
        remove_tags("tmp", artifact_name="output_0")
        add_tags(["testing"], artifact_name="output_1", infer_artifact=True)
        return value, value

    @pipeline
    def numbers_pipeline() -> None:
        split(load())

    numbers_pipeline()
    [numbers] = client.list_artifact_versions("numbers")
    assert numbers.tag_names == ["checked", "raw"]
    [training] = client.list_artifact_versions(tags=["training"])
    assert training.tag_names == ["training"]
    assert len(client.list_artifact_versions(tags=["testing"])) == 1


def test_asset_op_and_job_targets_in_a_step_apply_in_order(client: Client, world: World) -> None:
    def body() -> None:
        add_tags(["gold"], asset="iris_data")
        add_tags(["slow"], op="train_step")
        add_tags(["nightly", "old"], job="training_pipeline")
        remove_tags(["old"], job="training_pipeline")
        remove_tags(["gold"], asset="iris_data")

    assert _run_step(body).status == "success"
    assert reload(client, world.artifact).tag_names == []
    assert reload(client, world.op).tag_names == ["slow"]
    assert reload(client, world.pipeline).tag_names == ["nightly"]


def test_a_wrong_keyword_in_a_step_fails_it_with_the_valid_targets(client: Client) -> None:
    run = _run_step(lambda: add_tags(["x"], artefact="iris_data"))
    assert run.status == "failed"
    error = run.metadata["tagbase/error"].value
    assert "TargetError" in error
    assert "artefact=" in error
    assert "asset=" in error
