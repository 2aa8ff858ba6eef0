"""The store API: the store contract, call by call, for `HttpStore` clients (laptops, CI jobs,
steps and workers holding a token and no database credentials).

    POST /api/store/call/{method}               {"a": [args], "k": {kwargs}} -> {"r": result}
    POST /api/store/transactions                -> {"id": ...}   (an `atomic()` block)
    POST /api/store/transactions/{id}/begin     a block inside it (a savepoint)
    POST /api/store/transactions/{id}/end       {"ok": bool}: commit (or undo) the innermost

Bodies are in the wire form of `tagbase.store._remote._codec`. Each method needs the role its
`NEEDS` entry gives (a viewer reads; an editor writes the catalog and runs workers; an admin
manages users, tokens, the registry and policies), checked as every route's is, and runs as
the caller (`acting_as`), so its changes are recorded under the token's user. A call with
the `X-Tagbase-Transaction` header runs inside that transaction. Errors come in the one
error shape, their fixes in Python's terms (the client raises them in Python).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.routing import Route

from tagbase._errors import InvalidInputError, NotFoundError, TagbaseError
from tagbase.server._errors import describe, error_response
from tagbase.server._security import Access, authorize_as, identity_of
from tagbase.server._store_transactions import StoreTransactions
from tagbase.store import StoreContract
from tagbase.store._remote._codec import dumps, loads
from tagbase.store._remote._methods import NEEDS, SIGNATURES, TRANSACTION_HEADER
from tagbase.store._remote._types import check_fields, hints_of


async def _authorize_call(request: Request) -> None:
    method = request.path_params.get("method", "")
    need = NEEDS.get(method)
    if need is None:
        raise NotFoundError(
            f"store method {method[:80]!r} is not served; the store API serves the methods "
            "of tagbase.store.StoreContract. Fix: use tagbase's HttpStore"
        )
    authorize_as(request, Access(int(need)))


async def _authorize_read(request: Request) -> None:
    authorize_as(request, Access.READ)  # each call in a transaction is checked for itself


transactions = APIRouter(dependencies=[Depends(_authorize_read)], include_in_schema=False)


def _store(request: Request) -> StoreContract:
    store: StoreContract = request.app.state.client.store
    return store


def _transactions(request: Request) -> StoreTransactions:
    found: StoreTransactions = request.app.state.store_transactions
    return found


def _owner(request: Request) -> str | None:
    identity = identity_of(request)
    return None if identity is None else f"{identity.via}:{identity.name}"


def _answer(value: Any) -> Response:
    return Response(dumps({"r": value}), media_type="application/json")


def _refused(error: TagbaseError) -> JSONResponse:
    return error_response(dataclasses.replace(describe(error), message=error.explained("python")))


async def _arguments(request: Request, method: str) -> tuple[list[Any], dict[str, Any]]:
    body = loads(await request.body())
    if not isinstance(body, dict) or not isinstance(body.get("a", []), list):
        raise InvalidInputError(
            'a store call\'s body is {"a": [arguments], "k": {keyword arguments}}; send '
            "what tagbase's HttpStore writes"
        )
    args, kwargs = body.get("a", []), body.get("k", {})
    if not isinstance(kwargs, dict):
        raise InvalidInputError("a store call's keyword arguments ('k') are a JSON object")
    try:
        bound = SIGNATURES[method].bind(None, *args, **kwargs)
    except TypeError as error:
        raise InvalidInputError(
            f"{method}() does not take these arguments ({error}). Fix: call it as "
            f"StoreContract.{method}{SIGNATURES[method]} gives"
        ) from None
    del bound.arguments["self"]
    check_fields(f"{method}()", bound.arguments, hints_of(getattr(StoreContract, method)))
    return args, kwargs


async def call(request: Request) -> Response:
    """POST /api/store/call/{method}: a plain Starlette route, as the busiest route of a team
    server: FastAPI's dependency solving would cost each call a fifth of its time."""
    await _authorize_call(request)
    method: str = request.path_params["method"]
    try:
        args, kwargs = await _arguments(request, method)
        bound = getattr(_store(request), method)

        def action() -> Any:
            return bound(*args, **kwargs)

        transaction = request.headers.get(TRANSACTION_HEADER)
        if transaction:
            return _answer(await _transactions(request).call(transaction, _owner(request), action))
        if method in _POINT_READS and request.app.state.client.store.reads_at_once():
            return _answer(action())
        return await run_in_threadpool(lambda: _answer(action()))  # encoded off the event loop
    except TagbaseError as error:
        return _refused(error)


# Reads of one row by key: where they never wait (`Store.reads_at_once`) they run on the event
# loop, as the hop to the thread pool and back costs more than they do (8 clients: 700 -> 1,090
# gets/s, benchmarks/team_server.py).
_POINT_READS = frozenset({"get", "find", "find_alias", "run_status", "get_cursor", "get_tag"})


calls = [Route("/api/store/call/{method}", call, methods=["POST"])]


@transactions.post("/transactions")
async def begin(request: Request) -> Response:
    try:
        return JSONResponse({"id": await _transactions(request).begin(_owner(request))})
    except TagbaseError as error:
        return _refused(error)


@transactions.post("/transactions/{tid}/begin")
async def nest(tid: str, request: Request) -> Response:
    try:
        await _transactions(request).nest(tid, _owner(request))
        return _answer(None)
    except TagbaseError as error:
        return _refused(error)


@transactions.post("/transactions/{tid}/end")
async def end(tid: str, request: Request) -> Response:
    try:
        body = loads(await request.body())
        ok = isinstance(body, dict) and body.get("ok") is True
        await _transactions(request).end(tid, _owner(request), ok)
        return _answer(None)
    except TagbaseError as error:
        return _refused(error)
