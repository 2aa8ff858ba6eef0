"""Who may read and write, and forms that cannot be posted from another site.

The model
---------
- **Local** (no token configured and none stored): `tagbase serve` binds 127.0.0.1 and
  refuses any other address (`check_bind`); every request is allowed (as an admin, recorded
  under the configured user), and only loopback host names are answered (so a DNS-rebound
  site cannot reach the server by name).
- **Tokens**: authentication is on as soon as any token exists — configured ones
  (`server: {read_tokens: [...], write_tokens: [...]}` in tagbase.yaml, or
  `TAGBASE_READ_TOKENS` / `TAGBASE_WRITE_TOKENS`, comma-separated) or stored ones
  (`tagbase token create --user NAME`, only their digest kept). Every API and page request
  carries a token, as `Authorization: Bearer <token>` or in the session cookie that
  `POST /api/session {"token": ...}` (or the login page) sets.
- **Identity** (`Identity`, made once per request by `_auth.IdentityMiddleware` and put on
  `request.state.identity`): a stored token is its user, with the user's role; a configured
  read token acts as a viewer and a write token as an admin, both as the configured user
  (`TAGBASE_USER`). The whole request runs in `acting_as(identity.actor)`, so everything it
  changes is recorded under that user (`service:NAME` for a service account).
- **Access** follows the role: a viewer reads (GET, HEAD, OPTIONS); an editor also writes the
  catalog and launches runs; an admin also manages users, tokens, the tag registry and tag
  policies (routes that depend on `require_admin`). No token, or an unknown, revoked or
  expired one: 401; a role below the route's: 403. Configured tokens are compared with
  `hmac.compare_digest`, stored ones found by their digest; no token is ever logged or named
  in an error.
- **Cross-site writes** are refused (403) in both modes: a POST, PUT, PATCH or DELETE whose
  `Origin` (or, lacking it, `Referer`) names another host than the request's own.

`authorize` does the host, cross-site and read/write checks; `create_app` puts it on the API
and page routers, so a page handler needs nothing more for access (admin routes add
`require_admin`). `OPEN_PATHS` (the session endpoint, `/login` and `/logout`) skip the token
check, not the cross-site check.

Forms in pages (CSRF)
---------------------
The session cookie is sent by the browser on its own, so every HTML form that writes carries a
per-browser CSRF token as well (double-submit: the token is in an HttpOnly, SameSite=Strict
cookie and in the form):

    # template (the handler passes `csrf=csrf_token(request)`):
    <form method="post" action="/runs/{{ run.id }}/tags">
      <input type="hidden" name="csrf_token" value="{{ csrf }}"> ...

    # handler:
    @router.post("/runs/{ref}/tags", dependencies=[Depends(verify_csrf)])
    async def add_run_tag(request: Request, ...) -> Response: ...

Scripts send the same token in an `X-CSRF-Token` header instead (put it in a
`<meta name="csrf-token">` tag). `csrf_token` makes the token on a browser's first visit;
`CsrfCookieMiddleware` (installed by `create_app`) sets the cookie on that response.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tagbase._config import Config
from tagbase._errors import AuthenticationError, InvalidInputError, PermissionDeniedError
from tagbase._identity import Role

SESSION_COOKIE = "tagbase_session"
CSRF_COOKIE = "tagbase_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
OPEN_PATHS = frozenset({"/api/session", "/login", "/logout"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_FRESH_CSRF = "tagbase_fresh_csrf"


class Access(IntEnum):
    """What a request may do; higher includes lower."""

    NONE = 0
    READ = 1  # a viewer
    WRITE = 2  # an editor
    ADMIN = 3  # an admin: users, tokens, the tag registry, policies


@dataclass(frozen=True, slots=True)
class Identity:
    """Who sent a request: a stored token's user, or a configured token (as the configured
    user), or anyone at all on a local server without tokens (`via`: token, configured,
    local)."""

    name: str | None
    role: Role
    actor: str | None  # what its changes are recorded under (None: the store's own actor)
    via: str

    @property
    def access(self) -> Access:
        return Access(int(self.role))


@dataclass(frozen=True, slots=True)
class Security:
    """The server's tokens, and the host names it answers (None: any)."""

    read_tokens: tuple[str, ...] = ()
    write_tokens: tuple[str, ...] = ()
    allowed_hosts: frozenset[str] | None = None
    actor: str | None = None  # the configured user: configured tokens act as it

    @classmethod
    def from_config(cls, config: Config, allowed_hosts: frozenset[str] | None = None) -> Security:
        return cls(config.read_tokens, config.write_tokens, allowed_hosts, config.actor)

    @property
    def tokens_configured(self) -> bool:
        return bool(self.read_tokens or self.write_tokens)

    def access_of(self, token: str | None) -> Access:
        """What a token may do (constant-time comparisons, all tokens compared)."""
        if not self.tokens_configured:
            return Access.WRITE
        if not token:
            return Access.NONE
        if _matches(token, self.write_tokens):
            return Access.WRITE
        return Access.READ if _matches(token, self.read_tokens) else Access.NONE

    def configured_identity(self, token: str) -> Identity | None:
        """A configured token's identity: a write token an admin, a read token a viewer."""
        access = self.access_of(token) if self.tokens_configured else Access.NONE
        if access is Access.NONE:
            return None
        role = Role.ADMIN if access is Access.WRITE else Role.VIEWER
        return Identity(self.actor, role, self.actor, "configured")


def _matches(token: str, tokens: Sequence[str]) -> bool:
    given = token.encode()
    found = False
    for candidate in tokens:
        found |= hmac.compare_digest(given, candidate.encode())
    return found


