"""Decorators work bare and called, and check tags, metadata and owners when they run."""

from __future__ import annotations

from typing import Annotated

import pytest

from tagbase import (
    ArtifactConfig,
    AssetKey,
    AssetOut,
    AssetSpec,
    DefinitionError,
    Definitions,
    MetadataValue,
    Model,
    Output,
    Tag,
    TagValidationError,
    UnknownDefinitionError,
    asset,
    define_asset_job,
    graph,
    graph_asset,
    job,
    multi_asset,
    op,
    pipeline,
    schedule,
    step,
)
from tagbase.definitions import plan_job


@asset
def leads() -> list[int]:
    return [1, 2]


@asset(
    tags={"domain": "marketing", "pii": "true"},
    owners=["richard.hendricks@hooli.com", "team:data-eng"],
    kinds={"python", "pandas"},
    group_name="marketing",
    metadata={"link_to_docs": MetadataValue.url("https://example.com"), "size": 3},
    deps=["raw_leads"],
    code_version="v1",
)
def leads_report(leads: list[int]) -> int:
    return len(leads)


def test_bare_and_called_asset_decorators_build_specs() -> None:
    assert leads.names == ("leads",)
    spec = leads_report.specs[0]
    assert spec.tags == (Tag("domain", "marketing"), Tag("pii", "true"))
    assert spec.owners == ("richard.hendricks@hooli.com", "team:data-eng")
    assert spec.metadata["size"] == MetadataValue.int(3)
    assert spec.code_version == "v1"
    assert leads_report.input_keys == {"leads": AssetKey("leads")}
    assert set(leads_report.upstream) == {AssetKey("leads"), AssetKey("raw_leads")}
    assert leads_report([4, 5, 6]) == 3  # direct invocation calls the function


def test_kinds_and_group_become_catalog_tags() -> None:
    names = {tag.name for tag in leads_report.specs[0].catalog_tags}
    assert {"tagbase/kind/python", "tagbase/kind/pandas", "tagbase/group=marketing"} <= names
    assert "tagbase/group=default" in {tag.name for tag in leads.specs[0].catalog_tags}


def test_asset_tags_are_strict_and_every_problem_is_reported_at_once() -> None:
    with pytest.raises(TagValidationError) as raised:

        @asset(tags={"bad key!": "x", "ok": "has space"})
        def broken() -> None: ...

    message = str(raised.value)
    assert "2 invalid tags" in message
    assert "'bad key!'" in message
    assert "has space" in message


def test_mixed_problems_come_in_one_definition_error() -> None:
    with pytest.raises(DefinitionError) as raised:

        @asset(tags={"k": "a b"}, metadata={"": 1}, owners=["nobody"])
        def broken() -> None: ...

    assert len(raised.value.problems) == 3
    assert all("asset 'broken'" in str(problem) for problem in raised.value.problems)


def test_asset_spec_and_key_prefix() -> None:
    spec = AssetSpec("external", tags={"source": "s3"}, kinds=["s3"])
    assert spec.name == "external"

    @asset(key_prefix=["warehouse"])
    def orders() -> int:
        return 1

    assert orders.names == ("warehouse/orders",)
    assert not Definitions(assets=[spec]).assets[0].is_executable


def test_multi_asset_outs_carry_their_own_tags() -> None:
    @multi_asset(outs={"a": AssetOut(tags={"team": "ml"}), "b": AssetOut(metadata={"x": 1})})
    def both() -> tuple[int, int]:
        return 1, 2

    assert both.names == ("a", "b")
    assert both.specs[0].tags == (Tag("team", "ml"),)
    with pytest.raises(TagValidationError):
        multi_asset(outs={"c": AssetOut(tags={"bad key": "x"})})(lambda: 1)


@op
def my_op() -> str:
    return "Hello World!"


@op(tags={"kind": "io"})
def shout(text: str) -> str:
    return text.upper()


def test_job_composes_ops_from_calls() -> None:
    @job(tags={"foo": "bar"}, metadata={"owner": "data team"})
    def my_job() -> None:
        shout(my_op())

    assert my_job.op_names == ("my_op", "shout")
    assert my_job.tags == (Tag("foo", "bar"),)
    assert my_job.metadata["owner"] == MetadataValue.text("data team")
    plan = plan_job(my_job)
    assert plan.keys == ("my_op", "shout")
    assert plan.step("shout").upstream == {"my_op"}
    assert shout.tags == (Tag("kind", "io"),)
    assert my_op() == "Hello World!"  # outside a composition, an op is its function


