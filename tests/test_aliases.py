"""Aliases as MLflow users know them: `iris_classifier@champion` is the version holding the
exclusive tag `champion`, from Python, the CLI and the API. A name holding `@` stays reachable."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from tagbase import Client, Kind, NotFoundError, asset, materialize
from tagbase._records import alias_parts
from tagbase.cli import cli
from tagbase.server import create_app
from tagbase.server._security import Security


@pytest.fixture
def iris(client: Client) -> Client:
    """iris_classifier 1.0.0 (the champion), 2.0.0, and a version named `v@champion`."""
    client.create_tag("champion", exclusive=True)
    client.create_tag("production", exclusive=True)
    client.create_model("iris_classifier")
    client.create_model_version("iris_classifier", "1.0.0", tags=["champion"])
    client.create_model_version("iris_classifier", "2.0.0")
    client.create_model_version("iris_classifier", "v@champion")
    return client


def test_an_alias_names_the_holder_of_the_exclusive_tag(iris: Client) -> None:
    assert iris.get_model_version("iris_classifier@champion").name == "1.0.0"
    iris.update_model_version("iris_classifier", "2.0.0", add_tags=["champion"])
    assert iris.get_model_version("iris_classifier@champion").name == "2.0.0"  # it follows


def test_every_lookup_without_a_parent_reads_an_alias(iris: Client) -> None:
    assert iris.get(Kind.MODEL_VERSION, "iris_classifier@champion").name == "1.0.0"
    iris.update(Kind.MODEL_VERSION, "iris_classifier@champion", add_tags=["approved"])
    assert iris.get_model_version("iris_classifier", "1.0.0").has_tag("approved")


def test_a_name_holding_an_at_sign_stays_reachable(iris: Client) -> None:
    named = iris.get_model_version("iris_classifier", "v@champion")  # the parent given apart
    assert named.name == "v@champion"
    assert iris.get_model_version(named.id).name == "v@champion"  # by id
    iris.create_model("m@exp")  # `exp` is no exclusive tag: the text is a name
    iris.create_model_version("m@exp", "1")
    assert iris.get_model_version("m@exp").name == "1"


def test_an_alias_nobody_holds_is_an_error_naming_it_and_the_fix(iris: Client) -> None:
    with pytest.raises(NotFoundError) as raised:
        iris.get_model_version("iris_classifier@production")
    message = str(raised.value)
    assert "'iris_classifier@production'" in message
    assert "Client().add_tags('model_version', VERSION, ['production']" in message
    with pytest.raises(NotFoundError, match="no model 'nope'"):
        iris.get_model_version("nope@champion")


def test_a_model_alone_gives_its_latest_version(iris: Client) -> None:
    assert iris.get_model_version("iris_classifier").name == "v@champion"


def test_a_run_alias_names_the_run_holding_the_tag(client: Client) -> None:
    client.create_tag("latest", exclusive=True)
    client.create_pipeline("nightly")
    client.create_run("nightly", "first", tags=["latest"])
    client.create_run("nightly", "second", tags=["latest"])
    assert client.get_run("nightly@latest").name == "second"


calls = {"n": 0}


@asset
def numbers() -> list[int]:
    calls["n"] += 1
    return list(range(calls["n"]))


def test_artifact_aliases_get_and_load_the_holder(client: Client) -> None:
    client.create_tag("production", exclusive=True)
    calls["n"] = 0
    materialize([numbers])
    materialize([numbers])
    client.update_artifact_version("numbers", 1, add_tags=["production"])
    assert client.get_artifact_version("numbers@production").number == 1
    assert client.load_artifact("numbers@production") == [0]
    assert client.load_artifact("numbers") == [0, 1]  # no alias: the latest, as before


def cli_run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_shows_and_updates_by_alias(iris: Client) -> None:
    code, out, _ = cli_run("model", "version", "show", "iris_classifier@champion", "--json")
    assert code == 0
    assert json.loads(out)["name"] == "1.0.0"
    code, _, _ = cli_run("model", "version", "update", "iris_classifier@champion", "-t", "ok")
    assert code == 0
    assert iris.get_model_version("iris_classifier", "1.0.0").has_tag("ok")
    code, out, _ = cli_run("model", "version", "show", "iris_classifier", "v@champion", "--json")
    assert json.loads(out)["name"] == "v@champion"


def test_the_cli_names_its_own_fix_for_an_alias_nobody_holds(iris: Client) -> None:
    code, _, err = cli_run("model", "version", "show", "iris_classifier@production")
    assert code == 1
    assert "tagbase model version update iris_classifier VERSION -t production" in err
    assert "Client(" not in err


@pytest.fixture
def api(iris: Client) -> Iterator[TestClient]:
    with TestClient(create_app(iris, security=Security()), base_url="http://127.0.0.1") as web:
        yield web


def test_the_api_reads_an_alias(api: TestClient) -> None:
    found = api.get("/api/model_versions/iris_classifier@champion")
    assert found.status_code == 200
    assert found.json()["name"] == "1.0.0"
    missing = api.get("/api/model_versions/iris_classifier@production")
    assert missing.status_code == 404
    message = missing.json()["error"]["message"]
    assert "POST /api/model_versions/VERSION/tags?scope=iris_classifier" in message
    assert "Client(" not in message


names = st.text(min_size=1, max_size=20)


@given(parent=names, tag=names.filter(lambda text: "@" not in text))
def test_an_alias_splits_at_its_last_at_sign(parent: str, tag: str) -> None:
    assert alias_parts(f"{parent}@{tag}") == (parent, tag)


@given(text=st.text(max_size=30))
def test_text_is_an_alias_only_with_a_parent_and_a_tag_around_an_at_sign(text: str) -> None:
    parts = alias_parts(text)
    if parts is None:
        parent, at, tag = text.rpartition("@")
        assert not (at and parent and tag)
    else:
        assert f"{parts[0]}@{parts[1]}" == text
        assert "@" not in parts[1]
