"""Seed 004 (ZenML docs, "Tags in ZenML"): tags on artifacts, artifact versions, pipelines,
runs, models, model versions and run templates; exclusive and cascade tags; filters.

Each test holds one example of the seed (a code block, or one "Method" of a block that has
several, so that the methods tagbase can already run are checked now), with only the import
lines changed (`zenml` -> `tagbase`, `zenml.client` -> `tagbase.client`, `zenml.models` ->
`tagbase.models`) and moved into the test, so that a name tagbase lacks fails that test alone.
Where an example names something it does not create (an artifact, a run, a step), the test
creates it first, marked `# completion`. The seed's CLI comments run through the `tagbase` CLI
with the same arguments.

Every example runs against the `client` fixture's catalog (SQLite, then PostgreSQL); the fixture
points TAGBASE_DATABASE_URL at it, so the seed's bare `Client()` reads and writes the same
database, and its artifact store lives under the test's TAGBASE_HOME.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from click.testing import CliRunner

from tagbase import Entity, Kind, Tag
from tagbase.cli import cli
from tagbase.client import Client
from tagbase.store import Store
from tagbase.store._schema import entity

SEED_VERSION_ID = "a1b2c3d4-e5f6-7890-a1b2-c3d4e5f67890"


def tagbase_cli(*args: str) -> None:
    """Run a `tagbase` command that must succeed (the seed's `zenml ...` CLI comments)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def runs_of(pipeline_name: str) -> list[Entity]:
    """The runs of a pipeline, oldest first."""
    return list(reversed(Client().list_runs(pipeline_name_or_id=pipeline_name).items))


def holders(tag: str, kind: Kind) -> list[str]:
    """The names of the entities of `kind` that hold `tag` now."""
    return sorted(found.name for found in Client().list(kind, tags=[tag], size=1000))


# -- artifacts and artifact versions -----------------------------------------------------------


def test_tagging_artifacts(client: Client) -> None:
    from tagbase import add_tags

    Client().create_artifact("my_artifact_name_or_id")  # completion: the artifact it names

    # Tag using artifact name or ID
    add_tags(tags=["production", "dataset"], artifact="my_artifact_name_or_id")

    assert Client().get_artifact("my_artifact_name_or_id").tag_names == ["dataset", "production"]
    assert all(
        tag.is_label for tag in Client().get_artifact("my_artifact_name_or_id").tags.assigned
    )
    by_id = Client().create_artifact("by_id")  # "name or ID": by id too
    add_tags(tags=["production"], artifact=by_id.id)
    assert Client().get_artifact("by_id").tag_names == ["production"]


def test_tagging_artifacts_via_cli(client: Client) -> None:
    Client().create_artifact("my_artifact")  # completion: the artifact it names

    # Or via CLI
    # zenml artifacts update my_artifact -t production -t dataset
    tagbase_cli("artifacts", "update", "my_artifact", "-t", "production", "-t", "dataset")

    assert Client().get_artifact("my_artifact").tag_names == ["dataset", "production"]


def test_tagging_artifact_versions_in_steps(client: Client) -> None:
    from typing import Annotated

    import pandas as pd

    from tagbase import ArtifactConfig, add_tags, pipeline, step

    # completion: the `df` that the seed's data_loader returns ("# Your code here")
    df = pd.DataFrame({"sepal_length": [5.1, 4.9, 4.7, 4.6, 5.0], "species": ["setosa"] * 5})

    # Method 1: Using ArtifactConfig when defining a step
    @step
    def data_loader() -> Annotated[
        pd.DataFrame, ArtifactConfig(name="iris_data", tags=["raw", "cleaned"])
    ]:
        # Your code here
        return df

    # Method 2: Using add_tags within a step
    @step
    def process_data(data: pd.DataFrame) -> pd.DataFrame:
        # Process data
        processed_data = data.copy()

        # Tag the output artifact (for a step with a single output)
        add_tags(tags=["processed", "v1"], infer_artifact=True)

        return processed_data

    # Method 3: For steps with multiple outputs, specify the output name
    @step
    def split_data(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        # Split data
        train = data.sample(frac=0.8)
        test = data.drop(train.index)

        # Tag specific outputs
        add_tags(tags=["training"], artifact_name="output_0", infer_artifact=True)
        add_tags(tags=["testing"], artifact_name="output_1", infer_artifact=True)

        return train, test

    @pipeline  # completion: a pipeline that runs the seed's three steps
    def iris_pipeline():
        split_data(process_data(data_loader()))

    iris_pipeline()

    [raw] = Client().list_artifact_versions("iris_data")
    assert {"raw", "cleaned"} <= set(raw.tag_names)
    [processed] = Client().list_artifact_versions(tags=["processed", "v1"])
    [training] = Client().list_artifact_versions(tags=["training"])
    [testing] = Client().list_artifact_versions(tags=["testing"])
    assert len({raw.id, processed.id, training.id, testing.id}) == 4
    assert "processed" not in training.tag_names
    [run] = runs_of("iris_pipeline")
    assert not {"raw", "processed", "training", "testing"} & set(run.tag_names)
    loaded = Client().get_artifact_version("iris_data", raw.name).load()
    assert loaded.equals(df)


def test_tagging_an_artifact_version_by_version_name(client: Client) -> None:
    from tagbase import add_tags

    Client().create_artifact("iris_data")  # completion: the artifact and versions it names
    Client().create_artifact_version("iris_data", version="2023-06-15")
    Client().create_artifact_version("iris_data", version="2023-06-16")

    # Method 4: Tag an artifact version manually by version info
    add_tags(tags=["final"], artifact_name="iris_data", artifact_version="2023-06-15")

    assert Client().get_artifact_version("iris_data", "2023-06-15").tag_names == ["final"]
    assert Client().get_artifact_version("iris_data", "2023-06-16").tag_names == []
    assert Client().get_artifact("iris_data").tag_names == []


def test_tagging_an_artifact_version_by_id(client: Client, store: Store) -> None:
    from tagbase import add_tags

    # completion: an artifact version whose id is the seed's UUID
    Client().create_artifact("iris_data")
    made = Client().create_artifact_version("iris_data", version="2023-06-15")
    with store.engine.begin() as connection:
        connection.execute(
            sa.update(entity).where(entity.c.uuid == made.id).values(uuid=SEED_VERSION_ID)
        )

    # Method 5: Tag using the artifact version UUID
    add_tags(tags=["validated"], artifact_version_id="a1b2c3d4-e5f6-7890-a1b2-c3d4e5f67890")

    assert Client().get_artifact_version("iris_data", "2023-06-15").tag_names == ["validated"]
    assert [v.id for v in Client().list_artifact_versions(tags=["validated"])] == [SEED_VERSION_ID]


# -- pipelines and pipeline runs ---------------------------------------------------------------


def test_tagging_an_existing_pipeline(client: Client) -> None:
    from tagbase import add_tags

    Client().create_pipeline("training_pipeline")  # completion: the pipeline it names

    # Tag an existing pipeline
    add_tags(tags=["production", "v2"], pipeline="training_pipeline")

    assert Client().get_pipeline("training_pipeline").tag_names == ["production", "v2"]


def test_defining_tags_when_creating_a_pipeline(client: Client) -> None:
    from tagbase import pipeline

    # Or define tags when creating a pipeline
    @pipeline(tags=["experimental"])
    def my_pipeline():
        # Pipeline steps here
        pass

    my_pipeline()  # completion: run it

    assert "experimental" in Client().get_pipeline("my_pipeline").tag_names
    [run] = runs_of("my_pipeline")
    assert "experimental" in run.tag_names


def test_tagging_a_pipeline_run_on_creation(client: Client) -> None:
    from tagbase import pipeline

    # Method 1: Tag a pipeline run on creation
    @pipeline(tags=["batch_run", "daily"])
    def training_pipeline():
        # Pipeline steps
        pass

    training_pipeline()  # completion: run it, twice
    training_pipeline()

    runs = runs_of("training_pipeline")
    assert len(runs) == 2
    assert all({"batch_run", "daily"} <= set(run.tag_names) for run in runs)
    assert len(Client().list_runs(tags=["batch_run", "daily"])) == 2


def test_tagging_the_current_run_within_a_step(client: Client) -> None:
    from tagbase import add_tags, pipeline, step

    # Method 2: Tag within a step (automatically tags the current run)
    @step
    def evaluation_step():
        # Evaluate model
        accuracy = 0.92

        # Add tags based on results
        if accuracy > 0.9:
            add_tags(tags=["high_accuracy"])

        return accuracy

    @pipeline  # completion: a pipeline that runs the step
    def evaluation_pipeline():
        evaluation_step()

    evaluation_pipeline()

    [run] = runs_of("evaluation_pipeline")
    assert "high_accuracy" in run.tag_names
    assert len(Client().list_artifact_versions(tags=["high_accuracy"])) == 0
    assert "high_accuracy" not in Client().get_pipeline("evaluation_pipeline").tag_names


def test_tagging_an_existing_run(client: Client) -> None:
    from tagbase import add_tags

    Client().create_pipeline("training_pipeline")  # completion: the run it names
    Client().create_run("training_pipeline", name="run_name_or_id")

    # Method 3: Tag an existing run by ID
    add_tags(tags=["archived"], run="run_name_or_id")

    assert Client().get_run("run_name_or_id").tag_names == ["archived"]


# -- models and model versions -----------------------------------------------------------------


def test_tagging_a_model_version_on_creation(client: Client) -> None:
    from tagbase import pipeline  # completion: the pipeline that runs the model
    from tagbase.models import Model

    # Method 1: Tag when creating a model version
    model = Model(
        name="iris_classifier",
        version="1.0.0",
        tags=["production", "sklearn", "logistic-regression"],
    )

    @pipeline(model=model)  # completion: a pipeline that creates the model version
    def training():
        pass

    training()

    version = Client().get_model_version("iris_classifier", "1.0.0")
    assert {"production", "sklearn", "logistic-regression"} <= set(version.tag_names)


def test_tagging_models_and_model_versions_with_the_client(client: Client) -> None:
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

    # Method 4: Update tags on existing models (CLI approach)
    # zenml model update iris_classifier --tag "production-ready"
    # zenml model version update iris_classifier 2.0.0 --tag "approved"
    tagbase_cli("model", "update", "iris_classifier", "--tag", "production-ready")
    tagbase_cli("model", "version", "update", "iris_classifier", "2.0.0", "--tag", "approved")

    model = Client().get_model("iris_classifier")
    assert model.tag_names == ["classification", "iris-dataset", "production-ready"]
    version = Client().get_model_version("iris_classifier", "2.0.0")
    assert version.tag_names == ["approved", "candidate", "experiment-42"]


# -- run templates -----------------------------------------------------------------------------


def test_tagging_a_run_template(client: Client) -> None:
    from tagbase import add_tags

    Client().create_pipeline("training_pipeline")  # completion: the template it names
    Client().create_run_template("template_name_or_id", "training_pipeline")

    # Tag a run template
    add_tags(tags=["daily_training", "approved"], run_template="template_name_or_id")

    template = Client().get_run_template("template_name_or_id")
    assert template.tag_names == ["approved", "daily_training"]


# -- exclusive tags ----------------------------------------------------------------------------


def test_exclusive_tag_created_when_used(client: Client) -> None:
    from tagbase import Tag, pipeline

    # Method 1: Create an exclusive tag when using it
    @pipeline(tags=[Tag("latest", exclusive=True), "experiment"])
    def my_pipeline():
        # Pipeline steps
        pass

    my_pipeline()  # completion: run it three times
    my_pipeline()
    my_pipeline()

    first, second, third = runs_of("my_pipeline")
    assert "latest" in third.tag_names
    assert "latest" not in first.tag_names + second.tag_names
    assert all("experiment" in run.tag_names for run in (first, second, third))
    assert Client().get_tag("latest").exclusive
    moves = [e for e in Client().tag_history(tag="latest") if e.reason == "moved"]
    assert sorted((e.entity.name, e.moved_to.name) for e in moves if e.moved_to) == [
        (first.name, second.name),
        (second.name, third.name),
    ]


def test_exclusive_tag_created_explicitly(client: Client) -> None:
    from tagbase import pipeline
    from tagbase.client import Client

    # Method 2: Create an exclusive tag explicitly
    Client().create_tag(name="production", exclusive=True)

    # This tag will now behave as exclusive even when used without the Tag class
    @pipeline(tags=["production"])
    def production_pipeline():
        # Pipeline steps
        pass

    production_pipeline()  # completion: run it twice
    production_pipeline()

    older, newer = runs_of("production_pipeline")
    assert "production" in newer.tag_names
    assert "production" not in older.tag_names


def test_exclusive_within_each_pipeline_template_and_artifact(client: Client) -> None:
    # "The exclusivity applies within these scopes: one pipeline run per pipeline, one run
    # template per pipeline, one artifact version per artifact."
    Client().create_tag(name="latest", exclusive=True)
    for pipeline_name in ("train", "serve"):
        Client().create_pipeline(pipeline_name)
        for number in (1, 2):
            Client().create_run(pipeline_name, f"{pipeline_name}-run-{number}", tags=["latest"])
            Client().create_run_template(
                f"{pipeline_name}-t{number}", pipeline_name, tags=["latest"]
            )
    for artifact_name in ("iris_data", "fraud_data"):
        Client().create_artifact(artifact_name)
        for version in ("1", "2"):
            Client().create_artifact_version(artifact_name, version=version, tags=["latest"])

    assert holders("latest", Kind.RUN) == ["serve-run-2", "train-run-2"]
    assert holders("latest", Kind.RUN_TEMPLATE) == ["serve-t2", "train-t2"]
    versions = Client().list_artifact_versions(tags=["latest"])
    assert sorted((v.scope.name if v.scope else "", v.name) for v in versions) == [
        ("fraud_data", "2"),
        ("iris_data", "2"),
    ]


def test_how_exclusive_tags_work(client: Client) -> None:
    from tagbase.client import Client

    Client().create_model(name="iris_classifier")  # completion: the model it names

    # Create an exclusive tag
    Client().create_tag(name="champion", exclusive=True)

    # Tag the first model version
    Client().create_model_version(
        model_name_or_id="iris_classifier",
        name="1.0.0",
        tags=["champion"],  # This model is now the champion
    )

    # Later, tag a new model version
    Client().create_model_version(
        model_name_or_id="iris_classifier",
        name="2.0.0",
        tags=["champion"],  # This model is now the champion, and the tag is removed from v1.0.0
    )

    assert "champion" not in Client().get_model_version("iris_classifier", "1.0.0").tag_names
    assert "champion" in Client().get_model_version("iris_classifier", "2.0.0").tag_names
    [move] = [e for e in Client().tag_history(tag="champion") if e.reason == "moved"]
    assert (move.entity.name, move.moved_to.name if move.moved_to else None) == ("1.0.0", "2.0.0")
    held_now = Client().tag_holders("champion", at=datetime.now(UTC), kind="model_version")
    assert [ref.name for ref in held_now] == ["2.0.0"]


def test_exclusive_and_regular_tags_on_a_model_version(client: Client) -> None:
    from tagbase import Tag, pipeline  # completion: the block imports nothing
    from tagbase.models import Model  # completion: as the seed's model section imports it

    # A model version with both exclusive and regular tags
    model = Model(
        name="fraud_detector",
        version="3.2.1",
        tags=[
            Tag("production", exclusive=True),  # Only one production model
            "xgboost",  # Model architecture (non-exclusive)
            "fraud-detection",  # Task type (non-exclusive)
            "2023-07-training",  # Training cohort (non-exclusive)
        ],
    )

    @pipeline(model=model)  # completion: a pipeline that creates the model version
    def training():
        pass

    training()

    version = Client().get_model_version("fraud_detector", "3.2.1")
    assert {"production", "xgboost", "fraud-detection", "2023-07-training"} <= set(
        version.tag_names
    )
    # "it will not lose its exclusive functionality even if it is being used without the
    # explicit exclusive=True parameter in future calls"
    assert Client().get_tag("production").exclusive
    next_model = Model(name="fraud_detector", version="3.3.0", tags=["production", "xgboost"])

    @pipeline(model=next_model)
    def retraining():
        pass

    retraining()

    assert holders("production", Kind.MODEL_VERSION) == ["3.3.0"]
    assert holders("xgboost", Kind.MODEL_VERSION) == ["3.2.1", "3.3.0"]


def test_exclusive_behaviour_is_stored_with_the_tag(client: Client) -> None:
    # The hint: `exclusive` is stored in the backend, so a plain string keeps it.
    Client().create_model(name="fraud_detector")
    Client().create_model_version(
        "fraud_detector", name="3.2.1", tags=[Tag("production", exclusive=True), "xgboost"]
    )
    Client().create_model_version("fraud_detector", name="3.3.0", tags=["production"])

    assert Client().get_tag("production").exclusive
    assert holders("production", Kind.MODEL_VERSION) == ["3.3.0"]
    assert "xgboost" in Client().get_model_version("fraud_detector", "3.2.1").tag_names


# -- cascade tags ------------------------------------------------------------------------------


def test_cascade_tags_reach_every_artifact_version(client: Client) -> None:
    from tagbase import Tag, pipeline, step

    # completion: the three steps the seed's pipeline calls
    @step
    def data_loader() -> list[float]:
        return [5.1, 4.9, 4.7]

    @step
    def train_model(data: list[float]) -> float:
        return sum(data) / len(data)

    @step
    def evaluate_model(model: float, data: list[float]) -> float:
        return max(abs(value - model) for value in data)

    @pipeline(tags=[Tag("experiment_42", cascade=True), "training"])
    def experiment_pipeline():
        # All artifacts created in this pipeline will also get the "experiment_42" tag
        data = data_loader()
        model = train_model(data)
        metrics = evaluate_model(model, data)  # noqa: F841 (the seed's code, kept verbatim)

    experiment_pipeline()  # completion: run it

    [run] = runs_of("experiment_pipeline")
    assert {"experiment_42", "training"} <= set(run.tag_names)
    versions = Client().list_artifact_versions()
    assert len(versions) == 3  # one per step output
    for version in versions:
        [cascaded] = [tag for tag in version.tags.assigned if tag.name == "experiment_42"]
        assert cascaded.source == "cascade"
        assert "training" not in version.tag_names
    assert Client().get_tag("experiment_42").cascade


# -- filtering ---------------------------------------------------------------------------------


def test_filtering_with_tags(client: Client) -> None:
    from tagbase.client import Client

    # completion: models, runs and artifact versions for the filters to find
    Client().create_model(name="iris_classifier", tags=["production"])
    Client().create_model(name="fraud_detector", tags=["staging"])
    Client().create_pipeline("training")
    Client().create_run("training", "match", tags=["experiment_7", "v2.0", "high_accuracy"])
    Client().create_run("training", "low", tags=["experiment_7", "v2.0", "low_accuracy"])
    Client().create_run("training", "old", tags=["experiment_7", "v1.9", "high_accuracy"])
    Client().create_run("training", "no-experiment", tags=["v2.0", "high_accuracy"])
    Client().create_artifact("iris_data")
    Client().create_artifact_version("iris_data", version="1", tags=["validated"])
    Client().create_artifact_version("iris_data", version="2", tags=["draft"])

    # Simple tag filtering
    production_models = Client().list_models(tags=["production"])

    # Complex tag filtering with conditions
    experiments = Client().list_runs(
        tags=[
            "contains:experiment",  # Tags containing "experiment"
            "startswith:v2",  # Tags starting with "v2"
            "equals:high_accuracy",  # Tags exactly matching "high_accuracy"
        ]
    )

    # Find all artifact versions with a specific tag
    validated_data = Client().list_artifact_versions(tags=["validated"])

    assert [model.name for model in production_models] == ["iris_classifier"]
    assert [run.name for run in experiments] == ["match"]
    assert [version.name for version in validated_data] == ["1"]


def test_hierarchical_tags_are_plain_tags(client: Client) -> None:
    # Best practices: 'Use hierarchical tags for better organization (e.g., "data:raw",
    # "data:processed")': a `word:` that is no filter operator is part of the tag.
    Client().create_artifact("iris_data")
    Client().create_artifact_version("iris_data", version="1", tags=["data:raw"])
    Client().create_artifact_version("iris_data", version="2", tags=["data:processed"])

    [raw] = Client().list_artifact_versions(tags=["data:raw"])
    assert raw.name == "1"
    both = Client().list_artifact_versions(tags=["startswith:data:"])
    assert sorted(version.name for version in both) == ["1", "2"]
