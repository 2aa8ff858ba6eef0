"""Tests of the `tagbase` command line, on SQLite and PostgreSQL (through the `client` fixture,
whose catalog the CLI finds by TAGBASE_DATABASE_URL)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from tagbase import Client, Kind
from tagbase.cli import cli
from tagbase.cli._options import TIME
from tagbase.cli._render import shown_location, shown_url
from tagbase.store import head_revision


def run_cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def ok(*args: str) -> Result:
    """Run a command that must succeed."""
    result = run_cli(*args)
    assert result.exit_code == 0, f"{args}: {result.output}\n{result.exception!r}"
    return result


def ok_json(*args: str) -> Any:
    return json.loads(ok(*args, "--json").stdout)


def fails(*args: str, exit_code: int = 1) -> Result:
    result = run_cli(*args)
    assert result.exit_code == exit_code, f"{args}: {result.output}"
    assert "Traceback" not in result.output
    return result


def error_lines(result: Result) -> list[str]:
    """The stderr of a failed command; the first line is `error: ...`, any others indented."""
    lines = result.stderr.rstrip("\n").splitlines()
    assert lines[0].startswith("error: "), result.stderr
    assert all(line.startswith("  ") for line in lines[1:]), result.stderr
    assert result.stdout == ""
    return lines


@pytest.fixture
def iris(client: Client) -> Client:
    """The entities the seed's CLI lines name."""
    client.create_artifact("my_artifact")
    client.create_artifact("iris_data", tags=["raw"])
    client.create_artifact_version("iris_data", "2023-06-15", tags=["cleaned"])
    client.create_model("iris_classifier", tags=["classification", "iris-dataset"])
    client.create_model_version("iris_classifier", "1.0.0", tags=["candidate"])
    client.create_model_version("iris_classifier", "2.0.0", tags=["candidate", "experiment-42"])
    client.create_pipeline("training_pipeline", tags=["experimental"])
    client.create_run("training_pipeline", "run-a", tags=["experiment_42", "v2.1"])
    client.create_run("training_pipeline", "run-b", tags=["high_accuracy"])
    return client


# -- the seed's command lines -------------------------------------------------------------------


def test_seed_cli_lines_tag_the_right_entities(iris: Client) -> None:
    ok("artifacts", "update", "my_artifact", "-t", "production", "-t", "dataset")
    ok("model", "update", "iris_classifier", "--tag", "production-ready")
    ok("model", "version", "update", "iris_classifier", "2.0.0", "--tag", "approved")

    artifact = iris.get_artifact("my_artifact")
    assert artifact.tag_names == ["dataset", "production"]
    assert {tag.source for tag in artifact.tags.assigned} == {"user"}
    assert "production-ready" in iris.get_model("iris_classifier").tag_names
    assert "approved" in iris.get_model_version("iris_classifier", "2.0.0").tag_names
    assert "approved" not in iris.get_model_version("iris_classifier", "1.0.0").tag_names
    assert "production" not in iris.get_artifact("iris_data").tag_names


def test_update_adds_and_removes_tags_of_every_kind(iris: Client) -> None:
    ok("artifact", "version", "update", "iris_data", "2023-06-15", "-t", "final", "-r", "cleaned")
    ok("run", "update", "run-a", "-t", "archived", "-r", "v2.1")
    ok("pipeline", "update", "training_pipeline", "-t", "production")
    ok("model", "update", "iris_classifier", "-r", "iris-dataset")

    assert iris.get_artifact_version("iris_data", "2023-06-15").tag_names == ["final"]
    assert iris.get_run("run-a").tag_names == ["archived", "experiment_42"]
    assert "production" in iris.get_pipeline("training_pipeline").tag_names
    assert iris.get_model("iris_classifier").tag_names == ["classification"]


def test_a_version_is_found_by_name_or_by_number(iris: Client) -> None:
    ok("artifact", "version", "update", "iris_data", "1", "-t", "validated")
    ok("model", "version", "update", "iris_classifier", "2", "-t", "reviewed")

    assert "validated" in iris.get_artifact_version("iris_data", "2023-06-15").tag_names
    assert "reviewed" in iris.get_model_version("iris_classifier", "2.0.0").tag_names


def test_update_prints_the_entity_with_its_tags(iris: Client) -> None:
    output = ok("model", "version", "update", "iris_classifier", "2.0.0", "-t", "approved").stdout

    assert "2.0.0" in output
    assert "iris_classifier" in output
    assert "approved" in output
    assert "experiment-42" in output


