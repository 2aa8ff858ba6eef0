"""The seed catalog: the seed documents' statements hold in it, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tagbase import (
    AssetKey,
    Kind,
    MetadataValue,
    TableColumnConstraints,
    TableColumnDep,
    TableSchema,
)
from tagbase.client import Client
from tagbase.demo import DemoSummary, load_demo
from tagbase.metadata import TableColumnLineageMetadataValue, TableSchemaMetadataValue

EXCLUSIVE = ("champion", "latest", "production")
PIPELINES = (
    "training_pipeline",
    "experiment_pipeline",
    "production_pipeline",
    "my_job_with_tags",
    "marketing_job",
)


@pytest.fixture
def demo(client: Client) -> DemoSummary:
    return load_demo(client)


def _single_holders(client: Client, tag: str) -> None:
    """At most one entity of each kind and scope holds the exclusive `tag`."""
    holders: Counter[tuple[Kind, str | None]] = Counter()
    for kind in Kind:
        for entity in client.list(kind, tags=[tag], size=1000):
            holders[(kind, entity.scope.id if entity.scope else None)] += 1
    assert holders, f"nobody holds {tag!r}"
    assert max(holders.values()) == 1, holders


def test_summary_counts_what_the_first_call_created(client: Client, demo: DemoSummary) -> None:
    assert demo.tags == 8
    for kind, created in (
        (Kind.ASSET, demo.assets),
        (Kind.ASSET_VERSION, demo.asset_versions),
        (Kind.JOB, demo.pipelines),
        (Kind.RUN, demo.runs),
        (Kind.RUN_TEMPLATE, demo.run_templates),
        (Kind.MODEL, demo.models),
        (Kind.MODEL_VERSION, demo.model_versions),
    ):
        assert client.count(kind) == created, kind
    assert demo.entities == sum(client.count(kind) for kind in Kind)
    assert demo.runs > 200


def test_leads_has_the_seed_tags_owners_and_definition_metadata(
    client: Client, demo: DemoSummary
) -> None:
    leads = client.get_artifact("leads")
    assert {"domain": "marketing", "pii": "true"}.items() <= leads.tag_dict.items()
    assert {"tagbase/kind/python", "tagbase/kind/pandas"} <= set(leads.tag_names)
    assert leads.owners == ("ada.lovelace@example.com", "team:marketing")
    assert leads.metadata["link_to_docs"] == MetadataValue.url(
        "https://docs.example.com/data/marketing/leads"
    )
    assert leads.metadata["snippet"].type_name == "md"
    assert leads.metadata["file_size_kb"] == MetadataValue.int(1024)
    assert leads.metadata["tagbase/relation_identifier"].value == "marketing_db.crm.leads"
    schema = leads.metadata["tagbase/column_schema"]
    assert isinstance(schema, TableSchemaMetadataValue)
    assert isinstance(schema.value, TableSchema)
    email = next(column for column in schema.value.columns if column.name == "email")
    assert email.constraints == TableColumnConstraints(
        nullable=False, unique=True, other=("a valid email address",)
    )
    assert email.tags == {"pii": "true"}


def test_assets_can_be_found_by_tags_and_kinds(client: Client, demo: DemoSummary) -> None:
    marketing = client.list_artifacts(tags={"domain": "marketing"})
    assert {asset.name for asset in marketing} == {"leads", "marketing_summary"}
    personal = client.list_artifacts(tags=["pii=true"])
    assert {asset.name for asset in personal} == {"leads", "customers"}
    assert client.count(Kind.ASSET, tags=["tagbase/kind/python"]) == 4


def test_marketing_summary_has_column_lineage_to_its_upstream_tables(
    client: Client, demo: DemoSummary
) -> None:
    lineage = client.get_artifact("marketing_summary").metadata["tagbase/column_lineage"]
    assert isinstance(lineage, TableColumnLineageMetadataValue)
    deps = lineage.value.deps_by_column
    assert deps["revenue_eur"][0] == TableColumnDep(AssetKey("orders"), "amount_eur")
    upstream = {dep.asset_key.to_user_string() for column in deps.values() for dep in column}
    assert upstream == {"leads", "customers", "orders"}
    assert all(client.get_artifact(name) for name in upstream)


def test_registered_tags_keep_their_colour_description_and_behaviour(
    client: Client, demo: DemoSummary
) -> None:
    champion = client.get_tag("champion")
    assert champion.exclusive
    assert champion.registered
    assert champion.color == "#eab308"
    assert champion.description
    assert client.get_tag("production").exclusive
    assert client.get_tag("latest").exclusive
    assert client.get_tag("experiment_42").cascade
    pii = client.get_tag("pii=true")
    assert (pii.color, pii.exclusive) == ("red", False)
    assert pii.usage[Kind.ASSET] == 2


def test_champion_moved_from_iris_classifier_1_to_2(client: Client, demo: DemoSummary) -> None:
    assert client.get_model_version("iris_classifier", "2.0.0").has_tag("champion")
    assert not client.get_model_version("iris_classifier", "1.0.0").has_tag("champion")
    moves = [
        event
        for event in client.tag_history(tag="champion")
        if event.action == "removed" and event.reason == "moved"
    ]
    assert [(e.entity.name, e.moved_to and e.moved_to.name) for e in moves] == [("1.0.0", "2.0.0")]
    model = client.get_model("iris_classifier")
    assert set(model.tag_names) == {"classification", "iris-dataset", "production-ready"}
    assert client.get_model_version("iris_classifier", "2.0.0").has_tag("approved")
    assert client.list_models(tags=["classification"])[0].name == "iris_classifier"


def test_fraud_detector_3_2_1_holds_production(client: Client, demo: DemoSummary) -> None:
    version = client.get_model_version("fraud_detector", "3.2.1")
    assert {"production", "xgboost", "fraud-detection", "2023-07-training"} <= set(
        version.tag_names
    )
    assert next(tag for tag in version.tags.assigned if tag.name == "production").exclusive
    assert not client.get_model_version("fraud_detector", "3.1.0").has_tag("production")
    # 1.0.0 of iris_classifier keeps its own `production`: the scope is the model.
    assert client.get_model_version("iris_classifier", "1.0.0").has_tag("production")
    versions = client.list_model_versions(tags=["production"])
    assert {v.display_name for v in (x.ref for x in versions)} == {
        "fraud_detector:3.2.1",
        "iris_classifier:1.0.0",
    }
    assert version.metadata["auc"] == MetadataValue.float(0.957)


def test_validated_finds_the_dated_iris_data_version(client: Client, demo: DemoSummary) -> None:
    validated = client.list_artifact_versions(tags=["validated"])
    assert [version.name for version in validated] == ["2023-06-15"]
    dated = client.get_artifact_version("iris_data", "2023-06-15")
    assert {"raw", "cleaned", "final", "validated"} <= set(dated.tag_names)
    assert dated.metadata["tagbase/row_count"] == MetadataValue.int(147)
    assert client.count(Kind.ASSET_VERSION, scope="iris_data", tags=["raw", "cleaned"]) == 4


def test_numeric_metadata_of_versions_forms_a_series(client: Client, demo: DemoSummary) -> None:
    leads = sorted(client.list_artifact_versions("leads"), key=lambda v: v.created_at)
    counts = [version.metadata["tagbase/row_count"].value for version in leads]
    assert len(counts) == 10
    assert counts == sorted(counts)
    assert counts[-1] > counts[0]
    accuracies = [version.metadata["accuracy"].value for version in client.list_model_versions()]
    assert all(isinstance(value, float) for value in accuracies)


def test_pipelines_carry_the_seed_tags_and_metadata(client: Client, demo: DemoSummary) -> None:
    training = client.get_pipeline("training_pipeline")
    assert set(training.tag_names) == {"batch_run", "daily"}
    assert training.metadata["owner"] == MetadataValue.text("data team")
    assert training.metadata["docs"].type_name == "url"
    assert client.get_pipeline("my_job_with_tags").tag_dict == {"foo": "bar"}
    assert client.get_pipeline("production_pipeline").has_tag("production")
    assert client.get_pipeline("marketing_job").tag_dict == {"tagbase/max_runtime": "10"}


def test_runs_span_a_month_and_carry_their_job_tags(client: Client, demo: DemoSummary) -> None:
    now = datetime.now(UTC)
    runs = client.list_runs(size=1000).items
    assert all(now - timedelta(days=31) < run.created_at <= now for run in runs)
    assert {run.status for run in runs} == {"success", "failed"}
    assert client.count(Kind.RUN, tags={"foo": "bar"}) == client.count(
        Kind.RUN, scope="my_job_with_tags"
    )
    assert client.count(Kind.RUN, tags=["daily", "batch_run"]) == client.count(
        Kind.RUN, scope="training_pipeline"
    )
    assert client.count(Kind.RUN, tags={"env": "prod"}) > client.count(
        Kind.RUN, tags={"env": "dev"}
    )
    assert client.count(Kind.RUN, tags=["startswith:tagbase/schedule_name="]) > 50
    assert client.count(Kind.RUN, tags=["tagbase/priority=10"]) == 45


def test_the_newest_run_of_each_pipeline_holds_latest(client: Client, demo: DemoSummary) -> None:
    for pipeline in PIPELINES:
        newest = client.list_runs(pipeline_name_or_id=pipeline, size=1)[0]
        assert newest.has_tag("latest"), pipeline
        assert client.count(Kind.RUN, scope=pipeline, tags=["latest"]) == 1
    production = client.list_runs(tags=["production"]).items
    assert [run.scope and run.scope.name for run in production] == ["production_pipeline"]


def test_operator_string_filters_of_the_seed(client: Client, demo: DemoSummary) -> None:
    experiments = client.count(Kind.RUN, tags=["contains:experiment"])
    assert experiments == client.count(Kind.RUN, scope="experiment_pipeline") == 70
    found = client.list_runs(
        tags=["contains:experiment", "startswith:v2", "equals:high_accuracy"], size=100
    )
    assert found.total
    for run in found:
        assert {"experiment_42", "v2", "high_accuracy"} <= set(run.tag_names)
        assert run.metadata["accuracy"].value > 0.9
    assert client.count(Kind.RUN, tags=["notequals:env=prod", "contains:experiment"]) == 70


def test_run_template_is_tagged(client: Client, demo: DemoSummary) -> None:
    template = client.get_run_template("nightly_training")
    assert set(template.tag_names) == {"daily_training", "approved"}
    assert template.scope is not None
    assert template.scope.name == "training_pipeline"


def test_loading_twice_grows_history_and_keeps_exclusive_tags_single(
    client: Client, demo: DemoSummary
) -> None:
    runs = client.count(Kind.RUN)
    again = load_demo(client)
    assert again == DemoSummary(asset_versions=1, runs=1, model_versions=1)
    assert client.count(Kind.RUN) == runs + 1
    newest = client.list_model_versions("iris_classifier", size=1)[0]
    assert newest.name == "2.1.0"
    assert newest.has_tag("champion")
    assert not client.get_model_version("iris_classifier", "2.0.0").has_tag("champion")
    assert load_demo(client).model_versions == 1
    assert client.list_model_versions("iris_classifier", size=1)[0].name == "2.2.0"
    for tag in EXCLUSIVE:
        _single_holders(client, tag)
    latest_data = client.list_artifact_versions("iris_data", tags=["latest"])
    assert [v.number for v in latest_data] == [
        client.list_artifact_versions("iris_data", size=1)[0].number
    ]
    assert client.count(Kind.RUN, scope="training_pipeline", tags=["latest"]) == 1
    assert client.list_runs(pipeline_name_or_id="training_pipeline", size=1)[0].has_tag("latest")


def test_loading_on_a_fresh_catalog_leaves_one_holder_per_scope(
    client: Client, demo: DemoSummary
) -> None:
    for tag in EXCLUSIVE:
        _single_holders(client, tag)
