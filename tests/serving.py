"""A real HTTP server for tests: uvicorn on a free 127.0.0.1 port, in a thread, serving
whichever ASGI app is installed (so one server serves a fresh app per test)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import Security
from tagbase.store import HttpStore, Store


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Swappable:
    """An ASGI app that passes each request to the app installed now."""

    def __init__(self, app: ASGIApp | None = None) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "no app installed"
        await self.app(scope, receive, send)


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """Serve `app` for the block; its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def serve_store(request: Any, database: Store) -> Iterator[HttpStore]:
    """An `HttpStore` client of a server over `database`: the session's one server (the
    `store_server` fixture), serving an app over this database for the block."""
    swappable, url = request.getfixturevalue("store_server")
    swappable.app = create_app(Client(database), security=Security())
    remote = HttpStore.connect(url)
    try:
        yield remote
    finally:
        remote.close()
