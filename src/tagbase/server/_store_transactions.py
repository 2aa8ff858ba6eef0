"""Transactions that clients over HTTP hold open across requests (`HttpStore.atomic()`).

A store's `atomic()` binds its transaction to the thread that opened it, so each open
transaction gets a thread of its own that runs the calls sent for it, one at a time, in
the context (user, runtime) of the request that sent each. It ends when its client ends the
outermost block, or is rolled back after `IDLE_S` without a call (a client that died). At
most `LIMIT` are open at once; each holds a connection (on SQLite, the write lock).
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from typing import Any

from tagbase._errors import NotFoundError, StoreError
from tagbase.store import StoreContract

IDLE_S = 30.0
LIMIT = 32


class _RolledBackError(Exception):
    """Thrown into a block its client ended with an error (or abandoned)."""


@dataclass
class _Open:
    owner: str | None
    inbox: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = field(default_factory=queue.Queue)


class StoreTransactions:
    """The open transactions of one server's store, by id."""

    def __init__(self, store: StoreContract, *, idle_s: float = IDLE_S, limit: int = LIMIT):
        self._store = store
        self._idle_s = idle_s
        self._limit = limit
        self._open: dict[str, _Open] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._open)

    async def begin(self, owner: str | None) -> str:
        """Open a transaction for `owner` (the caller's user); its id."""
        with self._lock:
            if len(self._open) >= self._limit:
                raise StoreError(
                    f"{len(self._open)} transactions are open on this server, its limit. "
                    "Fix: retry in a moment; keep `atomic()` blocks short"
                )
            tid = secrets.token_urlsafe(16)
            opened = self._open[tid] = _Open(owner)
        thread = threading.Thread(target=self._serve, args=(tid, opened), daemon=True)
        thread.name = f"tagbase-transaction-{tid[:6]}"
        thread.start()
        await self._send(tid, opened, _ENTER)
        return tid

    async def call(self, tid: str, owner: str | None, action: Callable[[], Any]) -> Any:
        """Run `action` (a store call) inside the transaction, in this request's context."""
        run = contextvars.copy_context().run
        return await self._send(tid, self._of(tid, owner), run, action)

    async def nest(self, tid: str, owner: str | None) -> None:
        """A block inside the transaction's innermost one (a savepoint)."""
        await self._send(tid, self._of(tid, owner), _ENTER)

    async def end(self, tid: str, owner: str | None, ok: bool) -> None:
        """End the innermost block: commit (or release) it if `ok`, else undo it."""
        await self._send(tid, self._of(tid, owner), _EXIT_OK if ok else _EXIT_FAILED)

    def _of(self, tid: str, owner: str | None) -> _Open:
        opened = self._open.get(tid)
        if opened is None or opened.owner != owner:
            raise NotFoundError(
                f"transaction {tid[:40]!r} is not open: it ended, or was idle for more than "
                f"{self._idle_s:g} s and was rolled back. Fix: run the block again"
            )
        return opened

    async def _send(self, tid: str, opened: _Open, *work: Any) -> Any:
        done: Future[Any] = Future()
        with self._lock:  # the thread drains its inbox under the lock when it ends
            if self._open.get(tid) is not opened:
                raise StoreError("the transaction ended before this call ran")
            opened.inbox.put((_bind(*work), done))
        return await asyncio.wrap_future(done)

    def _serve(self, tid: str, opened: _Open) -> None:
        blocks: list[AbstractContextManager[None]] = []
        try:
            while True:
                try:
                    work, done = opened.inbox.get(timeout=self._idle_s)
                except queue.Empty:
                    return  # abandoned: `finally` undoes every block
                try:
                    done.set_result(work() if callable(work) else _step(self._store, blocks, work))
                except BaseException as error:  # handed to the request that sent the call
                    done.set_exception(error)
                if not blocks:
                    return
        finally:
            with self._lock:
                self._open.pop(tid, None)
                _fail_waiting(opened)
            while blocks:
                _exit(blocks.pop(), ok=False)


_ENTER, _EXIT_OK, _EXIT_FAILED = "enter", "exit-ok", "exit-failed"


def _bind(*work: Any) -> Any:
    if len(work) == 1:
        return work[0]  # a block step, done by `_step`
    run, action = work
    return lambda: run(action)


def _step(store: StoreContract, blocks: list[AbstractContextManager[None]], step: str) -> None:
    if step == _ENTER:
        block = store.atomic()
        block.__enter__()
        blocks.append(block)
        return
    _exit(blocks.pop(), ok=step == _EXIT_OK)


def _exit(block: AbstractContextManager[None], *, ok: bool) -> None:
    if ok:
        block.__exit__(None, None, None)  # a commit that fails raises here, to its client
        return
    with suppress(_RolledBackError):
        block.__exit__(_RolledBackError, _RolledBackError(), None)


def _fail_waiting(opened: _Open) -> None:
    while True:
        try:
            _, done = opened.inbox.get_nowait()
        except queue.Empty:
            return
        done.set_exception(StoreError("the transaction ended before this call ran"))
