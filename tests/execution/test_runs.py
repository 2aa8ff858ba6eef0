"""Running jobs and assets: runs, steps, events, tags with provenance, and failures."""

from __future__ import annotations

import json

import pytest

from tagbase import (
    AssetExecutionContext,
    Client,
    MaterializeResult,
    MetadataValidationError,
    NotFoundError,
    Output,
    TagValidationError,
    UnknownDefinitionError,
    asset,
    define_asset_job,
    get_step_context,
    job,
    log_metadata,
    materialize,
    op,
    reexecute,
)
from tagbase.definitions import Definitions

calls: list[str] = []


@op
def one() -> int:
    calls.append("one")
    return 1


@op
def add_one(value: int) -> int:
    calls.append("add_one")
    return value + 1


@op
def explode(value: int) -> int:
    raise ValueError(f"cannot handle {value}")


@op
def independent() -> str:
    return "fine"


@job(tags={"team": "ml", "env": "dev"})
def counting() -> None:
    add_one(add_one(one()))


@job
def failing() -> None:
    add_one(explode(one()))
    independent()


def tags_of(client: Client, run_id: str) -> dict[str, tuple[str, str]]:
    return {t.key: (t.value, t.source) for t in client.get_run(run_id).tags.assigned}


def test_a_job_runs_in_order_and_records_run_and_steps(client: Client) -> None:
    result = counting.execute_in_process(tags={"env": "prod", "who": "me"})
    assert result.success
    assert result.output_for_node("add_one_2") == 3
    run = client.get_run(result.run_id)
    assert run.status == "success"
    assert run.scope is not None
    assert run.scope.name == "counting"
    assert tags_of(client, result.run_id) == {
        "team": ("ml", "definition"),
        "env": ("prod", "launch"),  # a launch tag overrides the job's
        "who": ("me", "launch"),
    }
    assert {"tagbase/started_at", "tagbase/ended_at", "tagbase/duration_s"} <= set(run.metadata)
    steps = client.list_run_steps(result.run_id)
    assert [(s.key, s.op, s.status) for s in steps] == [
        ("one", "one", "success"),
        ("add_one", "add_one", "success"),
        ("add_one_2", "add_one", "success"),
    ]
    assert all(s.duration is not None and s.duration >= 0 for s in steps)
    events = [e.event for e in client.list_run_events(result.run_id)]
    assert events[:2] == ["run_queued", "run_started"]
    assert events[-1] == "run_success"
    assert events.count("step_success") == 3


def test_the_job_and_its_ops_are_in_the_catalog(client: Client) -> None:
    counting.execute_in_process()
    assert client.get_pipeline("counting").tag_dict == {"team": "ml", "env": "dev"}
    assert client.get("op", "add_one").name == "add_one"


def test_a_failing_op_fails_the_run_with_its_error_and_stack(client: Client) -> None:
    with pytest.raises(ValueError, match="cannot handle 1") as raised:
        failing.execute_in_process()
    note = " ".join(getattr(raised.value, "__notes__", []))
    assert "step 'explode' failed" in note
    [run] = client.list_runs(pipeline_name_or_id="failing")
    assert run.status == "failed"
    assert run.metadata["tagbase/failed_step"].value == "explode"
    assert run.metadata["tagbase/error"].value == "ValueError: cannot handle 1"
    assert "raise ValueError" in run.metadata["tagbase/stack_trace"].value
    statuses = {s.key: s.status for s in client.list_run_steps(run.id)}
    assert statuses == {
        "one": "success",
        "explode": "failed",
        "independent": "success",  # independent steps still run
        "add_one": "skipped",
    }
    failed = next(s for s in client.list_run_steps(run.id) if s.key == "explode")
    assert failed.error == "ValueError: cannot handle 1"
    assert failed.stack is not None
    assert "cannot handle" in failed.stack


@op
def unprintable() -> None:
    context = get_step_context()
    context.log.info("log with a NUL \x00 byte")
    raise ValueError("a NUL \x00 and a lone surrogate \udc80")


@job
def unprintable_failure() -> None:
    unprintable()


def test_an_error_text_no_store_could_hold_is_recorded_escaped(client: Client) -> None:
    result = unprintable_failure.execute_in_process(raise_on_error=False)
    run = client.get_run(result.run_id)
    assert run.status == "failed"  # recorded, not stuck as started
    error = "ValueError: a NUL \\x00 and a lone surrogate \\udc80"
    assert run.metadata["tagbase/error"].value == error
    [step] = client.list_run_steps(run.id)
    assert step.error == error
    assert "\\x00" in run.metadata["tagbase/stack_trace"].value


def test_raise_on_error_false_returns_the_failed_result(client: Client) -> None:
    result = failing.execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.failed_steps == ["explode"]
    assert client.get_run(result.run_id).status == "failed"


