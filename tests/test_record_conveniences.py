"""What users of other tools reach for on records: `run.job_name`, `run.run_id`,
`run.start_time`, `version.model_name`, `tagbase.models.Model`, and `run.tags` as a mapping
(`"foo" in run.tags`, `run.tags["foo"]`) that still holds every assignment's provenance."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

import tagbase
from tagbase import AssignedTag, Client, Kind, Tags, job, op


@op
def hello() -> int:
    return 1


@job(tags={"team": "ml"})
def greeting() -> None:
    hello()


def test_a_run_names_its_job_id_and_times(client: Client) -> None:
    before = datetime.now(UTC)
    result = greeting.execute_in_process(tags={"env": "prod"})
    run = client.get_run(result.run_id)
    assert (run.job_name, run.pipeline_name, result.pipeline_name) == ("greeting",) * 3
    assert run.run_id == result.run_id == run.id
    assert run.start_time is not None
    assert run.end_time is not None
    assert before <= run.start_time <= run.end_time <= datetime.now(UTC)
    recorded = client.create_run("greeting", "imported")  # never started
    assert (recorded.start_time, recorded.end_time) == (None, None)


def test_versions_name_their_artifact_or_model(client: Client) -> None:
    client.create_artifact("iris_data")
    data = client.create_artifact_version("iris_data", "2023-06-15")
    client.create_model("iris_classifier")
    model = client.create_model_version("iris_classifier", "1.0.0")
    assert (data.artifact_name, data.asset_name, data.model_name) == (
        "iris_data",
        "iris_data",
        None,
    )
    assert (model.model_name, model.artifact_name, model.job_name) == (
        "iris_classifier",
        None,
        None,
    )
    assert (model.run_id, client.get_model("iris_classifier").model_name) == (None, None)


def test_the_zenml_models_module_holds_model() -> None:
    from tagbase.models import Model

    assert Model is tagbase.Model


def test_run_tags_read_as_a_mapping_of_key_to_value(client: Client) -> None:
    client.create_tag("team", multi_valued=True)
    client.create_pipeline("p")
    client.create_run("p", "r", tags={"env": "prod", "foo": "", "team": "ml"})
    client.add_tags(Kind.RUN, "r", {"team": "data"})
    for run in (client.get_run("r"), client.list_runs()[0]):
        assert "foo" in run.tags
        assert run.tags["foo"] == ""  # a label
        assert run.tags["env"] == "prod"
        assert "env=prod" not in run.tags  # keys, as in a dict
        assert run.tags["team"] == "data"  # a multi-valued key: its first value
        assert run.tags.get_all("team") == ("data", "ml")
        assert run.tags == {"env": "prod", "foo": "", "team": "data"}
        assert sorted(run.tags) == ["env", "foo", "team"]
        assert len(run.tags) == 3
        assert run.tags.get("missing") is None
        assert {t.name: t.source for t in run.tags.assigned} == {
            "env=prod": "api",
            "foo": "api",
            "team=data": "user",
            "team=ml": "api",
        }
        assert run.tag_dict == dict(run.tags)


assignments = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.text(max_size=3)), max_size=8, unique=True
)


@given(pairs=assignments)
def test_a_key_maps_to_its_first_value_and_get_all_gives_every_one(
    pairs: list[tuple[str, str]],
) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    tags = Tags(AssignedTag(key, value, "api", None, at) for key, value in pairs)
    keys = {key for key, _ in pairs}
    assert set(tags) == keys
    for key in keys:
        values = sorted(value for k, value in pairs if k == key)
        assert tags[key] == values[0]
        assert tags.get_all(key) == tuple(values)
    assert tags == Tags(reversed(tags.assigned))  # the same assignments, in any order
