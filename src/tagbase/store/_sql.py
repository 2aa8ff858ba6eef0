"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import json
import operator
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from psycopg.pq import ExecStatus
from psycopg.types.string import TextLoader
from sqlalchemy.dialects import postgresql, sqlite

from tagbase.store._bounds import statement_starts
from tagbase.store._text_guard import check_lookup

T = TypeVar("T")
CHUNK = 500  # keeps IN lists and bound parameters well inside both databases' limits


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(dialect: str, table: sa.Table) -> Any:
    return (sqlite if dialect == "sqlite" else postgresql).insert(table)


# ON CONFLICT statements are built once per dialect and shape: building `excluded` columns
# costs more than running the statement on a small write.
@functools.cache
def _ignoring(dialect: str, table: sa.Table, keys: tuple[str, ...]) -> Any:
    return _insert(dialect, table).on_conflict_do_nothing(index_elements=list(keys))


@functools.cache
def adding(dialect: str, table: sa.Table, keys: tuple[str, ...], column: str) -> Any:
    """The upsert that adds to a counter column (see `counting`); built once per shape."""
    insert = _insert(dialect, table)
    return insert.on_conflict_do_update(
        index_elements=list(keys), set_={column: table.c[column] + insert.excluded[column]}
    )


@functools.cache
def _replacing(
    dialect: str, table: sa.Table, keys: tuple[str, ...], updated: tuple[str, ...]
) -> Any:
    insert = _insert(dialect, table)
    return insert.on_conflict_do_update(
        index_elements=list(keys), set_={name: insert.excluded[name] for name in updated}
    )


def insert_ids(
    connection: sa.Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    key: tuple[str, ...],
    along: Sequence[Rows] = (),
) -> list[int]:
    """Insert rows into a table with an `id` column, and the `along` rows into other tables
    (counters) in the same statement where the database allows; the ids, in order. One row
    comes back from RETURNING. Many go through the driver (SQLite would run a RETURNING insert
    once per row), then their ids are read back by `key`, unique among the rows, from the rows
    newer than the newest before: ids only grow."""
    statements = _id_statements(table)
    if len(rows) == 1 and connection.dialect.name == "postgresql":
        written = [*along, as_rows(statements.many, rows)]
        ((inserted,),) = on_driver(connection, *_together(connection.dialect, written, "id"))
        return [int(inserted)]
    if len(rows) == 1:
        execute_together(connection, along)
        ((inserted,),) = fetch(connection, statements.one, rows[0], tuple(rows[0]))
        return [int(inserted)]
    before = connection.execute(statements.newest).scalar_one()
    execute_together(connection, [*along, as_rows(statements.many, rows)])
    ids = dict(_inserted(connection, table, before, rows, key, ("id",)))
    return [ids[tuple(row[name] for name in key)][0] for row in rows]