# -- exclusive tags, history and holders --------------------------------------------------------


def _crown_two_versions() -> None:
    ok("tag", "register", "champion", "--exclusive", "--description", "best model")
    ok("model", "version", "update", "iris_classifier", "1.0.0", "-t", "champion")
    time.sleep(0.01)  # the move must come a measurable moment after the first add
    ok("model", "version", "update", "iris_classifier", "2.0.0", "-t", "champion")


def test_an_exclusive_tag_moves_and_history_shows_the_move(iris: Client) -> None:
    _crown_two_versions()

    assert "champion" not in iris.get_model_version("iris_classifier", "1.0.0").tag_names
    assert "champion" in iris.get_model_version("iris_classifier", "2.0.0").tag_names
    events = ok_json("tag", "history", "--tag", "champion")
    moved = [event for event in events if event["reason"] == "moved"]
    assert len(moved) == 1
    assert moved[0]["entity"]["name"] == "1.0.0"
    assert moved[0]["moved_to"]["name"] == "2.0.0"
    assert moved[0]["action"] == "removed"
    assert [event["action"] for event in events].count("added") == 2

    table = ok("tag", "history", "--tag", "champion").stdout
    assert "moved" in table
    assert "iris_classifier:2.0.0" in table


def test_history_of_one_entity(iris: Client) -> None:
    _crown_two_versions()

    events = ok_json(
        "tag", "history", "--kind", "model_version", "--entity", "1.0.0",
        "--scope", "iris_classifier",
    )  # fmt: skip

    assert {event["entity"]["name"] for event in events} == {"1.0.0"}
    assert {event["tag"] for event in events} == {"candidate", "champion"}


def test_tag_holders_answers_for_a_past_time(iris: Client) -> None:
    _crown_two_versions()
    first = next(
        tag
        for tag in iris.tag_history(tag="champion")
        if tag.action == "added" and tag.entity.name == "1.0.0"
    )
    scoped = ("--kind", "model_version", "--scope", "iris_classifier")

    then = ok_json("tag", "holders", "champion", "--at", first.at.isoformat(), *scoped)
    now = ok_json("tag", "holders", "champion", "--at", "now", *scoped)
    before = first.at - timedelta(seconds=1)
    earlier = ok("tag", "holders", "champion", "--at", before.isoformat(), *scoped).stdout

    assert [holder["name"] for holder in then] == ["1.0.0"]
    assert [holder["name"] for holder in now] == ["2.0.0"]
    assert "No entity held 'champion'" in earlier


def test_holders_reads_a_time_printed_by_history(iris: Client) -> None:
    _crown_two_versions()
    added = [e for e in ok_json("tag", "history", "--tag", "champion") if e["action"] == "added"]
    first_add = min(event["at"] for event in added)

    output = ok("tag", "holders", "champion", "--at", first_add, "--kind", "model_version").stdout

    assert "iris_classifier:1.0.0" in output
    assert "iris_classifier:2.0.0" not in output


# -- the tag registry ---------------------------------------------------------------------------


def test_registering_again_is_refused_and_update_changes_only_the_given_settings(
    iris: Client,
) -> None:
    ok("tag", "register", "champion", "--exclusive")
    refused = fails("tag", "register", "champion", "--no-exclusive")
    assert "'champion' is registered already" in refused.stderr
    assert "`tagbase tag update champion`" in refused.stderr
    assert "Client(" not in refused.stderr
    assert iris.get_tag("champion").exclusive
    ok("tag", "update", "champion", "--color", "blue")

    definition = iris.get_tag("champion")
    assert definition.exclusive
    assert definition.color == "blue"
    assert definition.registered


def test_tag_update_and_list(iris: Client) -> None:
    ok("tag", "register", "production", "--cascade")
    ok("tag", "update", "production", "--description", "serves traffic", "--no-cascade")

    registered = ok_json("tag", "list", "--registered")
    assert [tag["name"] for tag in registered] == ["production"]
    assert registered[0]["description"] == "serves traffic"
    assert registered[0]["cascade"] is False
    everything = {tag["name"]: tag for tag in ok_json("tag", "list")}
    assert everything["candidate"]["usage"] == {"model_version": 2}
    assert everything["candidate"]["usage_total"] == 2
    table = ok("tag", "list").stdout
    assert "2 model versions" in table
    assert "serves traffic" in table


