"""The catalog store: SQLAlchemy Core over SQLite and PostgreSQL, behind one contract."""

from tagbase.store import _identity_tables  # noqa: F401  (declares its tables)
from tagbase.store._contract import (
    DaemonState,
    Entities,
    EntityTags,
    History,
    Identities,
    RunLog,
    RunQueue,
    StoreContract,
    TagRegistry,
    Transactions,
    Workers,
)
from tagbase.store._daemon_state import CursorState
from tagbase.store._engine import database_revision, head_revision, upgrade_database
from tagbase.store._queue import Lease, QueuedRun
from tagbase.store._runs import Event, StepEnd
from tagbase.store._store import EntitySpec, Ref, Store
from tagbase.store._workers import WorkerRecord

__all__ = [
    "CursorState",
    "DaemonState",
    "Entities",
    "EntitySpec",
    "EntityTags",
    "Event",
    "History",
    "Identities",
    "Lease",
    "QueuedRun",
    "Ref",
    "RunLog",
    "RunQueue",
    "StepEnd",
    "Store",
    "StoreContract",
    "TagRegistry",
    "Transactions",
    "WorkerRecord",
    "Workers",
    "database_revision",
    "head_revision",
    "upgrade_database",
]
