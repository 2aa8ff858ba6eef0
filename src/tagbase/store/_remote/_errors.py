"""A server's error answer, raised on the client as the typed error the server raised.

The server sends every error in one JSON shape (`tagbase.server._errors`) naming its type;
the client raises that type when it is a `TagbaseError` (rebuilt with its message and
problems, not through its constructor), and otherwise the nearest kind for the status.
"""

from __future__ import annotations

from typing import Any, NoReturn

import httpx

from tagbase import _errors
from tagbase._errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    RemoteStoreError,
    StoreError,
    TagbaseError,
)

_BY_STATUS: dict[int, type[TagbaseError]] = {
    400: InvalidInputError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: InvalidInputError,
    422: InvalidInputError,
    503: StoreError,
}


def error_types() -> dict[str, type[TagbaseError]]:
    """Every TagbaseError class, by name (those defined since the last call included)."""
    found: dict[str, type[TagbaseError]] = {}
    pending: list[type[TagbaseError]] = [TagbaseError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.__name__, cls)
        pending.extend(cls.__subclasses__())
    return found


_TYPES = error_types()


def raise_error(response: httpx.Response) -> NoReturn:
    """Raise what the server's error answer says."""
    try:
        shape = response.json()["error"]
        name, message = str(shape["type"]), str(shape["message"])
        problems = tuple(
            Problem(str(p["value"]), str(p["rule"]), str(p["fix"])) for p in shape["problems"]
        )
    except (ValueError, KeyError, TypeError):
        raise RemoteStoreError(
            f"the server at {response.request.url.host} answered {response.status_code} "
            f"with no tagbase error ({response.text[:120]!r}). Fix: check that TAGBASE_URL "
            "names a tagbase server, not a proxy or another service"
        ) from None
    cls = _TYPES.get(name) or error_types().get(name)
    if cls is None:
        cls = _BY_STATUS.get(response.status_code, RemoteStoreError)
    if issubclass(cls, AuthenticationError):  # the server's fix speaks HTTP; say this client's
        message += f" (this client: {_TOKEN_FIX})"
    raise _rebuilt(cls, message, problems, shape)


_TOKEN_FIX = (
    "set TAGBASE_TOKEN, or token: in tagbase.yaml, or Client(token=...), to a live token from "
    "`tagbase token create`"
)


def _rebuilt(
    cls: type[TagbaseError], message: str, problems: tuple[Problem, ...], shape: dict[str, Any]
) -> TagbaseError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.message, error.fix = message, None
    if problems or issubclass(cls, _errors._ProblemsError):
        error.problems = problems  # type: ignore[attr-defined]
    if isinstance(error, _errors.QueryError):
        error.query, error.hint = str(shape.get("query") or ""), ""
        error.position = int(shape.get("position") or 0)
    return error