def test_tag_delete_asks_first_and_takes_the_tag_off(iris: Client) -> None:
    declined = run_cli("tag", "delete", "candidate", input="n\n")
    assert declined.exit_code == 1
    assert "remove it from 2 entities" in declined.output
    assert iris.get_tag("candidate").usage_count == 2

    result = ok_json("tag", "delete", "candidate", "--yes")

    assert result == {"name": "candidate", "removed_from": 2}
    assert "candidate" not in iris.get_model_version("iris_classifier", "1.0.0").tag_names


# -- listings and JSON --------------------------------------------------------------------------


def test_json_output_parses_and_holds_the_tags(iris: Client) -> None:
    iris.create_model("fraud_detector", metadata={"accuracy": 0.92, "framework": "xgboost"})
    ok("model", "update", "iris_classifier", "-t", "production-ready")

    models = {model["name"]: model for model in ok_json("model", "list")}
    versions = ok_json("model", "version", "list", "iris_classifier")
    updated = ok_json("model", "update", "iris_classifier", "-t", "team=ml")

    iris_model = models["iris_classifier"]
    assert iris_model["kind"] == "model"
    assert sorted(tag["name"] for tag in iris_model["tags"]) == [
        "classification",
        "iris-dataset",
        "production-ready",
    ]
    added = next(tag for tag in iris_model["tags"] if tag["key"] == "production-ready")
    assert added["value"] == ""
    assert added["source"] == "user"
    assert added["actor"] == "tester"
    assert datetime.fromisoformat(added["added_at"]).tzinfo is not None
    assert models["fraud_detector"]["metadata"] == {
        "accuracy": {"type": "float", "value": 0.92},
        "framework": {"type": "text", "value": "xgboost"},
    }
    assert [version["version"] for version in versions] == ["2.0.0", "1.0.0"]
    assert versions[0]["scope"]["name"] == "iris_classifier"
    assert versions[0]["number"] == 2
    assert {"key": "team", "value": "ml"}.items() <= next(
        tag for tag in updated["tags"] if tag["key"] == "team"
    ).items()


def test_show_prints_tags_with_provenance_and_metadata(iris: Client) -> None:
    iris.log_metadata(Kind.ASSET, "iris_data", {"row_count": 150})

    output = ok("artifact", "show", "iris_data").stdout
    shown = ok_json("artifact", "show", "iris_data")

    assert "raw" in output
    assert "row_count" in output
    assert "150" in output
    assert shown["tags"][0]["source"] == "api"


def test_list_filters_take_operator_strings(iris: Client) -> None:
    def run_names(*filters: str) -> list[str]:
        options = [part for item in filters for part in ("--tag", item)]
        return sorted(run["name"] for run in ok_json("run", "list", *options))

    assert run_names("contains:experiment") == ["run-a"]
    assert run_names("startswith:v2") == ["run-a"]
    assert run_names("equals:high_accuracy") == ["run-b"]
    assert run_names("notequals:high_accuracy") == ["run-a"]
    assert run_names("oneof:high_accuracy,v2.1") == ["run-a", "run-b"]
    assert run_names("contains:experiment", "high_accuracy") == []


def test_listings_of_every_kind(iris: Client) -> None:
    assert [a["name"] for a in ok_json("artifacts", "list", "--tag", "raw")] == ["iris_data"]
    assert [v["name"] for v in ok_json("artifact", "version", "list")] == ["2023-06-15"]
    assert [p["name"] for p in ok_json("pipeline", "list")] == ["training_pipeline"]
    runs = ok_json("run", "list", "--pipeline", "training_pipeline", "--limit", "1")
    assert [run["name"] for run in runs] == ["run-b"]

    table = ok("run", "list", "--limit", "1").stdout
    assert "run-b" in table
    assert "Showing 1 of 2" in table
    assert "No models found." in ok("model", "list", "--tag", "nothing-has-this").stdout


def test_table_cells_are_not_read_as_markup(iris: Client) -> None:
    ok("run", "update", "run-b", "-t", "note=[bold]x[/bold]")

    assert "note=[bold]x[/bold]" in ok("run", "list").stdout


# -- errors -------------------------------------------------------------------------------------


def test_an_invalid_asset_tag_is_one_error_and_changes_nothing(iris: Client) -> None:
    result = fails("artifact", "update", "my_artifact", "-t", "good", "-t", "bad key=x")

    (line,) = error_lines(result)
    assert "'bad key'" in line
    assert "strict" in line
    assert iris.get_artifact("my_artifact").tag_names == []


