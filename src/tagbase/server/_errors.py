"""One JSON error shape for every error the server sends, API and pages alike.

    {"error": {"type": "TagValidationError", "status": 400, "message": "1 invalid tag: ...",
               "problems": [{"value": "tag key 'a b'", "rule": "...", "fix": "..."}],
               "position": null, "query": null}}

`problems` lists every broken rule (empty when the error has none to list); `position` and
`query` are set for a QueryError (the 0-based column of the problem). Status codes:

    InvalidInputError (and subclasses)       400   TagNotAllowedError: a value a policy does
                                                   not allow (the allowed values listed)
    request body/parameters of a wrong type  422   (type RequestValidationError)
    AuthenticationError                      401   no or unknown token
    PermissionDeniedError                    403   a viewer writing; a cross-site write;
                                                   PolicyDeniedError: a governed tag
    NotFoundError (and subclasses)           404
    ConflictError (and subclasses)           409
    PayloadTooLargeError                     413   a request body over the limit
    StoreError                               503   (a stopped read, a full pool, a bad database)
    anything else                            500   (type InternalError; logged, never shown)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tagbase._errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    QueryError,
    StoreError,
    TagbaseError,
)

log = logging.getLogger("tagbase.server")

_STATUS: tuple[tuple[type[TagbaseError], int], ...] = (
    (InvalidInputError, 400),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (StoreError, 503),
)
_HTTP_TYPES = {404: "NotFound", 405: "MethodNotAllowed", 401: "AuthenticationError"}


class HTTPError(Exception):
    """An error of the server itself, sent with its own status."""

    status = 400

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """Everything the error shape holds; `error_response` turns it into JSON."""

    type: str
    status: int
    message: str
    problems: tuple[Problem, ...] = ()
    position: int | None = None
    query: str | None = None


def status_of(error: TagbaseError) -> int:
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 400


def describe(error: BaseException) -> ErrorInfo:
    """The error shape of any exception; unexpected ones say nothing about their insides."""
    if isinstance(error, TagbaseError):
        return _tagbase_info(error)
    if isinstance(error, HTTPError):
        return ErrorInfo(type(error).__name__, error.status, str(error), error.problems)
    return ErrorInfo("InternalError", 500, "internal server error; the server log has the cause")


def _tagbase_info(error: TagbaseError) -> ErrorInfo:
    problems: tuple[Problem, ...] = getattr(error, "problems", ())
    message = error.explained("api")  # a fix in the API's terms, not a Python call
    if isinstance(error, QueryError):
        return ErrorInfo(type(error).__name__, 400, message, problems, error.position, error.query)
    return ErrorInfo(type(error).__name__, status_of(error), message, problems)


def error_body(info: ErrorInfo) -> dict[str, Any]:
    problems = [{"value": p.subject, "rule": p.rule, "fix": p.fix} for p in info.problems]
    return {
        "error": {
            "type": info.type,
            "status": info.status,
            "message": info.message,
            "problems": problems,
            "position": info.position,
            "query": info.query,
        }
    }


def error_response(info: ErrorInfo) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if info.status == 401 else None
    return JSONResponse(error_body(info), status_code=info.status, headers=headers)


def _validation_problems(error: RequestValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()))
        rule = str(item.get("msg", "invalid"))
        problems.append(Problem(where, rule, "send a value of the type the OpenAPI schema gives"))
    return problems


async def _on_tagbase_error(request: Request, error: Exception) -> JSONResponse:
    return error_response(describe(error))


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = tuple(_validation_problems(error))
    count = len(problems)
    message = f"{count} invalid request field{'s' if count != 1 else ''}: " + "; ".join(
        f"{p.subject}: {p.rule}" for p in problems
    )
    return error_response(ErrorInfo("RequestValidationError", 422, message, problems))


async def _on_http_exception(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    kind = _HTTP_TYPES.get(error.status_code, "HTTPError")
    return error_response(ErrorInfo(kind, error.status_code, str(error.detail)))


async def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(describe(error))


class UnexpectedErrorMiddleware:
    """Answers an unexpected error (a 500) in the one shape and keeps the connection open.
    Starlette's last-resort handler re-raises once it has answered, and the server then closes
    the keep-alive connection, so the client's next request on it fails."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            if started:  # too late for an answer: the server closes the connection
                raise
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            await error_response(describe(error))(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Send every error, expected or not, in the one shape."""
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_exception_handler(TagbaseError, _on_tagbase_error)
    app.add_exception_handler(HTTPError, _on_tagbase_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unexpected)