def _inserted(
    connection: sa.Connection,
    table: sa.Table,
    before: int,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    columns: tuple[str, ...],
) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(key, `columns`) of the rows just inserted through the driver: those newer than the
    newest before (ids only grow) whose key is one of `rows`' (not a racing writer's)."""
    ours = {tuple(row[name] for name in key) for row in rows}
    newer = sa.select(*(table.c[name] for name in (*key, *columns))).where(table.c.id > before)
    width = len(key)
    found = ((tuple(row[:width]), tuple(row[width:])) for row in connection.execute(newer))
    return [(row_key, values) for row_key, values in found if row_key in ours]


class _IdStatements(NamedTuple):
    one: Any
    many: Any
    newest: sa.Select[Any]


@functools.cache
def _id_statements(table: sa.Table) -> _IdStatements:
    return _IdStatements(
        one=table.insert().returning(table.c.id),
        many=table.insert(),
        newest=sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)),
    )


def insert_ignore(
    connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]], keys: list[str]
) -> None:
    """Insert rows, skipping those whose `keys` already exist (also ones a racing writer adds)."""
    if rows:
        statement = _ignoring(connection.dialect.name, table, tuple(keys))
        execute_many(connection, statement, [dict(row) for row in rows])


_FEW_ROWS = 64


def insert_new(
    connection: sa.Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    keys: list[str],
    returning: tuple[str, ...],
) -> list[Any]:
    """Insert rows into a table with an `id` column, skipping those whose `keys` exist; the
    inserted rows' `returning` columns. A few rows come back from RETURNING; many go through
    the driver's executemany, and are read back among the rows newer than the newest before
    (ids only grow). Callers look up whatever was not returned (it existed already)."""
    if not rows:
        return []
    if len(rows) <= _FEW_ROWS:
        statement = _ignoring_returning(connection.dialect.name, table, tuple(keys), returning)
        if len(rows) == 1:  # the common small write: through the driver
            return fetch(connection, statement, rows[0], tuple(rows[0]))
        return list(connection.execute(statement, [dict(row) for row in rows]))
    before = connection.execute(_id_statements(table).newest).scalar_one()
    insert_ignore(connection, table, rows, keys)
    return [values for _, values in _inserted(connection, table, before, rows, keys, returning)]


@functools.cache
def _ignoring_returning(
    dialect: str, table: sa.Table, keys: tuple[str, ...], returning: tuple[str, ...]
) -> Any:
    statement = _ignoring(dialect, table, keys)
    return statement.returning(*(table.c[name] for name in returning))


def ensure_named(
    connection: sa.Connection,
    table: sa.Table,
    name: str,
    names: Iterable[str],
    columns: tuple[str, ...],
) -> dict[str, tuple[Any, ...]]:
    """For each name, the `columns` of the row of `table` whose `name` column holds it,
    adding rows for the missing names (keys, actors: rows found by a unique name)."""
    wanted = sorted(set(names))
    found = _rows_named(connection, table, name, wanted, columns)
    return found | add_named(
        connection, table, name, [one for one in wanted if one not in found], columns
    )


def add_named(
    connection: sa.Connection,
    table: sa.Table,
    name: str,
    names: Sequence[str],
    columns: tuple[str, ...],
) -> dict[str, tuple[Any, ...]]:
    """Add rows for names just found missing; the `columns` of each (of a racer's, if first)."""
    if not names:
        return {}
    rows = [{name: one} for one in names]
    added = {
        row[0]: tuple(row[1:])
        for row in insert_new(connection, table, rows, [name], (name, *columns))
    }
    unreturned = [one for one in names if one not in added]
    return (
        added | _rows_named(connection, table, name, unreturned, columns) if unreturned else added
    )


def _rows_named(
    connection: sa.Connection,
    table: sa.Table,
    name: str,
    names: Sequence[str],
    columns: tuple[str, ...],
) -> dict[str, tuple[Any, ...]]:
    statement = _named(connection.dialect.name, table, name, columns)
    rows = fetch(connection, statement, {"values": bound_list(connection, names)})
    return {row[0]: tuple(row[1:]) for row in rows}


@functools.cache
def _named(dialect: str, table: sa.Table, name: str, columns: tuple[str, ...]) -> sa.Select[Any]:
    wanted = in_bound_list(table.c[name], dialect, element=sa.Text)
    return sa.select(table.c[name], *(table.c[c] for c in columns)).where(wanted)


def counting(
    connection: sa.Connection,
    table: sa.Table,
    keys: list[str],
    column: str,
    deltas: Mapping[tuple[Any, ...], int],
) -> Rows:
    """The upsert adding each delta to the counter row keyed by `keys` (made when missing)."""
    statement = adding(connection.dialect.name, table, tuple(keys), column)
    rows = sorted((*key, delta) for key, delta in deltas.items())  # a fixed lock order
    return Rows(statement, (*keys, column), rows)


class Rows(NamedTuple):
    """An INSERT (maybe with ON CONFLICT) and its rows, as tuples in `columns` order."""

    statement: Any
    columns: tuple[str, ...]
    rows: list[Any]


def as_rows(statement: Any, rows: Sequence[Mapping[str, Any]]) -> Rows:
    """Rows given as dicts of one shape, as tuples."""
    if not rows:
        return Rows(statement, (), [])
    columns = tuple(rows[0])
    get = operator.itemgetter(*columns)  # one C call a row, where a genexpr costs more
    values = [get(row) for row in rows] if len(columns) > 1 else [(get(row),) for row in rows]
    return Rows(statement, columns, values)


def execute_many(connection: sa.Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Run an INSERT (maybe with ON CONFLICT) for the rows, given as dicts of one shape."""
    execute_rows(connection, *as_rows(statement, rows))


def execute_together(connection: sa.Connection, writes: Sequence[Rows]) -> None:
    """Run INSERTs into different tables that do not read each other's rows: in one statement
    on PostgreSQL, where a statement's round trip and overhead cost more than a small insert;
    one after another on SQLite, where statements cost little."""
    writes = [write for write in writes if write.rows]
    if writes and connection.dialect.name == "postgresql":
        on_driver(connection, *_together(connection.dialect, writes))
        return
    for write in writes:
        execute_rows(connection, *write)


def _together(
    dialect: sa.Dialect, writes: Sequence[Rows], returning: str | None = None
) -> tuple[str, tuple[list[Any], ...]]:
    """PostgreSQL SQL running the writes (all but the last as writable CTEs, each run exactly
    once) and its arguments: the column arrays of each write in turn."""
    parts = [_driver_sql(dialect, write.statement, write.columns)[0] for write in writes]
    sql = parts[-1] + (f" RETURNING {returning}" if returning else "")
    if len(parts) > 1:
        sql = f"WITH {', '.join(f'w{i} AS ({part})' for i, part in enumerate(parts[:-1]))} {sql}"
    arguments = tuple(list(column) for write in writes for column in zip(*write.rows, strict=True))
    return sql, arguments


def execute_rows(
    connection: sa.Connection, statement: Any, columns: tuple[str, ...], rows: list[Any]
) -> None:
    """Run an INSERT for rows given as tuples in `columns` order (bulk writers skip building a
    dict a row). SQLAlchemy's per-row and per-statement work costs more than the database's, so
    the SQL is compiled once per shape and handed to the driver: executemany on SQLite, one
    statement over column arrays on PostgreSQL (one round trip however many rows)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        on_driver(connection, *_together(connection.dialect, [Rows(statement, columns, rows)]))
        return
    sql, order = _driver_sql(connection.dialect, statement, columns)
    if order != columns:
        get = operator.itemgetter(*(columns.index(name) for name in order))
        rows = [get(row) for row in rows] if len(order) > 1 else [(get(row),) for row in rows]
    on_driver(connection, sql, rows, many=True)


@functools.lru_cache(maxsize=512)
def _driver_sql(
    dialect: sa.Dialect, statement: Any, columns: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The statement's SQL for `dialect` and the order its parameters go in: SQLite's
    positional order, or PostgreSQL's column arrays in `columns` order."""
    sql, order, _ = _driver_form(dialect, statement, columns)
    if dialect.name != "postgresql":
        assert order is not None  # SQLite's driver takes positional parameters
        return sql, order
    return _insert_arrays(dialect, statement.table, sql, columns), columns


def _insert_arrays(
    dialect: sa.Dialect, table: sa.Table, compiled: str, columns: tuple[str, ...]
) -> str:
    """INSERT ... SELECT FROM unnest(column arrays), keeping the statement's ON CONFLICT."""
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    types = (table.c[name].type.dialect_impl(dialect) for name in columns)  # variants resolved
    arrays = ", ".join(f"%s::{_array_type(column_type)}" for column_type in types)
    conflict = compiled[compiled.index(" ON CONFLICT") :] if " ON CONFLICT" in compiled else ""
    return f"INSERT INTO {quote(table.name)} ({names}) SELECT * FROM unnest({arrays}){conflict}"


def _array_type(column_type: Any) -> str:
    if isinstance(column_type, sa.Uuid):  # text is not assigned to a uuid column without a cast
        return "uuid[]"
    for python_type, array in ((bool, "boolean[]"), (int, "bigint[]"), (float, "float8[]")):
        if column_type.python_type is python_type:
            return array
    return "bytea[]" if column_type.python_type is bytes else "text[]"


def upsert(
    connection: sa.Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    keys: list[str],
) -> None:
    """Insert rows, replacing the other columns of rows whose `keys` already exist."""
    if not rows:
        return
    updated = tuple(name for name in rows[0] if name not in keys)
    statement = _replacing(connection.dialect.name, table, tuple(keys), updated)
    execute_many(connection, statement, [dict(row) for row in rows])


def lock_rows(connection: sa.Connection, column: sa.Column[Any], ids: Iterable[int]) -> None:
    """On PostgreSQL, lock rows by id in a fixed order; SQLite writers are already serial."""
    wanted = sorted(set(ids))
    if connection.dialect.name == "postgresql" and wanted:
        fetch(connection, _locking(column), {"values": wanted})


@functools.cache
def _locking(column: sa.Column[Any]) -> sa.Select[Any]:
    listed = in_bound_list(column, "postgresql")
    return sa.select(column).where(listed).order_by(column).with_for_update()


def fetch(
    connection: sa.Connection,
    statement: Any,
    params: Mapping[str, Any],
    columns: tuple[str, ...] | None = None,
) -> list[Any]:
    """Rows of a statement as plain tuples, through the driver: for the hot statements of a
    page or a small write, where SQLAlchemy's per-statement and per-row work costs more than
    the database's. For statements built once, whose columns need no type conversion (an
    INSERT names the `columns` it sets). Lookups are checked as the engine's are."""
    sql, order, defaults = _driver_form(connection.dialect, statement, columns)
    given = {**defaults, **params} if defaults else params
    arguments = given if order is None else tuple(given[name] for name in order)
    return on_driver(connection, sql, arguments)


def on_driver(connection: sa.Connection, sql: str, arguments: Any, many: bool = False) -> list[Any]:
    """Run SQL on a cursor of the driver inside the connection's transaction (timed as a read
    if it is one), its errors raised as SQLAlchemy raises them; returns its rows, if any."""
    check_lookup(sql, arguments, many)
    cursor = _driver_cursor(connection)
    statement_starts(connection)
    try:
        if many:
            cursor.executemany(sql, arguments)
            return []
        cursor.execute(sql, arguments)
        return list(cursor.fetchall()) if _returned_rows(cursor) else []
    except connection.dialect.loaded_dbapi.Error as error:  # no cursor: it would close ours
        connection._handle_dbapi_exception(error, sql, arguments, None, None)


def _driver_cursor(connection: sa.Connection) -> Any:
    """One cursor per database connection, kept with it: making a cursor costs more than a
    small statement's work. The connection's statements run one at a time, and each fetches
    all its rows before the next, so they can share it."""
    pooled = connection.connection
    cursor = pooled.info.get("driver_cursor")  # info lives as long as the database connection
    if cursor is None:
        assert pooled.driver_connection is not None
        cursor = pooled.info["driver_cursor"] = pooled.driver_connection.cursor()
    return cursor


def _returned_rows(cursor: Any) -> bool:
    """Whether the statement returned rows; psycopg tells without building its column list."""
    result = getattr(cursor, "pgresult", None)
    if result is None:
        return cursor.description is not None
    return bool(result.status == ExecStatus.TUPLES_OK)


@functools.lru_cache(maxsize=256)
def _driver_form(
    dialect: sa.Dialect, statement: Any, columns: tuple[str, ...] | None
) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
    """The statement's SQL for `dialect`, its parameters' order for positional drivers, and
    the values of parameters built into it (a LIMIT, say)."""
    keys = None if columns is None else list(columns)
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    order = compiled.positiontup
    defaults = {name: value for name, value in compiled.params.items() if value is not None}
    return str(compiled), (tuple(order) if order is not None else None), defaults


def use_text_uuids(dbapi_connection: Any) -> None:
    """Have a new psycopg connection read `uuid` columns as text, as SQLite stores them: rows
    read through the driver (`fetch`, `on_driver`) skip SQLAlchemy's conversions, and the store
    handles entity ids as strings. (Only text results: no cursor here asks for binary ones.)"""
    dbapi_connection.adapters.register_loader("uuid", TextLoader)


def in_bound_list(
    column: sa.ColumnElement[Any], dialect: str, element: Any = sa.BigInteger
) -> sa.ColumnElement[bool]:
    """`column` is in the list (of ids, or of `element` values) bound as `values` (see
    `bound_list`). One parameter, however long the list: the statement compiles once, where an
    expanding IN renders anew on every call, and no database limit on parameters applies."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam("values", type_=postgresql.ARRAY(element)))
    listed = sa.func.json_each(sa.bindparam("values", type_=sa.String)).table_valued("value")
    return column.in_(sa.select(listed.c.value))


def bound_list(connection: sa.Connection, values: Iterable[Any]) -> Any:
    """The value to bind for `in_bound_list`: an array on PostgreSQL, JSON text on SQLite."""
    if connection.dialect.name == "postgresql":
        return list(values)
    return json.dumps(list(values))


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
