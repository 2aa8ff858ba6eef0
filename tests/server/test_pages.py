"""Every page renders over the demo catalog, shows what it should, and escapes user text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tagbase import Kind, MetadataValue
from tagbase.client import Client
from tagbase.definitions import Definitions
from tagbase.demo import run_demo
from tagbase.execution import ArtifactStore
from tagbase.execution._runtime import Runtime, use_runtime
from tagbase.server import create_app
from tagbase.server._security import Security
from tagbase.store import EntitySpec, Store

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, Definitions]]:
    """The demo (the example project run twice), a run template, and entities whose names,
    tags and metadata try to inject HTML."""
    home = tmp_path_factory.mktemp("pages")
    store = Store(f"sqlite:///{home / 'tagbase.db'}", actor="tester")
    client = Client(store)
    # the module's runtime: the demo's artifacts, and the examples' own Client(), live here
    with use_runtime(Runtime(store, ArtifactStore.for_home(home))):
        definitions = run_demo(client, rounds=2).definitions
        client.create_run_template("weekly_hygiene", "lead_hygiene", tags={"cadence": "weekly"})
        client.create_pipeline("hostile_job", description=HOSTILE)
        client.bulk_create([EntitySpec(Kind.RUN, scope="hostile_job") for _ in range(40)])
        client.create_run("hostile_job", tags={"note": HOSTILE, "<b>label</b>": ""})
        client.create_artifact(
            HOSTILE,
            description="<b>bold</b>",
            metadata={
                "doc": MetadataValue.md(f"{HOSTILE}\n\n[click](javascript:alert(3)) and **fine**"),
                "home": MetadataValue.url("javascript:alert(4)"),
                "site": MetadataValue.url("https://example.com/?a=1&b=<2>"),
                "config": {"html": HOSTILE},
            },
        )
        yield client, definitions
    store.close()


@pytest.fixture(scope="module")
def catalog(demo: tuple[Client, Definitions]) -> Client:
    return demo[0]


@pytest.fixture(scope="module")
def browser(demo: tuple[Client, Definitions]) -> Iterator[TestClient]:
    client, definitions = demo
    app = create_app(client, definitions=definitions, security=Security())
    with TestClient(app) as test_client:
        yield test_client


def html_of(browser: TestClient, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def ids(catalog: Client) -> dict[str, str]:
    return {
        "run": catalog.list_runs(pipeline_name_or_id="nightly_marketing", size=1)[0].id,
        "hostile_run": catalog.list_runs(pipeline_name_or_id="hostile_job", size=1)[0].id,
        "asset_version": catalog.list_artifact_versions("iris_data", size=1)[0].id,
        "model_version": catalog.list_model_versions("iris_classifier", size=1)[0].id,
    }


PAGES = [
    ("/assets", "Asset catalog"),
    ("/assets/leads", "lead_id"),
    ("/assets/leads_by_channel", "Derived from"),
    ("/assets/iris_training::evaluate_classifier::output", "Versions"),
    ("/runs", "Runs"),
    ("/runs/{run}", "Tag history"),
    ("/runs/{hostile_run}", "note"),
    ("/asset-versions/{asset_version}", "iris_data"),
    ("/model-versions/{model_version}", "iris_classifier"),
    ("/jobs", "nightly_marketing"),
    ("/jobs/weekly_campaign_report", "growth@example.com"),
    ("/models", "iris_classifier"),
    ("/models/iris_classifier", "Exclusive tags"),
    ("/tags", "champion"),
    ("/tags/champion", "History"),
    ("/launchpad", "Pick a job"),
    ("/launchpad?job=lead_hygiene", "maintenance"),
    ("/launchpad?template=weekly_hygiene", "cadence"),
    ("/login", "needs no token"),
]


@pytest.mark.parametrize(("url", "expected"), PAGES)
def test_every_page_renders(browser: TestClient, catalog: Client, url: str, expected: str) -> None:
    html = html_of(browser, url.format(**ids(catalog)))
    assert expected in html
    assert "<nav" in html


@pytest.mark.parametrize(
    ("url", "version_page"),
    [
        ("/assets/iris_data", "/asset-versions/{asset_version}"),
        ("/models/iris_classifier", "/model-versions/{model_version}"),
    ],
)
def test_a_versions_table_links_each_version(
    browser: TestClient, catalog: Client, url: str, version_page: str
) -> None:
    html = html_of(browser, url)
    assert f'href="{version_page.format(**ids(catalog))}"' in html


def test_home_goes_to_the_catalog(browser: TestClient) -> None:
    response = browser.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/assets"


@pytest.mark.parametrize("url", ["/assets", "/runs", "/jobs", "/models", "/tags?used=true"])
def test_lists_escape_user_text(browser: TestClient, url: str) -> None:
    html = html_of(browser, url)
    assert HOSTILE not in html
    assert "<b>label</b>" not in html
    assert "<b>bold</b>" not in html


def test_a_run_page_escapes_its_tags(browser: TestClient, catalog: Client) -> None:
    html = html_of(browser, f"/runs/{ids(catalog)['hostile_run']}")
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;label&lt;/b&gt;" in html


def test_an_asset_page_escapes_names_and_sanitises_metadata(browser: TestClient) -> None:
    html = html_of(browser, "/assets/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert HOSTILE not in html
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert "<strong>fine</strong>" in html  # markdown is rendered...
    assert "<code>javascript:alert(4)</code>" in html  # ...a non-web URL stays text
    assert 'href="https://example.com/?a=1&amp;b=&lt;2&gt;"' in html
    assert "&#34;html&#34;: &#34;&lt;script&gt;" in html  # JSON pretty, escaped


def test_the_catalog_shows_chips_facets_and_kinds(browser: TestClient) -> None:
    html = html_of(browser, "/assets")
    assert 'data-tag="pii=true"' in html
    assert "--chip: #dc2626" in html  # pii=true is registered in red
    for facet in ("Kinds", "Groups", "Owners", "domain", "tier"):
        assert f"<h3>{facet}</h3>" in html
    assert 'data-term="kind:python"' in html
    assert 'data-term="tag:domain=marketing"' in html


def test_a_chip_links_to_the_list_filtered_by_its_tag(browser: TestClient) -> None:
    html = html_of(browser, "/assets")
    link = re.search(r'<a class="chip[^"]*"[^>]*data-tag="pii=true"[^>]*href="([^"]+)"', html)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert target == "/assets?q=tag%3Apii%3Dtrue"
    filtered = html_of(browser, target)
    names = re.findall(r'class="entity-name" href="/assets/([^"]+)"', filtered)
    assert sorted(names) == ["campaign_audience", "leads"]


def test_a_bad_query_is_shown_with_a_caret_at_its_column(browser: TestClient) -> None:
    html = html_of(browser, "/assets?q=tag%3Aenv%3Dprod+and+%28", status=400)
    assert 'role="alert"' in html
    assert "at column 19" in html
    assert "tag:env=prod and (\n" + " " * 18 + "^" in html


def test_runs_filter_by_query_and_facet_by_status(browser: TestClient, catalog: Client) -> None:
    html = html_of(browser, "/runs?q=job%3Alead_hygiene+and+tag%3Amaintenance%3Dtrue")
    listed = re.findall(r'class="entity-name" href="/runs/([^"]+)"', html)
    expected = catalog.list(Kind.RUN, query="job:lead_hygiene and tag:maintenance=true")
    assert listed == [run.id for run in expected]
    assert f"{len(listed)} runs" in html
    assert 'data-term="status:success"' in html
    assert 'data-tag="training"' not in html  # runs of other jobs are not listed


def test_lists_page_with_a_cursor(browser: TestClient) -> None:
    first = html_of(browser, "/runs")
    link = re.search(r'class="next" rel="next" href="([^"]+)"', first)
    assert link is not None
    second = html_of(browser, link.group(1).replace("&amp;", "&"))
    assert "First page" in second
    names = re.findall(r'class="entity-name" href="/runs/([^"]+)"', first)
    later = re.findall(r'class="entity-name" href="/runs/([^"]+)"', second)
    assert names
    assert later
    assert not set(names) & set(later)


def test_an_asset_page_plots_numeric_metadata(browser: TestClient) -> None:
    html = html_of(browser, "/assets/leads")
    assert '<script src="/vendor/plotly.min.js" defer></script>' in html
    assert 'data-key="tagbase/row_count"' in html
    assert "not null" in html
    assert "unique" in html


def test_a_model_page_shows_who_holds_each_exclusive_tag(browser: TestClient) -> None:
    html = html_of(browser, "/models/iris_classifier")
    holders = html.split("Exclusive tags")[1].split("</table>")[0]
    assert 'data-tag="champion"' in holders


def test_the_tag_page_shows_moves(browser: TestClient) -> None:
    html = html_of(browser, "/tags/latest")
    assert "pill-move" in html  # the demo moved `latest` from run to run
    assert "fraud_training:fraud_training-1" in html


def test_an_asset_page_shows_its_neighbours_from_the_definitions(browser: TestClient) -> None:
    html = html_of(browser, "/assets/leads")
    boxes = html.split('class="lineage-boxes"')[1].split("</section>")[0]
    upstream, downstream = boxes.split("Downstream")
    assert 'href="/assets/crm_contacts"' in upstream
    for name in ("hot_leads", "cold_leads", "leads_by_channel"):
        assert f'href="/assets/{name}"' in downstream


def test_runs_show_labels_as_labels(browser: TestClient) -> None:
    html = html_of(browser, "/runs?q=job%3Airis_training")
    assert re.search(r'class="chip label[^"]*"[^>]*data-tag="training"', html)


def test_unknown_names_are_404_pages(browser: TestClient) -> None:
    assert "Not found" in html_of(browser, "/assets/missing", status=404)
    assert "Not found" in html_of(browser, "/runs/00000000-0000-0000-0000-000000000000", 404)


def test_pages_load_scripts_only_from_this_server(browser: TestClient) -> None:
    html = html_of(browser, "/assets/leads")
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(source.startswith("/") for source in sources)
    policy = browser.get("/assets").headers["content-security-policy"]
    assert "script-src 'self'" in policy


def test_plotly_is_served_from_the_installed_package(browser: TestClient) -> None:
    response = browser.get("/vendor/plotly.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "plotly.js" in response.text[:500]


def test_static_files_are_our_own(browser: TestClient) -> None:
    static = Path(__file__).parents[2] / "src" / "tagbase" / "server" / "static"
    assert {p.name for p in static.iterdir() if not p.name.startswith(".")} == {
        "api-docs.js",
        "favicon.svg",
        "tagbase.css",
        "tagbase.js",
    }
    for name in ("api-docs.js", "tagbase.css", "tagbase.js"):
        assert browser.get(f"/static/{name}").status_code == 200