def test_every_problem_of_a_tag_is_reported(iris: Client) -> None:
    result = fails("artifact", "update", "my_artifact", "-t", "bad key=x y")

    first, *problems = error_lines(result)
    assert first == "error: 2 invalid tags:"
    assert "key 'bad key'" in problems[0]
    assert "value 'x y'" in problems[1]
    assert iris.get_artifact("my_artifact").tag_names == []


def test_an_unknown_entity_is_an_error(iris: Client) -> None:
    (model,) = error_lines(fails("model", "update", "no_such_model", "-t", "x"))
    (version,) = error_lines(
        fails("model", "version", "update", "iris_classifier", "9.9", "-t", "x")
    )

    assert "no model 'no_such_model'" in model
    assert "'9.9'" in version
    assert iris.list_tags(key="x") == []


def test_updating_an_unknown_tag_is_an_error(iris: Client) -> None:
    (line,) = error_lines(fails("tag", "update", "no-such-tag", "--exclusive"))

    assert "no tag 'no-such-tag'" in line
    assert iris.list_tags(key="no-such-tag") == []


def test_a_bad_filter_points_at_the_problem(iris: Client) -> None:
    lines = error_lines(fails("run", "list", "--tag", 'oneof:["a"'))

    assert "oneof" in lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("model", "update", "iris_classifier"),
        ("tag", "update", "candidate"),
        ("tag", "history", "--entity", "1.0.0"),
        ("tag", "history", "--kind", "no-such-kind"),
        ("tag", "holders", "candidate", "--at", "yesterday-ish"),
        ("tag", "holders", "candidate", "--at", "now", "--scope", "iris_classifier"),
        ("no-such-command",),
    ],
)
def test_usage_errors_keep_exit_code_2(iris: Client, args: tuple[str, ...]) -> None:
    fails(*args, exit_code=2)


# -- the database -------------------------------------------------------------------------------


def test_db_upgrade_on_a_fresh_sqlite_file_and_status(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'catalog.db'}"
    head = head_revision()

    before = ok_json("--database-url", url, "db", "status")
    upgraded = ok("--database-url", url, "db", "upgrade").stdout
    after = ok_json("--database-url", url, "db", "status")
    again = ok("--database-url", url, "db", "upgrade").stdout

    assert before == {"database": url, "current": None, "head": head, "up_to_date": False}
    assert f"from revision none to {head}" in upgraded
    assert after["current"] == head
    assert after["up_to_date"] is True
    assert "already at revision" in again
    assert "up to date" in ok("--database-url", url, "db", "status").stdout
    assert ok_json("--database-url", url, "model", "list") == []


def test_a_shown_database_url_hides_its_password() -> None:
    assert shown_url("postgresql://me:secret@db.example:5432/tags") == (
        "postgresql://me:***@db.example:5432/tags"
    )
    assert shown_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    assert shown_location("sqlite:////tmp/x.db") == "/tmp/x.db"


