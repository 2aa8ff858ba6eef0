"""The catalog store: SQLAlchemy Core over SQLite and PostgreSQL."""

from tagbase.store import _runs  # noqa: F401 - registers the run tables on the schema
from tagbase.store._engine import head_revision, upgrade
from tagbase.store._store import EntitySpec, Store

__all__ = ["EntitySpec", "Store", "head_revision", "upgrade"]
