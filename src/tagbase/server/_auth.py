"""Who sent a request: its token checked once, before routing, and the whole request run as
that user (`acting_as`), so that handlers in the event loop and in the thread pool alike
record their changes under it. The model is in `_security`'s docstring."""

from __future__ import annotations

import threading
import time

import anyio.to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from tagbase._acting import acting_as
from tagbase._identity import Role
from tagbase.server._security import Identity, Security, request_token
from tagbase.store import StoreContract

_RECHECK_S = 2.0  # how long "no token is stored" is believed before the store is asked again


class Authenticator:
    """Identifies tokens against the configured ones and the store's."""

    def __init__(self, security: Security, store: StoreContract) -> None:
        self.security = security
        self.store = store
        self._lock = threading.Lock()
        self._stored_seen = False  # once a token was stored, authentication stays on
        self._checked_at = float("-inf")

    def required(self) -> bool:
        """Whether requests need a token: any configured, or any ever stored."""
        if self.security.tokens_configured or self._stored_seen:
            return True
        with self._lock:
            if time.monotonic() - self._checked_at >= _RECHECK_S:
                # Any token ever issued, revoked and expired ones too: revoking the last
                # live token must lock the server, never open it.
                self._stored_seen = bool(self.store.list_tokens())
                self._checked_at = time.monotonic()
        return self._stored_seen

    def identify(self, token: str | None) -> Identity | None:
        """The identity of a token; without authentication, everyone's (an admin as the
        configured user); None for no token, or an unknown, revoked or expired one."""
        if not self.required():
            return Identity(self.security.actor, Role.ADMIN, None, "local")
        if not token:
            return None
        configured = self.security.configured_identity(token)
        if configured is not None:
            return configured
        user = self.store.authenticate(token, time.time_ns() // 1_000_000)
        if user is None:
            return None
        self._stored_seen = True
        return Identity(user.name, user.role, user.actor, "token")


def authenticator_of(request: Request) -> Authenticator:
    found: Authenticator = request.app.state.authenticator
    return found


class IdentityMiddleware:
    """Puts the request's identity on `request.state.identity`, and serves the request inside
    `acting_as` its actor (context variables reach the thread pool's handlers)."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = request_token(Request(scope))
        identity = await anyio.to_thread.run_sync(self.authenticator.identify, token)
        scope.setdefault("state", {})["identity"] = identity
        if identity is None or identity.actor is None:
            await self.app(scope, receive, send)
            return
        with acting_as(identity.actor):
            await self.app(scope, receive, send)
