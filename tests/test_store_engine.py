"""The store's connections to PostgreSQL survive the server dropping them while idle."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tagbase import EntitySpec
from tagbase.store import Store, _engine
from tagbase.store._engine import normalize_url


def _backend_pid(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _terminate(url: str, pid: int) -> None:
    engine = sa.create_engine(normalize_url(url))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
    engine.dispose()


def test_a_connection_dropped_while_idle_is_replaced_unnoticed(
    postgresql_url_clean: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_engine, "IDLE_BEFORE_PING", 0.0)  # every checkout counts as idle
    store = Store(postgresql_url_clean)
    try:
        store.add(EntitySpec("job", "before"))
        dropped = _backend_pid(store)
        _terminate(postgresql_url_clean, dropped)
        store.add(EntitySpec("job", "after"))
        assert [job.name for job in store.list("job")] == ["after", "before"]
        assert _backend_pid(store) != dropped
    finally:
        store.close()


def test_a_connection_in_recent_use_is_not_pinged(
    postgresql_url_clean: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(postgresql_url_clean)
    pings: list[object] = []
    monkeypatch.setattr(store.engine.dialect, "do_ping", pings.append)
    try:
        store.add(EntitySpec("job", "warm"))  # the pool now holds a connection used just now
        store.add(EntitySpec("job", "next"))
        assert pings == []
    finally:
        store.close()
