"""The request body limit: a body over `MAX_REQUEST_BODY_BYTES` is refused with a 413 that
names the limit, before anything parses it.

A declared `Content-Length` over the limit is answered at once, without reading the body; a
body sent without one (chunked) is counted as it arrives, and refused as soon as it passes the
limit, so the server never holds more than the limit in memory for one request.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tagbase._limits import MAX_REQUEST_BODY_BYTES
from tagbase.server._errors import ErrorInfo, HTTPError, error_response


class PayloadTooLargeError(HTTPError):
    """A request body over the limit."""

    status = 413


def _message(size: str) -> str:
    return (
        f"the request body is {size} bytes; at most {MAX_REQUEST_BODY_BYTES:,} bytes (16 MiB) "
        "are accepted. Fix: send less per request (store large data as an artifact, split "
        "bulk writes)"
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            info = ErrorInfo(PayloadTooLargeError.__name__, 413, _message(f"{int(declared):,}"))
            await error_response(info)(scope, receive, send)
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # raised where the body is read: the handlers render it
                raise PayloadTooLargeError(_message(f"over {self.limit:,}"))
            return message

        return counted
