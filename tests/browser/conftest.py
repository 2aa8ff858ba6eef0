"""Browser tests: the real UI, served by uvicorn on a free 127.0.0.1 port from a thread, over a
SQLite catalog holding the demo (whose jobs the launchpad can run), driven by Playwright in Debian's
headless Chromium (`make test` installs it).

Without /usr/bin/chromium these tests are skipped with the reason, except under CI=true,
where a missing browser fails them (as a missing PostgreSQL does).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from tagbase.client import Client
from tagbase.demo import run_demo
from tagbase.execution import ArtifactStore
from tagbase.execution._runtime import Runtime, use_runtime
from tagbase.server import create_app
from tagbase.server._security import Security
from tagbase.store import Store
from tests.serving import serving

CHROMIUM = os.environ.get("TAGBASE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass(frozen=True, slots=True)
class Served:
    """Where the app is served, and the client over its catalog."""

    url: str
    client: Client

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


@dataclass
class Problems:
    """Script errors and failed requests a page met (a test ends by checking there are none)."""

    seen: list[str]

    def check(self) -> None:
        assert self.seen == [], self.seen


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over the demo catalog (the example project run twice, and a run template),
    served for the whole session."""
    home = tmp_path_factory.mktemp("browser")
    store = Store(f"sqlite:///{home / 'tagbase.db'}", actor="tester")
    client = Client(store)
    # the session's runtime: the demo's artifacts, and the examples' own Client(), live here
    with use_runtime(Runtime(store, ArtifactStore.for_home(home))):
        definitions = run_demo(client, rounds=2).definitions
        app = create_app(client, definitions=definitions, security=Security())
    client.create_run_template("weekly_hygiene", "lead_hygiene", tags={"cadence": "weekly"})
    with serving(app) as url:
        yield Served(url, client)
    app.state.launcher.wait(30)
    store.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}. Fix: `make chromium` (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def problems() -> Problems:
    return Problems([])


@pytest.fixture
def page(chromium: Browser, problems: Problems) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "status of 400" not in message.text:
            problems.seen.append(message.text)

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: problems.seen.append(str(error)))
    yield opened
    context.close()
