"""The store's connections: durability, and on PostgreSQL transactions, their plan settings
and connections dropped while idle."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tagbase import Durability, EntitySpec, InvalidInputError
from tagbase._config import CONFIG_FILE, Config
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


def _settings(connection: sa.Connection) -> tuple[str, str]:
    plans = connection.exec_driver_sql("SHOW plan_cache_mode").scalar_one()
    scans = connection.exec_driver_sql("SHOW enable_seqscan").scalar_one()
    return plans, scans


def test_writes_reuse_plans_of_point_lookups_and_reads_plan_for_their_parameters(
    postgresql_url_clean: str,
) -> None:
    store = Store(postgresql_url_clean)
    try:
        with _engine.writing(store.engine) as connection:
            assert _settings(connection) == ("auto", "off")
            _engine.plan_for_parameters(connection)  # a write that selects by a user's query
            assert _settings(connection) == ("force_custom_plan", "on")
        with store.engine.connect() as connection:  # the same pooled connection, settings gone
            assert _settings(connection) == ("force_custom_plan", "on")
    finally:
        store.close()


def _failing_write(store: Store) -> None:
    with _engine.writing(store.engine) as connection:
        connection.exec_driver_sql("INSERT INTO actor (name) VALUES ('kept?')")
        connection.exec_driver_sql("SELECT no_such_column FROM actor")


def test_a_failed_write_leaves_nothing_and_the_connection_usable(postgresql_url_clean: str) -> None:
    store = Store(postgresql_url_clean)
    try:
        with pytest.raises(sa.exc.ProgrammingError):
            _failing_write(store)
        with store.engine.connect() as connection:
            names = connection.exec_driver_sql("SELECT name FROM actor").scalars().all()
            assert names == []
    finally:
        store.close()


def test_maintenance_runs_outside_a_transaction(postgresql_url_clean: str) -> None:
    store = Store(postgresql_url_clean)
    try:
        autocommit = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with autocommit as connection:
            connection.exec_driver_sql("VACUUM ANALYZE entity")  # refused inside a transaction
        store.add(EntitySpec("job", "afterwards"))
        assert [job.name for job in store.list("job")] == ["afterwards"]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("durability", "sqlite_level", "postgresql_setting"),
    [(Durability.NORMAL, 1, "off"), (Durability.FULL, 2, "on")],
)
def test_durability_sets_both_databases_alike(
    store_url: str, durability: Durability, sqlite_level: int, postgresql_setting: str
) -> None:
    store = Store(store_url, durability=durability)
    try:
        with store.engine.connect() as connection:
            if store.engine.dialect.name == "sqlite":
                setting = connection.exec_driver_sql("PRAGMA synchronous").scalar_one()
                assert setting == sqlite_level  # 1 NORMAL: WAL synced at checkpoints; 2 FULL
            else:
                setting = connection.exec_driver_sql("SHOW synchronous_commit").scalar_one()
                assert setting == postgresql_setting
    finally:
        store.close()


def test_durability_comes_from_the_environment_or_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Config.load(tmp_path).durability is Durability.NORMAL
    (tmp_path / CONFIG_FILE).write_text("durability: full\n")
    assert Config.load(tmp_path).durability is Durability.FULL
    monkeypatch.setenv("TAGBASE_DURABILITY", "normal")
    assert Config.load(tmp_path).durability is Durability.NORMAL
    monkeypatch.setenv("TAGBASE_DURABILITY", "fsync")
    with pytest.raises(InvalidInputError, match=r"durability 'fsync' is unknown.*normal or full"):
        Config.load(tmp_path)
