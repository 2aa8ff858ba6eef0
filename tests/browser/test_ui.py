"""The UI in a real browser: filtering the catalog, an asset's schema and plot, launching from
the launchpad, tagging a run, and moving an exclusive tag."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

from tagbase import Kind

if TYPE_CHECKING:  # the fixtures' types (conftest is not importable in every import mode)
    from tests.browser.conftest import Problems, Served


def asset_names(page: Page) -> list[str]:
    return page.locator("table.assets a.entity-name").all_inner_texts()


def test_the_catalog_is_filtered_by_clicking_a_tag_chip(
    page: Page, served: Served, problems: Problems
) -> None:
    page.goto(served.at("/assets"))
    expect(page.locator("table.assets")).to_contain_text("leads_by_channel")
    leads_row = page.locator("table.assets tr", has=page.locator('a.entity-name:text-is("leads")'))
    leads_row.locator('a.chip[data-tag="pii=true"]').click()
    expect(page).to_have_url(re.compile(r"/assets\?q=tag%3Apii%3Dtrue$"))
    expect(page.locator('input[name="q"]')).to_have_value("tag:pii=true")
    assert sorted(asset_names(page)) == ["campaign_audience", "leads"]
    expect(page.locator(".count-badge").first).to_have_text("2 assets")
    problems.check()


def test_the_catalog_is_filtered_by_a_typed_query_and_shows_errors_at_their_column(
    page: Page, served: Served, problems: Problems
) -> None:
    page.goto(served.at("/assets"))
    search = page.locator('input[name="q"]')
    search.fill("tag:domain=marketing and tag:tier=hot")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"tier%3Dhot$"))
    assert asset_names(page) == ["hot_leads"]
    page.locator('input[name="q"]').fill("tag:domain=sales and (")
    page.locator('input[name="q"]').press("Enter")
    error = page.locator(".query-error")
    expect(error).to_contain_text("at column 23")
    caret = error.locator("pre.caret").inner_text().splitlines()
    assert caret == ["tag:domain=sales and (", " " * 22 + "^"]
    problems.check()


def test_a_facet_narrows_the_catalog(page: Page, served: Served, problems: Problems) -> None:
    page.goto(served.at("/assets"))
    page.locator('.facets a[data-term="kind:salesforce"]').click()
    expect(page).to_have_url(re.compile(r"q=kind%3Asalesforce$"))
    assert asset_names(page) == ["crm_contacts"]
    expect(page.locator('input[name="q"]')).to_have_value("kind:salesforce")
    problems.check()


def test_system_tags_are_set_apart_and_can_be_hidden(
    page: Page, served: Served, problems: Problems
) -> None:
    page.goto(served.at("/assets/leads"))
    system = page.locator(".chip.system").first
    expect(system).to_be_visible()
    expect(system).to_have_attribute("data-tag", re.compile(r"^tagbase/"))
    page.locator("#toggle-system").uncheck()
    expect(system).to_be_hidden()
    page.reload()
    expect(page.locator(".chip.system").first).to_be_hidden()  # the choice is remembered
    expect(page.locator(".chip:not(.system)").first).to_be_visible()
    page.locator("#toggle-system").check()
    expect(page.locator(".chip.system").first).to_be_visible()
    problems.check()


def test_an_asset_shows_its_table_schema_and_a_plot_of_a_numeric_key(
    page: Page, served: Served, problems: Problems
) -> None:
    page.goto(served.at("/assets"))
    page.locator('a.entity-name:text-is("leads")').click()
    expect(page.locator(".page-head h1")).to_have_text("leads")
    schema = page.locator("table.schema")
    email = schema.locator("tr", has=page.locator('code:text-is("email")'))
    expect(email).to_contain_text("not null")
    expect(email).to_contain_text("unique")
    expect(email.locator('.chip[data-tag="pii=true"]')).to_be_visible()
    plot = page.locator('.plot[data-key="tagbase/row_count"]')
    expect(plot).to_have_attribute("data-drawn", "true")
    points = plot.locator(".scatterlayer .point")
    versions = served.client.count(Kind.ASSET_VERSION, scope="leads")
    expect(points).to_have_count(versions)
    expect(page.locator("#versions table tbody tr")).to_have_count(versions)
    problems.check()


def test_column_lineage_links_upstream_assets(
    page: Page, served: Served, problems: Problems
) -> None:
    page.goto(served.at("/assets/leads_by_channel"))
    lineage = page.locator("table.lineage")
    expect(lineage.locator("tr", has_text="hot_share")).to_contain_text("hot_leads.lead_id")
    page.locator(".lineage-boxes a.asset-link", has_text="hot_leads").click()
    expect(page.locator(".page-head h1")).to_have_text("hot_leads")
    problems.check()


def test_a_job_launched_from_the_launchpad_carries_the_added_tag(
    page: Page, served: Served, problems: Problems
) -> None:
    page.goto(served.at("/launchpad"))
    page.locator('a[data-job="lead_hygiene"]').click()
    readonly = page.locator(".readonly-tags").first
    expect(readonly.locator('.chip[data-tag="team=growth"]')).to_be_visible()
    expect(readonly.locator('.chip[data-tag="maintenance=true"]')).to_be_visible()
    rows = page.locator(".tag-row")
    rows.nth(0).locator('input[name="tag_key"]').fill("maintenance")
    rows.nth(0).locator('input[name="tag_value"]').fill("dry-run")
    page.locator("#add-tag-row").click()
    added = page.locator(".tag-row").last
    added.locator('input[name="tag_key"]').fill("reason")
    added.locator('input[name="tag_value"]').fill("browser-test")
    page.locator("#launch-button").click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    expect(page.locator(".notice-ok")).to_contain_text("Launched run")
    expect(page.locator(".page-head .status")).to_have_text("success", timeout=30_000)
    tags = page.locator("table.tag-table")
    reason = tags.locator("tr", has=page.locator('.chip[data-tag="reason=browser-test"]'))
    expect(reason.locator(".source")).to_have_text("launch")
    overridden = tags.locator("tr", has=page.locator('.chip[data-tag="maintenance=dry-run"]'))
    expect(overridden.locator(".source")).to_have_text("launch")
    expect(tags.locator('.chip[data-tag="maintenance=true"]')).to_have_count(0)
    expect(page.locator("table.steps")).to_contain_text("archive_leads")
    run_id = page.url.rsplit("/", 1)[1]
    assert served.client.get_run(run_id).tag_dict["reason"] == "browser-test"
    problems.check()


def test_a_tag_is_added_to_a_run_and_removed_again(
    page: Page, served: Served, problems: Problems
) -> None:
    run = served.client.list_runs(pipeline_name_or_id="weekly_campaign_report", size=1)[0]
    page.goto(served.at(f"/runs/{run.id}"))
    page.locator('.add-tag input[name="tag"]').fill("reviewed-by=ada")
    page.locator('.add-tag button[type="submit"]').click()
    expect(page.locator(".notice-ok")).to_have_text("Added tag reviewed-by=ada.")
    row = page.locator("table.tag-table tr", has=page.locator('[data-tag="reviewed-by=ada"]'))
    expect(row.locator(".source")).to_have_text("user")
    expect(row).to_contain_text("tester")
    held = {t.name: t for t in served.client.get_run(run.id).tags.assigned}["reviewed-by=ada"]
    assert (held.source, held.actor) == ("user", "tester")
    row.locator("button.remove").click()
    expect(page.locator(".notice-ok")).to_have_text("Removed tag reviewed-by=ada.")
    expect(page.locator('[data-tag="reviewed-by=ada"]')).to_have_count(0)
    history = page.locator("table.history")
    expect(history.locator("tr", has_text="reviewed-by=ada")).to_have_count(2)
    problems.check()


def test_an_exclusive_tag_moved_in_the_ui_shows_in_its_history(
    page: Page, served: Served, problems: Problems
) -> None:
    page.goto(served.at("/models/iris_classifier"))
    holder = page.locator("table.holders tr", has=page.locator('.chip[data-tag="champion"]'))
    before = holder.locator("a.version-name").inner_text()
    versions = page.locator("table.versions a.version-name").all_inner_texts()
    chosen = next(name for name in versions if name != before)
    page.locator(f'table.versions a.version-name:text-is("{chosen}")').click()
    expect(page.locator(".page-head .version-name")).to_have_text(chosen)
    page.locator('.add-tag input[name="tag"]').fill("champion")
    page.locator('.add-tag button[type="submit"]').click()
    expect(page.locator(".notice-ok")).to_have_text("Added tag champion.")
    page.locator("nav a", has_text="Models").click()
    page.locator('a.entity-name:text-is("iris_classifier")').click()
    expect(holder.locator("a.version-name")).to_have_text(chosen)
    holder.locator("a", has_text="history").click()
    expect(page.locator("h1 .chip")).to_have_attribute("data-tag", "champion")
    newest = page.locator("table.history tbody tr").first
    expect(newest.locator(".pill-move")).to_have_text("moved")
    expect(newest).to_contain_text(f"iris_classifier:{before}")
    expect(newest.locator("td").nth(2)).to_contain_text(f"iris_classifier:{chosen}")
    problems.check()
