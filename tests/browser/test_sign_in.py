"""Signing in to the UI with a user's token: the header says who is signed in, and a tag added
in the UI is recorded, and shown in its history, under that user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tagbase import EntitySpec, Kind
from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import Security
from tagbase.store import Store
from tests.serving import serving

if TYPE_CHECKING:  # the fixtures' types (conftest is not importable in every import mode)
    from tests.browser.conftest import Problems


@pytest.fixture
def team_server(tmp_path: Path) -> Iterator[tuple[str, str, Store]]:
    """A server of its own (its tokens turn authentication on), with user alice's token."""
    store = Store(f"sqlite:///{tmp_path / 'tagbase.db'}", actor="configured-user")
    store.add(EntitySpec(Kind.ASSET, "orders"))
    store.create_user("alice", role="editor")
    secret, _ = store.create_token("alice", label="browser")
    app = create_app(Client(store), security=Security(actor="configured-user"))
    with serving(app) as url:
        yield url, secret, store
    store.close()


def test_a_tag_added_after_signing_in_is_recorded_under_the_user(
    page: Page, team_server: tuple[str, str, Store], problems: Problems
) -> None:
    url, secret, store = team_server
    page.goto(f"{url}/assets/orders")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.locator('input[name="token"]').fill(secret)
    page.locator('button[type="submit"]', has_text="Sign in").click()
    expect(page.locator(".whoami")).to_have_text("alice (editor)")
    page.locator('.add-tag input[name="tag"]').fill("reviewed")
    page.locator('.add-tag button[type="submit"]').click()
    expect(page.locator(".notice-ok")).to_have_text("Added tag reviewed.")
    row = page.locator("table.tag-table tr", has=page.locator('[data-tag="reviewed"]'))
    expect(row).to_contain_text("alice")
    page.goto(f"{url}/tags/reviewed")  # the tag's page, with its history
    newest = page.locator("table.history tbody tr").first
    expect(newest).to_contain_text("orders")
    expect(newest).to_contain_text("alice")
    held = {t.name: t for t in store.get(Kind.ASSET, "orders").tags.assigned}["reviewed"]
    assert held.actor == "alice"
    page.locator(".signed-in button", has_text="Sign out").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    problems.check()
