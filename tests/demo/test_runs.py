"""The demo runs the example project several times and shows what it recorded; running it
again adds history. On SQLite and PostgreSQL; the server it can start is never started here."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tagbase import Kind
from tagbase.cli import cli
from tagbase.cli._demo import sparkline
from tagbase.client import Client
from tagbase.demo import SCHEDULE, DemoRuns, run_demo

ROUNDS = 2
JOBS = [job for job, _ in SCHEDULE]


@pytest.fixture
def demo(client: Client) -> DemoRuns:
    return run_demo(client, rounds=ROUNDS)


def _single_holder(client: Client, tag: str, kind: Kind) -> None:
    holders = Counter(e.scope.name if e.scope else None for e in client.list(kind, tags=[tag]))
    assert holders
    assert set(holders.values()) == {1}, holders


def test_each_job_runs_once_per_round(client: Client, demo: DemoRuns) -> None:
    assert [run.job_name for run in demo.runs] == JOBS * ROUNDS
    assert all(run.success for run in demo.runs)
    for job in JOBS:
        assert client.count(Kind.RUN, scope=job, tags={"env": "demo"}) == ROUNDS
    assert demo.asset_versions == client.count(Kind.ASSET_VERSION)


def test_the_catalog_has_history(client: Client, demo: DemoRuns) -> None:
    assert client.count(Kind.ASSET_VERSION, scope="leads") == ROUNDS
    assert client.count(Kind.MODEL_VERSION, scope="iris_classifier") == ROUNDS
    _single_holder(client, "latest", Kind.RUN)
    _single_holder(client, "champion", Kind.MODEL_VERSION)
    moved = {e.entity.scope_name for e in client.tag_history(tag="latest") if e.reason == "moved"}
    assert moved == {"iris_training", "fraud_training"}
    assert len(client.metadata_series(Kind.MODEL, "iris_classifier", "accuracy")) == ROUNDS
    registered = {tag.name for tag in client.list_tags(registered_only=True)}
    assert {"latest", "champion", "iris_baseline", "pii=true"} <= registered


def test_running_the_demo_again_adds_history(client: Client, demo: DemoRuns) -> None:
    again = run_demo(client, rounds=1)
    assert len(again.runs) == len(JOBS)
    assert client.count(Kind.RUN) == len(JOBS) * (ROUNDS + 1)
    assert client.count(Kind.MODEL_VERSION, scope="iris_classifier") == ROUNDS + 1
    newest = client.list_runs(pipeline_name_or_id="iris_training", size=1)[0]
    assert newest.id == again.runs[JOBS.index("iris_training")].run_id
    assert newest.has_tag("latest")
    _single_holder(client, "latest", Kind.RUN)
    _single_holder(client, "champion", Kind.MODEL_VERSION)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_the_command_prints_what_it_made(client: Client, store_url: str) -> None:
    result = invoke("demo", "--rounds", "1")
    assert result.exit_code == 0, result.output
    for title in ("Assets", "Newest runs", "Model versions", "Metric series",
                  "Exclusive tag moves", "Registered tags"):  # fmt: skip
        assert title in result.stdout
    for name in ("leads_by_channel", "iris_classifier", "fraud_detector", "champion"):
        assert name in result.stdout
    assert "Ran the example project: 5 runs (0 failed)" in result.stdout
    if store_url.startswith("sqlite:///"):
        assert store_url.removeprefix("sqlite:///") in result.stdout
    assert "tagbase materialize --select 'tag:refresh=nightly'" in result.stdout
    assert "web UI" not in result.stdout


def test_serve_starts_the_web_ui_after_printing(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tagbase.server import _pages, _serve

    served: list[tuple[Any, str, int]] = []

    def run_server(app: Any, host: str, port: int) -> None:
        served.append((app, host, port))

    monkeypatch.setattr(_serve, "run_server", run_server)
    result = invoke("demo", "--rounds", "1", "--serve", "--port", "3999")
    assert result.exit_code == 0, result.output
    if not _pages.router.routes:  # the UI's pages are not there yet: the demo says so, stops
        assert "no web UI pages yet" in result.stdout
        return
    [(app, host, port)] = served
    assert (host, port) == ("127.0.0.1", 3999)
    assert app.state.definitions.job_names[0] == "nightly_marketing"
    assert "http://127.0.0.1:3999" in result.stdout


def test_home_and_database_options_reach_the_runs(tmp_path: Any) -> None:
    home = tmp_path / "elsewhere"
    result = invoke("--home", str(home), "demo", "--rounds", "1")
    assert result.exit_code == 0, result.output
    assert (home / "tagbase.db").exists()
    assert any((home / "artifacts").rglob("*.parquet"))


def test_sparkline_spans_lowest_to_highest() -> None:
    assert sparkline([1.0, 2.0, 3.0]) == "▁▅█"
    assert sparkline([0.5, 0.5]) == "▁▁"
    assert sparkline([]) == ""
