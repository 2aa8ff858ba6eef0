"""Errors of the database itself, each said in one line that names the file (or server), the
cause and the fix, as a typed `StoreError`, instead of a driver's traceback.

The driver errors are told apart by SQLite's result code names (`SQLITE_CORRUPT`...) and
PostgreSQL's SQLSTATEs, never by parsing a message, but for SQLite's missing table (a plain
`SQLITE_ERROR`, whose text is the only thing naming the table).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from tagbase._errors import (
    DamagedDatabaseError,
    DatabaseFullError,
    ForeignDatabaseError,
    ReadOnlyDatabaseError,
    SchemaVersionError,
    StoreError,
)

_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB", "XX001", "XX002"}
_READ_ONLY = {"SQLITE_READONLY", "25006"}
_FULL = {"SQLITE_FULL", "53100"}
_UNDEFINED_TABLE = "42P01"
_SQLITE_MISSING = re.compile(r"no such table: (?:main\.)?(\w+)")
_PG_MISSING = re.compile(r'relation "(\w+)" does not exist')
_URL_SETTING = "TAGBASE_DATABASE_URL (or --database-url)"


def where(url: sa.URL) -> str:
    """The database as a user knows it: SQLite's file, or the server URL without password."""
    if url.get_backend_name() == "sqlite":
        return f"file {url.database}"
    return url.render_as_string(hide_password=True)


def explain_failures(engine: sa.Engine) -> None:
    """Raise the database's own failures as typed, one-line `StoreError`s."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        explained = explain(engine.url, context.original_exception)
        if explained is not None:
            raise explained from None


@contextmanager
def explained_failures(engine: sa.Engine) -> Iterator[None]:
    """For statements run on the driver outside SQLAlchemy's error handling (a BEGIN)."""
    try:
        yield
    except engine.dialect.loaded_dbapi.Error as error:
        explained = explain(engine.url, error)
        if explained is None:
            raise
        raise explained from None


def explain(url: sa.URL, original: BaseException) -> StoreError | None:
    code = getattr(original, "sqlite_errorname", None) or getattr(original, "sqlstate", None)
    reason = str(original).strip().splitlines()[0] if str(original).strip() else str(code)
    shown = where(url)
    if code in _DAMAGED:
        return DamagedDatabaseError(
            f"the catalog database ({shown}) is damaged or not a database ({reason}). Fix: "
            "restore it from a backup (`sqlite3 FILE .recover` may save a SQLite file's rows), "
            f"or point {_URL_SETTING} at a tagbase catalog"
        )
    if code in _READ_ONLY:
        return ReadOnlyDatabaseError(
            f"the catalog database ({shown}) is read-only ({reason}); nothing was written. "
            "Fix: let this user write the file and its folder (SQLite writes journal files "
            "beside it), or use a database role that may write"
        )
    if code in _FULL:
        return DatabaseFullError(
            f"the catalog database ({shown}) cannot grow: the disk or quota is full "
            f"({reason}); the write was rolled back. Fix: free disk space, then retry"
        )
    pattern = _PG_MISSING if code == _UNDEFINED_TABLE else _SQLITE_MISSING
    missing = pattern.search(reason) if code in (_UNDEFINED_TABLE, "SQLITE_ERROR") else None
    if missing is not None:
        return missing_tables(url, [missing.group(1)])
    return None


def missing_tables(url: sa.URL, names: Sequence[str]) -> DamagedDatabaseError:
    listed = ", ".join(sorted(names))
    return DamagedDatabaseError(
        f"the catalog database ({where(url)}) lacks table(s) {listed} of tagbase's schema "
        "(dropped or renamed). Fix: restore the database from a backup"
    )


def refuse_foreign(url: sa.URL, tables: Sequence[str]) -> ForeignDatabaseError:
    """A database that holds tables but no tagbase schema: never written into."""
    shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    return ForeignDatabaseError(
        f"the database ({where(url)}) is not a tagbase catalog: it holds other tables "
        f"({shown}) and no tagbase schema, so tagbase leaves it alone. Fix: point "
        f"{_URL_SETTING} at a tagbase catalog or at a new, empty database"
    )


def refuse_unknown_revision(url: sa.URL, revision: str, head: str) -> SchemaVersionError:
    """A schema revision this tagbase does not know: a newer tagbase's, or another program's."""
    return SchemaVersionError(
        f"the catalog database ({where(url)}) has schema revision {revision!r}, which this "
        f"tagbase (revision {head}) does not know: a newer tagbase made it. Fix: upgrade "
        "tagbase (pip install -U tagbase); `tagbase db upgrade` cannot downgrade it"
    )