def test_home_option_picks_the_catalog(tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"

    status = ok_json("--home", str(home), "db", "status")

    assert status["database"] == f"sqlite:///{home / 'tagbase.db'}"


# -- demo and help ------------------------------------------------------------------------------


def test_demo_runs_the_example_project_and_shows_the_catalog(
    client: Client, store_url: str
) -> None:
    output = ok("demo", "--rounds", "1").stdout

    for expected in ("iris_classifier", "leads_by_channel", "champion", "nightly_marketing"):
        assert expected in output
    assert "The catalog is at" in output
    if store_url.startswith("sqlite:///"):
        assert store_url.removeprefix("sqlite:///") in output
    assert "tagbase tag history" in output
    assert client.count(Kind.MODEL) == 2


def test_the_demo_can_run_again(client: Client) -> None:
    ok("demo", "--rounds", "1")
    ok("demo", "--rounds", "1")

    holders = client.list(Kind.MODEL_VERSION, scope="iris_classifier", tags=["champion"])
    assert holders.total == 1


def _commands(group: click.Group, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def test_every_command_has_help() -> None:
    paths = list(_commands(cli, ()))

    assert ("artifact", "version", "update") in paths
    assert ("tag", "holders") in paths
    for path in paths:
        output = ok(*path, "--help").stdout
        assert output.startswith("Usage: "), path
        assert "Traceback" not in output


def test_aliases_reach_the_same_commands() -> None:
    for alias, name in (("artifacts", "artifact"), ("assets", "artifact"), ("jobs", "pipeline")):
        by_alias = ok(alias, "--help").stdout.splitlines()
        by_name = ok(name, "--help").stdout.splitlines()
        assert by_alias[0] == by_name[0].replace(f" {name} ", f" {alias} ")
        assert by_alias[1:] == by_name[1:]


def test_times_without_a_zone_are_utc() -> None:
    assert TIME.convert("2024-05-01T12:00:00", None, None) == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert TIME.convert("2024-05-01T14:00:00+02:00", None, None) == datetime(
        2024, 5, 1, 12, tzinfo=UTC
    )


def test_tags_change_in_bulk_from_a_filter(client: Client) -> None:
    client.create_pipeline("train")
    for name, env in (("a", "prod"), ("b", "dev"), ("c", "prod")):
        client.create_run("train", name, tags={"env": env})

    preview = ok("tag", "add", "--filter", "tag:env=prod", "reviewed", "--dry-run").stdout
    assert "Would change 2 of 2 matching runs" in preview
    assert client.count(Kind.RUN, tags=["reviewed"]) == 0

    changed = ok_json("tag", "add", "--filter", "tag:env=prod", "reviewed", "--yes")
    assert (changed["matched"], changed["changed"]) == (2, 2)
    assert {run.name for run in client.list_runs(tags=["reviewed"])} == {"a", "c"}

    again = ok("tag", "add", "--filter", "job:train", "reviewed", "--yes").stdout
    assert "Changed 1 of 3 matching runs" in again

    ok("tag", "replace", "--filter", "job:train", "reviewed", "approved", "--yes")
    assert {run.name for run in client.list_runs(tags=["approved"])} == {"a", "b", "c"}
    assert client.count(Kind.RUN, tags=["reviewed"]) == 0

    ok("tag", "remove", "--filter", "tag:approved", "approved", "-y")
    assert client.count(Kind.RUN, tags=["approved"]) == 0


def test_nothing_changed_is_not_reported_as_a_change(client: Client) -> None:
    client.create_pipeline("train")
    for name in "abc":
        client.create_run("train", name)

    done = ok("tag", "remove", "--filter", "job:train", "reviewed").stdout

    assert "Changed 0 of 3 matching runs" in done


@pytest.mark.parametrize("command", [("add", "prod"), ("remove", "prod"), ("replace", "a", "b")])
@pytest.mark.parametrize("blank", [(), ("--filter", ""), ("--filter", "  ")])
def test_an_empty_filter_is_refused_without_all(
    client: Client, command: tuple[str, ...], blank: tuple[str, ...]
) -> None:
    client.create_model("churn", tags=["prod", "a"])

    lines = error_lines(fails("tag", *command, "--kind", "model", *blank, "--yes"))

    assert "the filter is empty" in lines[0]
    assert "--all" in lines[0]
    assert "all=True" not in lines[0]
    assert sorted(client.get_model("churn").tags) == ["a", "prod"]


def test_all_changes_every_entity_after_asking(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tagbase.cli._tags._interactive", lambda: True)
    for name in ("churn", "fraud"):
        client.create_model(name, tags=["prod"])

    declined = run_cli("tag", "remove", "--kind", "model", "--all", "prod", input="n\n")
    assert declined.exit_code == 1
    assert "Would change 2 of 2 matching models" in declined.stderr
    assert client.count(Kind.MODEL, tags=["prod"]) == 2

    accepted = run_cli("tag", "remove", "--kind", "model", "--all", "prod", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Changed 2 of 2 matching models" in accepted.stdout
    assert client.count(Kind.MODEL, tags=["prod"]) == 0


def test_without_a_terminal_a_bulk_change_needs_yes(client: Client) -> None:
    client.create_model("churn", tags=["prod"])

    lines = error_lines(fails("tag", "remove", "--kind", "model", "--all", "prod"))

    assert "1 model" in lines[0]
    assert "--yes" in lines[0]
    assert client.count(Kind.MODEL, tags=["prod"]) == 1


def test_a_malformed_filter_is_one_error_line_with_its_column(client: Client) -> None:
    result = fails("run", "list", "--filter", "tag:env=prod and")
    assert "column 17" in result.stderr
    assert result.stderr.startswith("error: ")
