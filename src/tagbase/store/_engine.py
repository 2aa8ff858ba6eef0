"""Engines for SQLite and PostgreSQL, and the schema version check."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from tagbase._config import DEFAULT_TIMEOUTS, Durability, Timeouts
from tagbase._errors import SchemaVersionError, StoreError
from tagbase.store._bounds import (
    bound_sqlite_reads,
    mark_reading,
    pool_class,
    read_begin,
    translate_timeouts,
)
from tagbase.store._failures import (
    explain_failures,
    explained_failures,
    missing_tables,
    refuse_foreign,
    refuse_unknown_revision,
)
from tagbase.store._schema import metadata_obj
from tagbase.store._sql import use_text_uuids
from tagbase.store._text_guard import guard_lookups

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE = "tagbase_write"
_NO_WAIT = "tagbase_no_wait"


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction; on SQLite it takes the write lock when it begins (see `_on_begin`)."""
    with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
        yield connection


def write_unless_busy(engine: sa.Engine, statement: sa.Executable) -> bool:
    """Run a write at once, or not at all if another writer holds the lock: for bookkeeping
    that may be skipped (a token's last use), which must never wait behind a transaction a
    client holds open over HTTP. Whether it was written."""
    options = {WRITE: True, _NO_WAIT: True}
    busy = (sa.exc.OperationalError, engine.dialect.loaded_dbapi.OperationalError)
    try:
        with engine.connect().execution_options(**options) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SET LOCAL lock_timeout = '50ms'"))
            connection.execute(statement)
    except busy:
        return False
    return True


def normalize_url(url: str) -> str:
    """Let users write `postgresql://`; we drive PostgreSQL with psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def create_engine(
    url: str, durability: Durability = Durability.NORMAL, timeouts: Timeouts = DEFAULT_TIMEOUTS
) -> sa.Engine:
    """An engine whose reads stop at the statement timeout (see `_bounds`)."""
    url = normalize_url(url)
    if url.startswith("sqlite") or url.startswith("postgresql"):
        make = _sqlite_engine if url.startswith("sqlite") else _postgresql_engine
        engine = make(url, durability, timeouts)
        translate_timeouts(engine, timeouts)
        explain_failures(engine)
        guard_lookups(engine)  # NUL in a lookup: one typed error on both databases
        return engine
    raise StoreError(f"database URL {url!r} is not supported; use sqlite:/// or postgresql://")


# A write transaction's statements are point lookups and inserts, the same few shapes over and
# over: PostgreSQL may reuse a plan for them (planning costs more than running them). The ban on
# sequential scans keeps a plan cached while a table was small from scanning it once it is big.
_BEGIN_WRITE = "BEGIN; SET LOCAL plan_cache_mode = auto; SET LOCAL enable_seqscan = off"


def _postgresql_engine(url: str, durability: Durability, timeouts: Timeouts) -> sa.Engine:
    engine = sa.create_engine(
        url,
        poolclass=pool_class(timeouts),
        pool_size=5,
        max_overflow=10,
        pool_timeout=timeouts.pool_s,
    )
    begin_read = read_begin(timeouts)
    # A read is planned for its own parameters: how many entities a tag selects varies from
    # one to millions, and a reused plan suits only some of them.
    settings = "SET plan_cache_mode = force_custom_plan"
    if durability is Durability.NORMAL:  # see Durability: SQLite's WAL guarantee, alike
        settings += "; SET synchronous_commit = off"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        use_text_uuids(dbapi_connection)
        dbapi_connection.execute(settings)
        dbapi_connection.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Begun here rather than by the driver, so a writer's settings ride on its BEGIN.
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.autocommit = True  # the driver sends no BEGIN of its own; COMMIT still ends ours
        with explained_failures(engine):
            driver.execute(_BEGIN_WRITE if options.get(WRITE, False) else begin_read)

    _ping_when_idle(engine)
    return engine


_PLAN_FOR_PARAMETERS = (
    "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan = on"
)


def plan_for_parameters(connection: sa.Connection) -> None:
    """For the rest of a write transaction on PostgreSQL, plan statements for their parameters
    and allow sequential scans, as reads do: for a write that selects by a user's query."""
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql" and driver is not None:
        driver.execute(_PLAN_FOR_PARAMETERS)


IDLE_BEFORE_PING = 1.0  # seconds


