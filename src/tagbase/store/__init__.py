"""The catalog store: SQLAlchemy Core over SQLite and PostgreSQL."""

# Imported for their tables: run steps and events, the run queue, workers and daemon state.
from tagbase.store import _daemon_state, _queue, _runs, _workers  # noqa: F401
from tagbase.store._engine import head_revision, upgrade
from tagbase.store._store import EntitySpec, Store

__all__ = ["EntitySpec", "Store", "head_revision", "upgrade"]
