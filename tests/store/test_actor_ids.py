"""The store remembers actors' row ids across calls, but another thread's transaction never
uses an id whose row it cannot see: one a transaction still open added, or one rolled back.
(A server runs its requests' transactions on many threads over one store.) Actor ids carry
no foreign key, so such an id would be written and its changes would name no one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from tagbase import EntitySpec, Kind
from tagbase.store import Store
from tagbase.store._engine import normalize_url

NEWCOMER = "newcomer"


class UndoError(Exception):
    """Raised to roll a block back."""


class Writer:
    """A write, as `NEWCOMER`, on a thread of its own; what it raised, if anything."""

    def __init__(self, store: Store, tag: str) -> None:
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._write, args=(store, tag))

    def _write(self, store: Store, tag: str) -> None:
        try:
            store.add_tags(Kind.ASSET, "orders", tags=[tag], actor=NEWCOMER)
        except BaseException as error:  # kept for the test's thread to report
            self.error = error

    def finish(self) -> None:
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the second writer never finished"
        assert self.error is None, f"the second writer failed: {self.error!r}"


@contextmanager
def after_rollback(store: Store, action: Callable[[], None]) -> Iterator[None]:
    """Run `action` once, on this thread, as soon as a transaction of it has rolled back and
    handed its connection back: before the store's own bookkeeping of the failure runs."""
    owner = threading.current_thread()
    pending = [action]

    def on_checkin(*_: Any) -> None:
        if threading.current_thread() is owner and pending:
            pending.pop()()

    sa.event.listen(store.engine, "checkin", on_checkin)
    try:
        yield
    finally:
        sa.event.remove(store.engine, "checkin", on_checkin)


def tagged_by(store: Store) -> dict[str, str | None]:
    return {e.tag: e.actor for e in store.tag_history(kind=Kind.ASSET, ref="orders")}


def test_an_actor_added_by_a_rolled_back_write_is_not_used_by_another_thread(
    store: Store,
) -> None:
    store.add(EntitySpec(Kind.ASSET, "orders"))
    second = Writer(store, "second")

    def write_from_another_thread() -> None:
        second.thread.start()
        second.thread.join(timeout=60)

    def block() -> None:
        with store.atomic():
            store.add_tags(Kind.ASSET, "orders", tags=["undone"], actor=NEWCOMER)
            raise UndoError

    with after_rollback(store, write_from_another_thread), pytest.raises(UndoError):
        block()
    second.finish()
    assert tagged_by(store) == {"second": NEWCOMER}


def test_an_actor_added_by_an_open_transaction_waits_for_it_in_another_thread(
    postgresql_url_clean: str,
) -> None:
    """PostgreSQL only: on SQLite a second writer cannot begin while a transaction is open."""
    store = Store(postgresql_url_clean)
    watcher = sa.create_engine(normalize_url(postgresql_url_clean))
    try:
        store.add(EntitySpec(Kind.ASSET, "orders"))
        second = Writer(store, "second")

        def block() -> None:
            with store.atomic():
                store.add_tags(Kind.ASSET, "orders", tags=["undone"], actor=NEWCOMER)
                joined = store._joined()
                assert joined is not None
                first_pid = joined.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
                second.thread.start()
                # The second writer finds the newcomer's row being added: it must wait for
                # this transaction to end, not write with an id whose row it cannot see.
                while second.thread.is_alive() and not waits_for(watcher, first_pid):
                    time.sleep(0.01)
                raise UndoError

        with pytest.raises(UndoError):
            block()
        second.finish()
        assert tagged_by(store) == {"second": NEWCOMER}
    finally:
        watcher.dispose()
        store.close()


def waits_for(engine: sa.Engine, pid: int) -> bool:
    """Whether some session waits on a lock the session `pid` holds."""
    with engine.connect() as connection:
        query = sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"
        )
        return bool(connection.execute(query, {"pid": pid}).scalar_one())
