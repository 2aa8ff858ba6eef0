"""The example project (`examples/`, shipped as `tagbase.examples`) records and runs as its
README section says, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tagbase import Client, Definitions, Kind, RunResult, load_definitions, sync_definitions
from tagbase.cli import cli
from tagbase.examples import registry, training
from tagbase.metadata import TableColumnLineageMetadataValue, TableSchemaMetadataValue

EXAMPLES = Path(__file__).parent.parent / "examples"
MODULE = "tagbase.examples.definitions"
NIGHTLY_ASSETS = {"leads", "hot_leads", "cold_leads", "leads_by_channel", "campaign_audience"}
IRIS_ARTIFACTS = {"iris_data", "iris_train", "iris_test", "iris_model"}


@pytest.fixture
def defs(client: Client) -> Definitions:
    registry.register_tags(client)
    defs = load_definitions(module=MODULE)
    sync_definitions(defs, client.store)  # as `tagbase load -m` does
    return defs


def run(defs: Definitions, job: str, **tags: str) -> RunResult:
    return defs.get_job_def(job).execute_in_process(tags=tags)


def test_the_shipped_package_is_the_examples_folder() -> None:
    shipped = Path(training.__file__).parent
    assert (shipped / "definitions.py").read_bytes() == (EXAMPLES / "definitions.py").read_bytes()


def test_loading_the_file_records_assets_with_their_definition_metadata(client: Client) -> None:
    defs = load_definitions(file=EXAMPLES / "definitions.py")
    sync_definitions(defs, client.store)  # as `tagbase load -f` does
    assert set(defs.job_names) == {
        "nightly_marketing",
        "weekly_campaign_report",
        "lead_hygiene",
        "iris_training",
        "fraud_training",
    }
    leads = client.get_artifact("leads")
    assert leads.owners == ("ada.lovelace@example.com", "team:growth")
    assert {"domain": "marketing", "pii": "true", "refresh": "nightly"}.items() <= (
        leads.tag_dict.items()
    )
    assert {"tagbase/kind/python", "tagbase/kind/pandas", "tagbase/group=marketing"} <= set(
        leads.tag_names
    )
    schema = leads.metadata["tagbase/column_schema"]
    assert isinstance(schema, TableSchemaMetadataValue)
    email = next(column for column in schema.value.columns if column.name == "email")
    assert email.tags == {"pii": "true"}
    assert not email.constraints.nullable
    [link] = leads.metadata["tagbase/code_references"].code_references
    assert link.url.startswith(
        "https://github.com/example/tagbase/tree/main/examples/marketing.py#L"
    )
    lineage = client.get_artifact("leads_by_channel").metadata["tagbase/column_lineage"]
    assert isinstance(lineage, TableColumnLineageMetadataValue)
    deps = [dep for column in lineage.value.deps_by_column.values() for dep in column]
    sources = {dep.asset_key.to_user_string() for dep in deps}
    assert sources == {"leads", "hot_leads"}
    assert client.get_artifact("crm_contacts").tag_dict["source"] == "crm"
    assert client.get_pipeline("weekly_campaign_report").metadata["owner"].value == (
        "growth analytics"
    )
    assert client.get(Kind.OP, "publish_report").tag_dict == {"channel": "slack"}


def test_the_nightly_job_materializes_what_its_tag_selection_picks(
    client: Client, defs: Definitions
) -> None:
    first, second = run(defs, "nightly_marketing", env="dev"), run(defs, "nightly_marketing")
    made = [client.get(Kind.ASSET_VERSION, v).scope for v in second.asset_version_ids]
    assert {scope.name for scope in made if scope} == NIGHTLY_ASSETS
    assert client.get_run(first.run_id).tag_dict == {
        "team": "growth",
        "schedule": "nightly",
        "tagbase/max_runtime": "900",
        "env": "dev",
    }
    assert client.count(Kind.ASSET_VERSION, scope="crm_contacts") == 0  # made elsewhere
    newest = client.get_artifact_version("leads", 2)
    assert newest.metadata["tagbase/row_count"].value > 700
    assert newest.metadata["duplicates_removed"].value == 0
    assert client.get_artifact_version("hot_leads", 2).metadata["share"].value < 1
    channels = client.load_artifact("leads_by_channel").source.tolist()
    assert channels == ["ads", "event", "referral", "web"]
    series = client.metadata_series(Kind.ASSET, "leads", "tagbase/row_count")
    assert [point.entity.name for point in series] == ["1", "2"]


def test_iris_training_moves_latest_cascades_and_forms_an_accuracy_series(
    client: Client, defs: Definitions
) -> None:
    runs = [training.iris_training() for _ in range(3)]
    holders = client.list_runs(pipeline_name_or_id="iris_training", tags=["latest"])
    assert [r.id for r in holders] == [runs[-1].run_id]
    moves = [e for e in client.tag_history(tag="latest") if e.reason == "moved"]
    assert len(moves) == 2
    for result in runs:
        versions = [client.get(Kind.ASSET_VERSION, v) for v in result.asset_version_ids]
        assert {v.scope.name for v in versions if v.scope} >= IRIS_ARTIFACTS
        for version in versions:
            sources = {t.name: t.source for t in version.tags.assigned}
            assert sources["iris_baseline"] == "cascade"
    assert "naive-bayes" in client.get_artifact_version("iris_model", 3).tag_names
    assert client.load_artifact("iris_model")["kind"] == "gaussian_naive_bayes"
    series = client.metadata_series(Kind.MODEL, "iris_classifier", "accuracy")
    assert [point.entity.name for point in series] == ["1", "2", "3"]
    accuracies = {point.entity.name: point.value for point in series}
    [champion] = client.list_model_versions("iris_classifier", tags=["champion"])
    assert accuracies[champion.name] == max(accuracies.values())
    for result in runs:
        held = client.get_run(result.run_id)
        accuracy = held.metadata["accuracy"].value
        assert held.has_tag("high_accuracy") == (accuracy >= training.HIGH_ACCURACY)
        assert {"training", "iris_baseline"} <= set(held.tag_names)
    assert client.get_model_version("iris_classifier", 1).tag_names[-2:] == ["iris", "naive-bayes"]


def test_fraud_training_retrains_one_model_version(client: Client, defs: Definitions) -> None:
    run(defs, "fraud_training")
    newest = run(defs, "fraud_training")
    [version] = client.list_model_versions("fraud_detector")
    assert version.name == training.FRAUD_MODEL_VERSION
    assert version.tag_names == ["logistic-regression"]
    aucs = client.metadata_history(Kind.MODEL_VERSION, version.id, key="auc")
    assert len(aucs) == 2
    assert all(0.5 < entry.value.value <= 1 for entry in aucs)
    assert client.metadata_series(Kind.MODEL, "fraud_detector", "auc")[-1].value == (
        version.metadata["auc"].value
    )
    held = client.get_run(newest.run_id)
    assert {"fraud", "training", "latest"} <= set(held.tag_names)
    assert set(held.metadata) >= {"precision", "recall", "auc"}


def test_the_op_jobs_carry_their_job_tags_and_log_run_metadata(
    client: Client, defs: Definitions
) -> None:
    run(defs, "nightly_marketing")
    report = client.get_run(run(defs, "weekly_campaign_report").run_id)
    assert report.tag_dict == {"team": "growth", "report": "weekly"}
    assert report.metadata["report"].type_name == "md"
    assert "# Leads this week" in report.metadata["report"].value
    steps = client.list_run_steps(report.id)
    assert [s.key for s in steps] == ["fetch_channel_summary", "render_report", "publish_report"]
    assert any("posted to #growth" in (e.message or "") for e in client.list_run_events(report.id))
    hygiene = client.get_run(run(defs, "lead_hygiene").run_id)
    assert hygiene.tag_dict == {"team": "growth", "maintenance": "true"}
    assert hygiene.metadata["archived"].value > 0
    assert client.get_pipeline("lead_hygiene").metadata["runbook"].type_name == "url"


def test_the_readme_commands_work_on_the_example_project(client: Client) -> None:
    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    file = str(EXAMPLES / "definitions.py")
    assert json.loads(invoke("load", "-f", file, "--json"))["jobs"][0] == "nightly_marketing"
    invoke("materialize", "--select", "tag:refresh=nightly", "-f", file)
    invoke("materialize", "--select", "leads+", "-m", MODULE, "--tag", "env=dev")
    assert client.count(Kind.ASSET_VERSION, scope="leads") == 2
    assert client.count(Kind.ASSET_VERSION, scope="campaign_audience") == 1  # not below leads+
    launched = json.loads(invoke("run", "iris_training", "-f", file, "--tag", "env=dev", "--json"))
    assert client.get_run(launched["run_id"]).tag_dict["env"] == "dev"
    series = json.loads(invoke("artifact", "metadata", "leads", "tagbase/row_count", "--json"))
    assert [(point["entity"]["scope"], point["entity"]["name"]) for point in series] == [
        ("leads", "1"),
        ("leads", "2"),
    ]