# -- binding ---------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or address) only reaches this machine."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, security: Security, *, tokens_stored: bool = False) -> None:
    """Refuse to serve on a non-loopback address unless tokens are configured or stored."""
    if is_loopback(host) or security.tokens_configured or tokens_stored:
        return
    raise InvalidInputError(
        f"refusing to serve on {host!r}: a server reachable from other machines needs tokens, "
        "and none are configured or stored. Fix: create one with `tagbase user create NAME "
        "--role admin` and `tagbase token create --user NAME`, or set server.write_tokens in "
        "tagbase.yaml (or TAGBASE_WRITE_TOKENS), or bind 127.0.0.1"
    )


# -- requests --------------------------------------------------------------------------------


def security_of(request: Request) -> Security:
    found: Security = request.app.state.security
    return found


def request_token(request: Request) -> str | None:
    """The bearer token of the request, else the session cookie's."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def identity_of(request: Request) -> Identity | None:
    """The request's identity (None: no token, or an unknown, revoked or expired one)."""
    found: Identity | None = getattr(request.state, "identity", None)
    return found


def request_access(request: Request) -> Access:
    identity = identity_of(request)
    return Access.NONE if identity is None else identity.access


async def authorize(request: Request) -> None:
    """The dependency on every API and page route: host, cross-site and token checks.
    (Async, as the other checks here: they do no I/O, and a sync dependency would cost each
    request a hop to the thread pool.)"""
    unsafe = request.method not in SAFE_METHODS
    authorize_as(request, Access.WRITE if unsafe else Access.READ)


def authorize_as(request: Request, needed: Access) -> None:
    """`authorize` for a route whose need is not its HTTP method's (the store API's POSTs
    that read)."""
    _check_host(request, security_of(request))
    if request.method not in SAFE_METHODS:
        _check_same_origin(request)
    if request.url.path in OPEN_PATHS:
        return
    _require(request, needed)


async def require_admin(request: Request) -> None:
    """The dependency of routes that manage users, tokens, the tag registry or policies."""
    _require(request, Access.ADMIN)


_NEEDS = {
    Access.READ: "a viewer's",
    Access.WRITE: "an editor's (it writes the catalog)",
    Access.ADMIN: "an admin's (it manages users, tokens, the tag registry or policies)",
}


def _require(request: Request, needed: Access) -> None:
    identity = identity_of(request)
    if identity is None:
        raise AuthenticationError(
            "this server needs a valid token, and this request carries none, or one that is "
            "unknown, revoked or expired. Fix: send `Authorization: Bearer <token>`, or sign "
            "in with POST /api/session"
        )
    if identity.access < needed:
        who = identity.name or "this token"
        raise PermissionDeniedError(
            f"{request.method} {request.url.path} needs {_NEEDS[needed]} role; {who} is a "
            f"{identity.role.label}. Fix: use a token of a user with that role (an admin "
            "changes roles with `tagbase user update NAME --role ...`)"
        )


def _check_host(request: Request, security: Security) -> None:
    if security.allowed_hosts is None:
        return
    host = urlsplit(f"//{request.headers.get('host', '')}").hostname or ""
    if host not in security.allowed_hosts and not is_loopback(host):
        raise PermissionDeniedError(
            f"host {host!r} is not served here; this local server answers only "
            f"{', '.join(sorted(security.allowed_hosts))}. Fix: open http://127.0.0.1"
        )


def _check_same_origin(request: Request) -> None:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:  # not a browser, or a same-origin request of an old one
        return
    if urlsplit(origin).netloc != request.headers.get("host", ""):
        raise PermissionDeniedError(
            f"a write sent from {origin!r} to {request.headers.get('host')!r} was refused: "
            "cross-site requests may only read. Fix: send it from the tagbase UI itself"
        )


# -- CSRF for forms --------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The browser's CSRF token for hidden form fields; made (and set as a cookie by
    `CsrfCookieMiddleware`) on the first call for a browser without one."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing:
        return existing
    fresh: str | None = getattr(request.state, _FRESH_CSRF, None)
    if fresh is None:
        fresh = secrets.token_urlsafe(32)
        setattr(request.state, _FRESH_CSRF, fresh)
    return fresh


async def verify_csrf(request: Request) -> None:
    """Dependency for form POSTs: the `csrf_token` field (or X-CSRF-Token header) must equal
    the browser's CSRF cookie."""
    expected = request.cookies.get(CSRF_COOKIE)
    given: Any = request.headers.get(CSRF_HEADER)
    if given is None:
        given = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(given, str):
        raise PermissionDeniedError(
            "this form carries no CSRF token. Fix: reload the page and submit the form again"
        )
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise PermissionDeniedError(
            "this form's CSRF token does not match this browser's. Fix: reload the page"
        )


def session_cookie(response: Response, token: str | None) -> None:
    """Set (or, with None, clear) the session cookie holding a token."""
    if token is None:
        response.delete_cookie(SESSION_COOKIE, path="/")
        return
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", path="/", max_age=30 * 86400
    )


class CsrfCookieMiddleware:
    """Adds the CSRF cookie to a response for which `csrf_token` made a fresh token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            fresh = scope.get("state", {}).get(_FRESH_CSRF)
            if message["type"] == "http.response.start" and fresh:
                message["headers"] = [*message.get("headers", ()), _csrf_header(fresh)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _csrf_header(token: str) -> tuple[bytes, bytes]:
    carrier = Response()
    carrier.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    name, value = carrier.raw_headers[-1]
    return name, value
