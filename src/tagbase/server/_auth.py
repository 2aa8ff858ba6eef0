"""Who sent a request: its token checked once, before routing, and the whole request run as
that user (`acting_as`), so that handlers in the event loop and in the thread pool alike
record their changes under it. The model is in `_security`'s docstring.

A token the store accepted is believed for `TRUSTED_S` without asking again: checking it
costs two to three queries and a hop to the thread pool, about half of a simple store call's
time on the server (benchmarks/team_server.py). Any change an admin makes through this
server (users, roles, tokens) forgets every believed token at once; a token revoked or a
user demoted in the database by another process stops working here within `TRUSTED_S`."""

from __future__ import annotations

import hashlib
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
TRUSTED_S = 2.0  # how long a token the store accepted is believed before it is asked again


class Authenticator:
    """Identifies tokens against the configured ones and the store's."""

    def __init__(self, security: Security, store: StoreContract) -> None:
        self.security = security
        self.store = store
        self._lock = threading.Lock()
        self._stored_seen = False  # once a token was stored, authentication stays on
        self._checked_at = float("-inf")
        self._believed: dict[bytes, tuple[Identity, float]] = {}  # digest -> (who, when)

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
        identity = Identity(user.name, user.role, user.actor, "token")
        self._believed[_digest(token)] = (identity, time.monotonic())
        return identity

    def believed(self, token: str | None) -> Identity | None:
        """The identity of a stored token accepted within `TRUSTED_S`, without I/O; else
        None (ask `identify`)."""
        if not token or not self._believed:
            return None
        found = self._believed.get(_digest(token))
        if found is None or time.monotonic() - found[1] >= TRUSTED_S:
            return None
        return found[0]

    def forget(self) -> None:
        """Believe no token until the store accepts it again (users or tokens changed)."""
        self._believed = {}


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()  # the secret itself is not kept


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
        identity = self.authenticator.believed(token)
        if identity is None:
            identity = await anyio.to_thread.run_sync(self.authenticator.identify, token)
        scope.setdefault("state", {})["identity"] = identity
        try:
            if identity is None or identity.actor is None:
                await self.app(scope, receive, send)
                return
            with acting_as(identity.actor):
                await self.app(scope, receive, send)
        finally:
            if _may_change_identities(scope, identity):
                self.authenticator.forget()


_IDENTITY_PATHS = (
    "/api/users",
    "/api/tokens",
    "/api/store/transactions/",  # the end of a transaction that may have changed them
    *(f"/api/store/call/{method}" for method in ("update_user", "delete_user", "revoke_token")),
)


def _may_change_identities(scope: Scope, identity: Identity | None) -> bool:
    """Whether this request was an admin's write that may have demoted, removed or revoked."""
    if identity is None or identity.role is not Role.ADMIN:
        return False
    if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
        return False
    path: str = scope.get("path", "")
    return path.startswith(_IDENTITY_PATHS)
