"""The pages' forms: tags added and removed (CSRF-protected, recorded as the user), tags
registered and changed, runs launched from the launchpad and re-executed, and sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tagbase import Kind, job, op
from tagbase.client import Client
from tagbase.definitions import Definitions
from tagbase.execution._sync import sync_definitions
from tagbase.server import create_app
from tagbase.server._security import Security

broken = {"on": False}


@op
def start() -> int:
    return 1


@op
def finish(value: int) -> int:
    if broken["on"]:
        raise ValueError("broken for now")
    return value + 1


@job(tags={"team": "ml", "env": "dev"})
def nightly() -> None:
    finish(start())


@pytest.fixture
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    from tagbase.store import Store

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('forms') / 'ui.db'}", actor="tester")
    yield Client(store)
    store.close()


@pytest.fixture
def app(catalog: Client) -> Iterator[FastAPI]:
    definitions = Definitions(jobs=[nightly])
    sync_definitions(definitions, catalog.store)
    made = create_app(catalog, definitions=definitions, security=Security())
    yield made
    made.state.launcher.wait(30)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def csrf_of(browser: TestClient, url: str) -> str:
    html = browser.get(url).text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert found is not None
    return found.group(1)


def post(browser: TestClient, url: str, form: dict[str, object], page: str) -> str:
    """Post a form the way the page would, following the redirect; the page shown next."""
    response = browser.post(url, data={**form, "csrf_token": csrf_of(browser, page)})
    assert response.status_code == 200, response.text[:2000]
    return response.text


def run_of(catalog: Client) -> str:
    catalog.create_run("nightly", tags={"env": "prod"}, status="success")
    return catalog.list_runs(pipeline_name_or_id="nightly", size=1)[0].id


def test_a_tag_added_to_a_run_is_recorded_as_the_user(browser: TestClient, catalog: Client) -> None:
    run_id = run_of(catalog)
    page = f"/runs/{run_id}"
    form = {"action": "add", "tag": "reviewed=yes", "next": page}
    html = post(browser, f"/entity-tags/run/{run_id}", form, page)
    assert "Added tag reviewed=yes." in html
    held = {t.name: t for t in catalog.get_run(run_id).tags.assigned}["reviewed=yes"]
    assert (held.source, held.actor) == ("user", "tester")
    assert 'data-tag="reviewed=yes"' in html


def test_a_tag_removed_from_an_asset_version(browser: TestClient, catalog: Client) -> None:
    catalog.create_artifact("table")
    version = catalog.create_artifact_version("table", tags=["raw", "checked"])
    page = f"/asset-versions/{version.id}"
    form = {"action": "remove", "tag": "raw", "next": page}
    html = post(browser, f"/entity-tags/asset_version/{version.id}", form, page)
    assert "Removed tag raw." in html
    assert catalog.get_artifact_version(version.id).tag_names == ["checked"]


def test_a_bad_tag_is_reported_on_the_page(browser: TestClient, catalog: Client) -> None:
    catalog.create_artifact("strict_asset")
    form = {"action": "add", "tag": "bad key=x", "next": "/assets/strict_asset"}
    html = post(browser, "/entity-tags/asset/strict_asset", form, "/assets/strict_asset")
    assert "notice-error" in html
    assert "bad key" in html
    assert catalog.get_artifact("strict_asset").tags == {}


def test_a_form_without_its_csrf_token_is_refused(browser: TestClient, catalog: Client) -> None:
    run_id = run_of(catalog)
    browser.get("/runs")  # the browser has its CSRF cookie
    form = {"action": "add", "tag": "sneaky", "next": "/"}
    response = browser.post(f"/entity-tags/run/{run_id}", data=form)
    assert response.status_code == 403
    assert "CSRF" in response.text
    forged = browser.post(f"/entity-tags/run/{run_id}", data={**form, "csrf_token": "guess"})
    assert forged.status_code == 403
    assert not catalog.get_run(run_id).has_tag("sneaky")


def test_a_form_posted_from_another_site_is_refused(browser: TestClient, catalog: Client) -> None:
    run_id = run_of(catalog)
    form = {"action": "add", "tag": "sneaky", "csrf_token": csrf_of(browser, "/runs")}
    response = browser.post(
        f"/entity-tags/run/{run_id}", data=form, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert not catalog.get_run(run_id).has_tag("sneaky")


def test_the_next_page_after_a_form_stays_on_this_site(
    browser: TestClient, catalog: Client
) -> None:
    run_id = run_of(catalog)
    form = {"action": "add", "tag": "x", "next": "//evil.example/", "csrf_token": ""}
    form["csrf_token"] = csrf_of(browser, "/runs")
    response = browser.post(f"/entity-tags/run/{run_id}", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def wait_for(app: FastAPI) -> None:
    app.state.launcher.wait(30)


def test_the_launchpad_launches_a_job_with_added_tags(
    app: FastAPI, browser: TestClient, catalog: Client
) -> None:
    page = "/launchpad?job=nightly"
    assert 'data-tag="team=ml"' in browser.get(page).text  # the job's tags, read-only
    form = {"job": "nightly", "tag_key": ["env", "reason"], "tag_value": ["prod", "backfill"]}
    html = post(browser, "/launchpad", form, page)
    wait_for(app)
    run = catalog.list_runs(pipeline_name_or_id="nightly", size=1)[0]
    assert f"Launched run {run.name}." in html
    tags = {t.key: (t.value, t.source) for t in catalog.get_run(run.id).tags.assigned}
    assert tags["env"] == ("prod", "launch")  # overrides the job's env=dev
    assert tags["reason"] == ("backfill", "launch")
    assert tags["team"] == ("ml", "definition")
    done = browser.get(f"/runs/{run.id}").text
    assert "status-success" in done
    assert "finish" in done


def test_the_launchpad_launches_a_template(
    app: FastAPI, browser: TestClient, catalog: Client
) -> None:
    catalog.create_run_template("weekly", "nightly", tags={"cadence": "weekly", "env": "staging"})
    page = "/launchpad?template=weekly"
    html = browser.get(page).text
    assert 'data-tag="cadence=weekly"' in html
    post(browser, "/launchpad", {"job": "nightly", "template": "weekly", "tag_key": ["env"],
                                 "tag_value": ["prod"]}, page)  # fmt: skip
    wait_for(app)
    run = catalog.list_runs(pipeline_name_or_id="nightly", size=1)[0]
    assert run.tag_dict["cadence"] == "weekly"
    assert run.tag_dict["env"] == "prod"


def test_the_launchpad_reports_bad_tags_and_keeps_them(
    browser: TestClient, catalog: Client
) -> None:
    page = "/launchpad?job=nightly"
    form = {"job": "nightly", "tag_key": ["tagbase/priority"], "tag_value": ["soon"]}
    response = browser.post("/launchpad", data={**form, "csrf_token": csrf_of(browser, page)})
    assert response.status_code == 400
    assert "tagbase/priority" in response.text
    assert 'value="soon"' in response.text
    assert catalog.count(Kind.RUN, scope="nightly") == 0


def test_a_job_without_loaded_code_cannot_be_launched(browser: TestClient, catalog: Client) -> None:
    catalog.create_pipeline("elsewhere")
    html = browser.get("/launchpad?job=elsewhere").text
    assert "cannot run here" in html
    form = {"job": "elsewhere"}
    response = browser.post(
        "/launchpad", data={**form, "csrf_token": csrf_of(browser, "/launchpad")}
    )
    assert response.status_code == 400


def test_a_failed_run_is_reexecuted_from_its_failure(
    app: FastAPI, browser: TestClient, catalog: Client
) -> None:
    broken["on"] = True
    try:
        post(browser, "/launchpad", {"job": "nightly"}, "/launchpad?job=nightly")
        wait_for(app)
    finally:
        broken["on"] = False
    parent = catalog.list_runs(pipeline_name_or_id="nightly", size=1)[0]
    assert parent.status == "failed"
    page = f"/runs/{parent.id}"
    assert "Re-execute from failure" in browser.get(page).text
    html = post(browser, f"/runs/{parent.id}/reexecute", {"from_failure": "true"}, page)
    wait_for(app)
    child = catalog.list_runs(pipeline_name_or_id="nightly", size=1)[0]
    assert "Re-executing as run" in html
    assert child.status == "success"
    assert child.tag_dict["tagbase/parent_run_id"] == parent.id
    assert child.tag_dict["tagbase/root_run_id"] == parent.id


def test_tags_are_registered_and_changed(browser: TestClient, catalog: Client) -> None:
    form = {"name": "gold", "color": "yellow", "description": "best", "exclusive": "true"}
    html = post(browser, "/tags", form, "/tags")
    assert "Registered tag gold." in html
    assert catalog.get_tag("gold").exclusive
    post(browser, "/tags/gold", {"color": "green", "description": "<i>changed</i>"}, "/tags/gold")
    changed = catalog.get_tag("gold")
    assert (changed.color, changed.description, changed.exclusive) == (
        "green",
        "<i>changed</i>",
        False,
    )
    assert "&lt;i&gt;changed&lt;/i&gt;" in browser.get("/tags").text


def test_an_exclusive_tag_moved_from_the_ui_shows_in_its_history(
    browser: TestClient, catalog: Client
) -> None:
    catalog.create_tag("champion", exclusive=True)
    catalog.create_model("clf")
    one = catalog.create_model_version("clf", "1", tags=["champion"])
    two = catalog.create_model_version("clf", "2")
    page = f"/model-versions/{two.id}"
    post(browser, f"/entity-tags/model_version/{two.id}", {"action": "add", "tag": "champion",
                                                           "next": page}, page)  # fmt: skip
    assert catalog.get_model_version("clf", "2").has_tag("champion")
    assert not catalog.get_model_version("clf", "1").has_tag("champion")
    history = browser.get("/tags/champion").text
    assert "pill-move" in history
    assert f'href="/model-versions/{two.id}"' in history
    assert f'href="/model-versions/{one.id}"' in history


def test_with_tokens_pages_ask_to_sign_in(catalog: Client) -> None:
    secured = create_app(catalog, security=Security(read_tokens=("r",), write_tokens=("w",)))
    with TestClient(secured, base_url="http://127.0.0.1") as browser:
        response = browser.get("/assets", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Fassets"
        token = csrf_of(browser, "/login")
        wrong = browser.post("/login", data={"token": "nope", "csrf_token": token})
        assert wrong.status_code == 401
        signed = browser.post("/login", data={"token": "r", "csrf_token": token, "next": "/runs"})
        assert signed.status_code == 200
        assert "<h1>Runs</h1>" in signed.text
        catalog.create_artifact("a")
        form = {"action": "add", "tag": "x", "next": "/", "csrf_token": token}
        refused = browser.post("/entity-tags/asset/a", data=form)
        assert refused.status_code == 403  # a read token may not write
        assert catalog.get_artifact("a").tags == {}


def test_an_admin_sets_a_tag_keys_policy_on_the_tag_page(
    browser: TestClient, catalog: Client
) -> None:
    catalog.create_tag("stage=production")
    form = {
        "target": "stage",
        "allowed_values": "dev, production",
        "assignable_by": "team:ml-leads, alice",
    }
    html = post(browser, "/tags/stage=production/policy", form, "/tags/stage=production")
    assert "Saved the policy of stage." in html
    assert "team:ml-leads, alice" in html
    policy = catalog.store.get_tag_policy("stage")
    assert policy is not None
    assert policy.allowed_values == ("dev", "production")
    bad = post(
        browser, "/tags/stage=production/policy", {"target": "stage", "assignable_by": "role:boss"},
        "/tags/stage=production",
    )  # fmt: skip
    assert "names no role" in bad
