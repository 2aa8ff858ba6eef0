"""The request body limit: a body over `MAX_REQUEST_BODY_BYTES` is refused with a 413 that
names the limit, before anything parses it.

A declared `Content-Length` over the limit is answered at once, without reading the body; a
body sent without one (chunked) is read as it arrives and refused as soon as it passes the
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
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit():  # the server holds the body to its declared length
            if int(declared) > self.limit:
                await _refuse(f"{int(declared):,}", scope, receive, send)
                return
        elif b"transfer-encoding" in headers:
            body = await self._read_up_to_limit(receive)
            if body is None:
                await _refuse(f"over {self.limit:,}", scope, receive, send)
                return
            receive = _replaying(body, receive)
        await self.app(scope, receive, send)

    async def _read_up_to_limit(self, receive: Receive) -> bytes | None:
        """A body sent in chunks, read whole (so it can be refused before any handler
        parses a part of it); None as soon as it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return None
            chunks.append(chunk)
            if message["type"] != "http.request" or not message.get("more_body", False):
                return b"".join(chunks)


async def _refuse(size: str, scope: Scope, receive: Receive, send: Send) -> None:
    info = ErrorInfo(PayloadTooLargeError.__name__, 413, _message(size))
    await error_response(info)(scope, receive, send)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # a disconnect, when the client goes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