def test_graph_to_job_and_repeated_ops_get_unique_names() -> None:
    @graph
    def twice() -> None:
        shout(my_op())
        shout(my_op())

    built = twice.to_job(name="twice_job", tags={"foo": "bar"}, metadata={"docs": "x"})
    assert built.name == "twice_job"
    assert built.op_names == ("my_op", "shout", "my_op_2", "shout_2")
    assert plan_job(built).step("shout_2").upstream == {"my_op_2"}


def test_job_tags_are_lenient_and_json_values_become_text() -> None:
    made = define_asset_job(name="marketing_job", selection="*", tags={"dagster/max_runtime": 10})
    assert made.tags == (Tag("dagster/max_runtime", "10"),)
    with pytest.raises(TagValidationError):
        define_asset_job(name="bad", tags={"tagbase/priority": "high"})


def test_a_missing_input_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="text"):

        @job
        def incomplete() -> None:
            shout()


def test_step_outputs_come_from_the_return_annotation() -> None:
    @step
    def loader() -> Annotated[list[int], ArtifactConfig(name="iris_data", tags=["raw"])]:
        return [1]

    @step
    def split(data: list[int]) -> tuple[list[int], list[int]]:
        return data, data

    @step
    def sink(data: list[int]) -> None:
        return None

    assert [(o.name, o.artifact, o.tags) for o in loader.outputs] == [
        ("iris_data", "iris_data", (Tag("raw"),))
    ]
    assert split.output_names == ("output_0", "output_1")
    assert sink.outputs == ()
    with pytest.raises(TagValidationError):

        @step
        def bad() -> Annotated[int, ArtifactConfig(name="x", tags=["a\nb"])]:
            return 1


def test_pipeline_keeps_tag_behaviours_and_model() -> None:
    model = Model(name="iris_classifier", version="1.0.0", tags=["sklearn"])

    @step
    def loader() -> int:
        return 1

    @pipeline(tags=[Tag("latest", exclusive=True), "experiment"], model=model)
    def my_pipeline() -> None:
        loader()

    assert my_pipeline.tags[0].exclusive is True
    assert my_pipeline.model is model
    built = my_pipeline.to_job()
    assert built.style == "pipeline"
    assert plan_job(built).steps[0].outputs[0].artifact == "my_pipeline::loader::output"


def test_graph_asset_runs_its_ops_as_steps() -> None:
    @graph_asset(tags={"team": "ml"})
    def slogan() -> object:
        return shout(my_op())

    plan = plan_job(Definitions(assets=[slogan], jobs=[define_asset_job("j")]).jobs[0])
    assert plan.keys == ("slogan.my_op", "slogan.shout")
    assert plan.step("slogan.shout").outputs[0].artifact == "slogan"


def test_definitions_refuse_duplicates_and_name_unknown_jobs() -> None:
    with pytest.raises(DefinitionError, match="asset 'leads'"):
        Definitions(assets=[leads, leads])
    defs = Definitions(assets=[leads], jobs=[define_asset_job("all_assets", "*")])
    assert defs.get_job_def("all_assets").assets == (leads,)
    with pytest.raises(UnknownDefinitionError, match="did you mean all_assets"):
        defs.get_job_def("all_asset")


def test_an_asset_cycle_is_refused() -> None:
    @asset(name="ping")
    def ping_asset(pong: int) -> int:
        return pong

    @asset(name="pong")
    def pong_asset(ping: int) -> int:
        return ping

    defs = Definitions(assets=[ping_asset, pong_asset], jobs=[define_asset_job("loop")])
    with pytest.raises(DefinitionError, match="cycle"):
        plan_job(defs.get_job_def("loop"))


def test_output_is_subscriptable_in_step_annotations() -> None:
    @step
    def counted() -> Output[int]:
        return Output(3, metadata={"n": 3})

    assert counted.output_names == ("output",)
    assert counted.fn().metadata["n"] == MetadataValue.int(3)


def test_an_unresolvable_step_annotation_is_named() -> None:
    with pytest.raises(DefinitionError, match="NotImported"):

        @step
        def vague() -> NotImported:  # type: ignore[name-defined]  # noqa: F821
            return 1


def test_a_schedule_decorator_keeps_its_name_when_applied_twice() -> None:
    hourly = schedule(cron_schedule="0 * * * *", job_name="report", name="hourly_report")

    @hourly
    def first() -> None:
        return None

    @hourly
    def second() -> None:
        return None

    assert (first.name, second.name) == ("hourly_report", "hourly_report")


def test_merged_definitions_keep_every_resource() -> None:
    shared = object()
    one = Definitions(resources={"db": shared, "cache": "a"})
    two = Definitions(resources={"db": shared, "queue": "b"})
    assert dict(Definitions.merge(one, two).resources) == {"db": shared, "cache": "a", "queue": "b"}
    with pytest.raises(DefinitionError, match="resource 'cache'"):
        Definitions.merge(one, Definitions(resources={"cache": "other"}))