def test_reexecution_from_failure_runs_the_rest_and_links_the_runs(client: Client) -> None:
    first = failing.execute_in_process(tags={"attempt": "x"}, raise_on_error=False)
    calls.clear()
    second = reexecute(failing, first.run_id, raise_on_error=False)
    third = reexecute(failing, second.run_id, raise_on_error=False)
    assert calls == ["one", "one"]  # `one`'s output is no artifact, so it runs again
    for run in (second, third):
        tags = client.get_run(run.run_id).tag_dict
        assert tags["tagbase/root_run_id"] == first.run_id
        assert tags["attempt"] == "x"
    assert client.get_run(third.run_id).tag_dict["tagbase/parent_run_id"] == second.run_id


def test_op_selection_runs_a_subset_and_says_so(client: Client) -> None:
    result = counting.execute_in_process(op_selection=["one"])
    assert list(result.steps) == ["one"]
    value, source = tags_of(client, result.run_id)["tagbase/op_selection"]
    assert (json.loads(value), source) == (["one"], "system")
    assert "tagbase/op_selection" not in tags_of(client, counting.execute_in_process().run_id)


def test_image_tag_comes_from_the_environment(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGBASE_IMAGE", "registry/app:1.2")
    result = counting.execute_in_process()
    assert tags_of(client, result.run_id)["tagbase/image"] == ("registry/app:1.2", "system")


def test_bad_launch_tags_write_nothing(client: Client) -> None:
    with pytest.raises(TagValidationError, match="tagbase/priority"):
        counting.execute_in_process(tags={"tagbase/priority": "high"})
    assert client.count("run") == 0


@asset(tags={"domain": "sales"}, kinds={"python"})
def orders(context: AssetExecutionContext) -> list[int]:
    context.add_output_metadata({"source": "api"})
    log_metadata({"fetched": 3}, infer_artifact=True)
    return [1, 2, 3]


@asset
def order_total(orders: list[int]) -> Output[int]:  # type: ignore[type-arg]
    return Output(sum(orders), metadata={"count": len(orders)})


@asset(deps=[order_total])
def report() -> MaterializeResult:
    return MaterializeResult(metadata={"tagbase/row_count": 2})


def test_materialize_records_versions_with_runtime_metadata(client: Client) -> None:
    result = materialize([orders, order_total, report], tags={"why": "test"})
    assert result.asset_value("order_total") == 6
    version = client.get_artifact_version("orders", 1)
    assert version.metadata["source"].value == "api"
    assert version.metadata["fetched"].value == 3
    assert version.metadata["tagbase/run_id"].value == result.run_id
    assert version.load() == [1, 2, 3]
    assert client.get_artifact_version("order_total", 1).metadata["count"].value == 3
    reported = client.get_artifact_version("report", 1)
    assert reported.metadata["tagbase/row_count"].value == 2
    assert reported.uri is None  # a MaterializeResult without a value stores nothing
    assert client.get_artifact("orders").tag_dict["domain"] == "sales"
    assert [s.key for s in client.list_run_steps(result.run_id)] == [
        "orders",
        "order_total",
        "report",
    ]


def test_an_upstream_asset_is_read_from_its_stored_version(client: Client) -> None:
    materialize([orders])
    calls_before = client.count("asset_version", scope="orders")
    result = materialize([orders, order_total], selection="order_total")
    assert result.asset_value("order_total") == 6
    assert client.count("asset_version", scope="orders") == calls_before


def test_an_upstream_asset_never_stored_is_refused_before_the_run(client: Client) -> None:
    with pytest.raises(NotFoundError, match=r"'orders'.*materialize"):
        materialize([orders, order_total], selection="order_total")
    assert client.count("run") == 0


def test_an_unknown_asset_in_a_selection_writes_nothing(client: Client) -> None:
    with pytest.raises(UnknownDefinitionError, match="ordrs"):
        materialize([orders], selection="+ordrs")
    with pytest.raises(UnknownDefinitionError):
        Definitions(assets=[orders], jobs=[define_asset_job("j", selection="nope")])
    assert client.count("run") == 0
    assert client.count("asset") == 0


def test_bad_runtime_metadata_fails_the_step_and_writes_no_version(client: Client) -> None:
    @asset
    def bad() -> MaterializeResult:
        return MaterializeResult(metadata={"tagbase/row_count": -1})

    with pytest.raises(MetadataValidationError):
        materialize([bad])
    assert client.count("asset_version") == 0
    [run] = client.list_runs()
    assert run.status == "failed"


def test_an_asset_job_materializes_its_selection(client: Client) -> None:
    defs = Definitions(
        assets=[orders, order_total, report],
        jobs=[
            define_asset_job("sales", selection="kind:python or orders+", tags={"owner": "sales"})
        ],
    )
    result = defs.get_job_def("sales").execute_in_process()
    assert sorted(result.steps) == ["order_total", "orders"]
    assert client.get_run(result.run_id).tag_dict == {"owner": "sales"}
