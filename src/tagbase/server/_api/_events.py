"""The change feed over REST: pages by id (`GET /api/events`), and a live stream of
server-sent events (`GET /api/events/stream`) that a client resumes with `Last-Event-ID`.
Anyone who may read may follow it.

The stream polls the store (a short sleep when caught up) in the thread pool, so a follower
never blocks the event loop; each event is one SSE message whose `id:` is the event id.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from tagbase._changes import ChangePage
from tagbase._errors import InvalidInputError
from tagbase._json import ChangeEventOut, ChangePageOut
from tagbase.server._api._deps import ClientDep

router = APIRouter(tags=["change feed"])

MAX_ID = 2**63 - 1  # event ids are 8-byte integers
POLL_S = 0.1  # how long a caught-up stream sleeps before it looks again
KEEP_ALIVE_S = 15.0  # a comment line this often keeps proxies from closing an idle stream
STREAM_PAGE = 500

TypesQuery = Annotated[
    list[str] | None,
    Query(description="event types (`tag.moved`) or families (`tag`, `run`); all if none"),
]
FilterQuery = Annotated[
    str | None,
    Query(description="a selection the event's entity matches, e.g. `tag:champion`"),
]


@router.get("/events", response_model=ChangePageOut)
def list_events(
    client: ClientDep,
    types: TypesQuery = None,
    q: FilterQuery = None,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="the `last_id` of the previous page")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> ChangePageOut:
    """Catalog changes after event id `after`, oldest first, in commit order."""
    return ChangePageOut.of(client.events(after=after, types=types, query=q, limit=limit))


@router.get(
    "/events/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "server-sent events"}},
)
async def stream_events(
    request: Request,
    client: ClientDep,
    types: TypesQuery = None,
    q: FilterQuery = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="start after this id; default: now")
    ] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Changes as they commit, one SSE message each (`id:`, `event:` the type, `data:` the
    event's JSON). A client that reconnects with `Last-Event-ID` resumes after that id."""
    start = _resumed(last_event_id)
    if start is None:
        start = after if after is not None else await run_in_threadpool(client.last_event_id)

    def page_after(cursor: int) -> ChangePage:
        return client.events(after=cursor, types=types, query=q, limit=STREAM_PAGE)

    first = await run_in_threadpool(page_after, start)  # bad types or query: an error now
    return StreamingResponse(
        _messages(request, first, page_after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _resumed(last_event_id: str | None) -> int | None:
    if last_event_id is None or not last_event_id.strip():
        return None
    try:
        resumed = int(last_event_id)
    except ValueError:
        resumed = -1
    if not 0 <= resumed <= MAX_ID:
        raise InvalidInputError(
            f"Last-Event-ID {last_event_id[:40]!r} is not an event id; send the `id:` of the "
            "last message received, or no header to start from now"
        )
    return resumed


async def _messages(
    request: Request, page: ChangePage, page_after: Callable[[int], ChangePage]
) -> AsyncIterator[str]:
    idle_s = 0.0
    while True:
        for event in page.events:
            data = ChangeEventOut.of(event).model_dump_json()
            yield f"id: {event.id}\nevent: {event.type.value}\ndata: {data}\n\n"
        if page.events:
            idle_s = 0.0
        if await request.is_disconnected():
            return
        if not page.more:
            if idle_s >= KEEP_ALIVE_S:
                yield f": alive {page.last_id}\n\n"
                idle_s = 0.0
            await asyncio.sleep(POLL_S)
            idle_s += POLL_S
        page = await run_in_threadpool(page_after, page.last_id)