def _ping_when_idle(engine: sa.Engine) -> None:
    """Check a pooled connection before use only when it sat idle for a while: a server restart
    or an idle timeout drops idle connections, not ones in use a moment ago. A ping on every
    checkout (SQLAlchemy's pre-ping) is a round trip on every small write."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa.exc.DisconnectionError(str(error)) from error  # the pool reconnects


_BUSY_TIMEOUT_MS = 60_000


def _sqlite_engine(url: str, durability: Durability, timeouts: Timeouts) -> sa.Engine:
    database = sa.engine.make_url(url).database
    memory = database in (None, "", ":memory:")
    if database and not memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"timeout": 60, "check_same_thread": False},
        **({} if memory else {"poolclass": pool_class(timeouts), "pool_timeout": timeouts.pool_s}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so writers can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            f"synchronous={durability.value.upper()}",
            "foreign_keys=ON",
            f"busy_timeout={_BUSY_TIMEOUT_MS}",
            "cache_size=-65536",
            "temp_store=MEMORY",
            "wal_autocheckpoint=10000",
            "case_sensitive_like=ON",  # LIKE matches case as PostgreSQL does
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # A writer takes the write lock up front: no deadlock when a reader upgrades later.
        write = connection.get_execution_options().get(WRITE, False)
        driver = connection.connection.driver_connection  # cheaper than a SQLAlchemy statement
        assert driver is not None
        mark_reading(connection, None if write else timeouts.statement_s)
        no_wait = connection.get_execution_options().get(_NO_WAIT, False)
        if no_wait:
            driver.execute("PRAGMA busy_timeout=0")
        try:
            with explained_failures(engine):  # a read-only file refuses BEGIN IMMEDIATE
                driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        finally:
            if no_wait:
                driver.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")

    bound_sqlite_reads(engine, timeouts)
    return engine


def alembic_config(connection: sa.Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return str(head)


def current_revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(sa.text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def refuse_unmanaged(engine: sa.Engine, current: str | None, tables: list[str]) -> None:
    """Refuse a database tagbase must not write its schema into: another program's (tables,
    but none of tagbase's), one whose revision record is gone, or a newer tagbase's."""
    if current is None and tables:
        ours = set(tables) & set(metadata_obj.tables)
        raise (
            missing_tables(engine.url, ["alembic_version"])
            if ours
            else refuse_foreign(engine.url, tables)
        )
    if current is not None and current not in _known_revisions():
        raise refuse_unknown_revision(engine.url, current, head_revision())


def managed_revision(engine: sa.Engine) -> str | None:
    """The schema revision of a database tagbase may manage: refuses one that is another
    program's or a newer tagbase's (see `refuse_unmanaged`)."""
    with engine.connect() as connection:
        current = current_revision(connection)
        refuse_unmanaged(engine, current, sa.inspect(connection).get_table_names())
    return current


def upgrade(engine: sa.Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (before, after). Refuses a database
    that is not tagbase's, or whose schema is newer than this tagbase."""
    from alembic import command

    with engine.connect() as connection, _foreign_keys_off(connection):
        with connection.begin():
            before = current_revision(connection)
            refuse_unmanaged(engine, before, sa.inspect(connection).get_table_names())
            command.upgrade(alembic_config(connection), "head")
            _check_foreign_keys(connection)
        return before, head_revision()


@contextmanager
def _foreign_keys_off(connection: sa.Connection) -> Iterator[None]:
    """On SQLite, no foreign key enforcement while migrations run: a migration that makes a
    table anew drops the old one, and enforcement would cascade that to the rows that point
    at it. (SQLite ignores the pragma inside a transaction, so it is set before one begins.)"""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: sa.Connection) -> None:
    """Refuse to commit a migration that left a row pointing at nothing."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        raise StoreError(
            f"the upgrade left a {broken[0]} row pointing at no {broken[2]} row; nothing was "
            "changed. Fix: report this with the catalog's revision"
        )


def check_schema(engine: sa.Engine, url: str) -> None:
    """Create the schema in an empty database; refuse an old or unknown one."""
    head = head_revision()
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
            tables = sa.inspect(connection).get_table_names()
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise StoreError(
            f"cannot open the catalog database at {shown}: {reason}. Fix: check "
            "TAGBASE_DATABASE_URL (or --database-url) and that the database server is running"
        ) from None
    if current == head:
        missing = set(metadata_obj.tables) - set(tables)
        if missing:
            raise missing_tables(engine.url, sorted(missing))
        return
    if current is None and not tables:
        upgrade(engine)
        return
    refuse_unmanaged(engine, current, tables)
    raise SchemaVersionError(
        f"the database at {shown} has schema revision {current or 'none'}, but this tagbase "
        f"needs {head}. Back it up, then run: TAGBASE_DATABASE_URL='{shown}' tagbase db upgrade"
    )


def database_revision(url: str) -> str | None:
    """The schema revision of the database at `url`, opened without the schema check a
    Store makes (so an old one can be read); refuses another program's or a newer one."""
    engine = create_engine(url)
    try:
        return managed_revision(engine)
    finally:
        engine.dispose()


def upgrade_database(url: str) -> tuple[str | None, str]:
    """Bring the database at `url` to the newest revision; returns (before, after)."""
    engine = create_engine(url)
    try:
        return upgrade(engine)
    finally:
        engine.dispose()
