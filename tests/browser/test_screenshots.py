"""The main pages in a real browser: each loads without a script error, draws its plots, and
is captured. `TAGBASE_SCREENSHOTS=docs/screenshots pytest tests/browser` refreshes the
screenshots of the docs; otherwise they go to a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tagbase import Kind

if TYPE_CHECKING:  # the fixtures' types (conftest is not importable in every import mode)
    from tests.browser.conftest import Problems, Served

PAGES = {
    "catalog": "/assets",
    "catalog-filtered": "/assets?q=tag%3Adomain%3Dmarketing+and+kind%3Apandas",
    "query-error": "/assets?q=tag%3Adomain%3Dmarketing+and+%28",
    "asset": "/assets/leads",
    "asset-lineage": "/assets/leads_by_channel",
    "runs": "/runs",
    "run": "/runs/{run}",
    "jobs": "/jobs",
    "job": "/jobs/iris_training",
    "models": "/models",
    "model": "/models/iris_classifier",
    "tags": "/tags?used=true",
    "tag-history": "/tags/latest",
    "launchpad": "/launchpad?template=weekly_hygiene",
}


def folder(tmp_path: Path) -> Path:
    chosen = os.environ.get("TAGBASE_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_main_page_loads_cleanly_and_is_captured(
    page: Page, served: Served, problems: Problems, tmp_path: Path, name: str
) -> None:
    run = served.client.list(Kind.RUN, query="job:iris_training", size=1)[0]
    page.goto(served.at(PAGES[name].format(run=run.id)))
    page.wait_for_load_state("networkidle")
    for plot in page.locator(".plot").all():
        expect(plot).to_have_attribute("data-drawn", "true")
    target = folder(tmp_path) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    problems.check()
