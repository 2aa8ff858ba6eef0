"""The application: the API and the pages share one Client, so the UI reads what the API does."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from tagbase._client import Client
from tagbase._config import Config
from tagbase._errors import InvalidInputError
from tagbase.definitions import Definitions
from tagbase.execution import sync_definitions
from tagbase.execution._runtime import Runtime, current_runtime, use_runtime
from tagbase.server import _api, _pages
from tagbase.server._api import _store_rpc
from tagbase.server._auth import Authenticator, IdentityMiddleware
from tagbase.server._body_limit import BodyLimitMiddleware
from tagbase.server._errors import install_error_handlers
from tagbase.server._launcher import Launcher
from tagbase.server._security import CsrfCookieMiddleware, Security, authorize
from tagbase.server._store_transactions import StoreTransactions
from tagbase.store import Store

STATIC = Path(__file__).parent / "static"


class RuntimeMiddleware:
    """Every request is served in the app's runtime (its client's store), whichever thread
    serves it: what it launches, and the artifacts it reads, are of that catalog."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with use_runtime(self.runtime):
            await self.app(scope, receive, send)


def create_app(
    client: Client | None = None,
    *,
    definitions: Definitions | None = None,
    security: Security | None = None,
    queue: bool = False,
) -> FastAPI:
    """The tagbase web app over `client` (by default the configured catalog).

    `definitions` are the jobs the API and the launchpad can launch (into the run queue with
    `queue`, else in the server), recorded in the catalog here as `tagbase serve` does (an
    unchanged definition writes nothing); `security` the tokens (by default those of the
    configuration: none means every local request may write).
    """
    # The OpenAPI document and the docs page are API routes (`_api._docs`): behind the token
    # check, with no script from a CDN.
    app = FastAPI(title="tagbase", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.client = client or Client()
    if not isinstance(app.state.client.store, Store):
        raise InvalidInputError(
            f"a tagbase server keeps the catalog in a database, and this one was given the "
            f"store {app.state.client.store!r}. Fix: unset TAGBASE_URL (and url: in "
            "tagbase.yaml) where the server runs, and set TAGBASE_DATABASE_URL"
        )
    runtime = Runtime(app.state.client.store, current_runtime().artifacts)
    if definitions is not None:
        sync_definitions(definitions, app.state.client.store)
    app.state.security = security or Security.from_config(Config.load())
    app.state.definitions = definitions
    app.state.launcher = Launcher(app.state.client, definitions, queue=queue)
    install_error_handlers(app)
    app.add_middleware(CsrfCookieMiddleware)
    app.add_middleware(RuntimeMiddleware, runtime=runtime)
    app.state.authenticator = Authenticator(app.state.security, app.state.client.store)
    app.add_middleware(IdentityMiddleware, authenticator=app.state.authenticator)
    app.add_middleware(BodyLimitMiddleware)  # outermost: a big body is refused unread
    app.state.store_transactions = StoreTransactions(app.state.client.store)
    app.router.routes.extend(_store_rpc.calls)  # each checks its own need
    app.include_router(_store_rpc.transactions, prefix="/api/store")
    app.include_router(_api.router, prefix="/api", dependencies=[Depends(authorize)])
    app.include_router(_pages.router, dependencies=[Depends(authorize)])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
