"""A database that cannot serve as the catalog (corrupt, truncated, another program's, newer,
read-only, full, missing a table) is one line naming it, the cause and the fix: a typed
`StoreError` in Python, `error: ...` without traceback from the CLI; `db upgrade` refuses to
write into a database that is not tagbase's, or is newer."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlalchemy import event

from tagbase import (
    Client,
    DamagedDatabaseError,
    DatabaseFullError,
    ForeignDatabaseError,
    ReadOnlyDatabaseError,
    SchemaVersionError,
    StoreError,
)
from tagbase.cli import cli
from tagbase.store import Store
from tagbase.store._engine import head_revision, normalize_url


def tagbase(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database-url", url, *args])


def one_error_line(result: Result, *expected: str) -> str:
    """The CLI failed with one `error: ...` line holding each of `expected`, no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    for text in expected:
        assert text in lines[0]
    return lines[0]


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A SQLite catalog with a few hundred models, closed."""
    path = tmp_path / "catalog.db"
    store = Store(f"sqlite:///{path}")
    client = Client(store)
    for number in range(200):
        client.create_model(f"m{number}", tags=["x"], metadata={"notes": "n" * 400})
    store.close()
    return path


def _opened(url: str) -> None:
    Client(Store(url)).list("model", size=500)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "corrupt"])
def test_a_damaged_sqlite_file_is_named_with_the_fix(catalog: Path, damage: str) -> None:
    data = catalog.read_bytes()
    damaged = {
        "garbage": b"these are not the bytes of a database\n" * 200,
        "truncated": data[: len(data) // 3],
        "corrupt": data[:100] + b"\xff" * 8000 + data[8100:],
    }[damage]
    catalog.write_bytes(damaged)
    url = f"sqlite:///{catalog}"

    with pytest.raises(DamagedDatabaseError, match=re.escape(str(catalog))) as raised:
        _opened(url)

    assert "restore it from a backup" in str(raised.value)
    one_error_line(tagbase(url, "model", "list"), str(catalog), "Fix: restore it")


def _foreign_sqlite(tmp_path: Path) -> str:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    return f"sqlite:///{path}"


@pytest.fixture
def foreign_url(store_url: str, tmp_path: Path) -> Iterator[str]:
    """Another program's database: tables, none of them tagbase's."""
    if store_url.startswith("sqlite"):
        yield _foreign_sqlite(tmp_path)
        return
    schema = f"tagbase_foreign_{uuid.uuid4().hex[:8]}"
    url = re.sub(r"search_path%3D\w+", f"search_path%3D{schema}", store_url)
    engine = sa.create_engine(normalize_url(store_url))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        connection.exec_driver_sql(f"CREATE TABLE {schema}.invoices (id int, total real)")
    try:
        yield url
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def _tables(url: str) -> list[str]:
    engine = sa.create_engine(normalize_url(url))
    try:
        with engine.connect() as connection:
            return sorted(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_a_foreign_database_is_refused_and_left_alone(foreign_url: str) -> None:
    with pytest.raises(ForeignDatabaseError, match=r"not a tagbase catalog.*\(invoices\)"):
        Store(foreign_url)
    one_error_line(tagbase(foreign_url, "model", "list"), "not a tagbase catalog", "Fix: ")

    one_error_line(tagbase(foreign_url, "db", "status"), "not a tagbase catalog")
    upgraded = tagbase(foreign_url, "db", "upgrade")

    one_error_line(upgraded, "not a tagbase catalog", "new, empty database")
    assert _tables(foreign_url) == ["invoices"]  # no schema of tagbase's written into it


@pytest.fixture
def revision_set(store: Store) -> Iterator[Any]:
    """Sets the catalog's schema revision for a test; puts the real one back after."""

    def set_revision(revision: str) -> None:
        with store.engine.begin() as connection:
            connection.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{revision}'")

    yield set_revision
    set_revision(head_revision())


def test_a_newer_schema_says_to_upgrade_tagbase_and_db_upgrade_refuses(
    store: Store, revision_set: Any
) -> None:
    revision_set("0999")

    with pytest.raises(SchemaVersionError, match="newer tagbase") as raised:
        Store(store.url)
    assert "db upgrade" not in str(raised.value).split("Fix:")[1].split(";")[0]

    one_error_line(tagbase(store.url, "db", "upgrade"), "'0999'", "upgrade tagbase")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == (
            "0999"
        )


@pytest.fixture
def dropped_table(store: Store) -> Iterator[None]:
    """The tag history table gone (renamed away, and back after the test)."""
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE tag_history RENAME TO tag_history_gone")
    yield
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE tag_history_gone RENAME TO tag_history")


def test_a_dropped_table_is_named(store: Store, dropped_table: None) -> None:
    client = Client(store)
    client.create_model("churn", tags=["prod"])

    with pytest.raises(DamagedDatabaseError, match=r"lacks table.* tag_history"):
        client.remove_tags("model", "churn", ["prod"])  # the removal goes to history
    with pytest.raises(DamagedDatabaseError, match=r"lacks table.* tag_history"):
        Store(store.url)
    one_error_line(tagbase(store.url, "tag", "history"), "tag_history", "restore")


def _on_each_connection(store: Store, statement: str) -> None:
    """Run `statement` on every connection the store opens from now on."""

    @event.listens_for(store.engine, "connect")
    def _set(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(statement)
        if store.engine.dialect.name == "postgresql":
            dbapi_connection.commit()

    store.engine.dispose()


def test_a_read_only_database_is_named_on_write(store: Store) -> None:
    client = Client(store)
    client.create_model("churn")
    read_only = {
        "sqlite": "PRAGMA query_only = ON",
        "postgresql": "SET default_transaction_read_only = on",
    }
    _on_each_connection(store, read_only[store.engine.dialect.name])

    with pytest.raises(ReadOnlyDatabaseError, match=r"read-only.*nothing was written") as raised:
        client.create_model("fraud")

    assert "Fix: " in str(raised.value)
    assert [model.name for model in client.list("model")] == ["churn"]  # reads still work


@pytest.fixture
def full_disk(store: Store) -> Iterator[None]:
    """No room for the database to grow: SQLite at its page limit; PostgreSQL answers with
    its disk-full error (a trigger raises it, as the server does when a file cannot grow)."""
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        _on_each_connection(store, f"PRAGMA max_page_count = {pages}")
        yield
        return
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE FUNCTION disk_is_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
            "'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
            "END $$ LANGUAGE plpgsql"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER disk_is_full BEFORE INSERT ON entity FOR EACH ROW "
            "EXECUTE FUNCTION disk_is_full()"
        )
    yield
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER disk_is_full ON entity")
        connection.exec_driver_sql("DROP FUNCTION disk_is_full()")


def test_a_full_disk_is_named_and_the_write_rolled_back(store: Store, full_disk: None) -> None:
    client = Client(store)

    with pytest.raises(DatabaseFullError, match=r"full.*rolled back.*Fix: free disk space"):
        client.create_model("churn", metadata={"notes": "n" * 200_000})

    assert client.list("model").items == []
    assert isinstance(DatabaseFullError("x"), StoreError)
