"""The catalog store: SQLAlchemy Core over SQLite and PostgreSQL, behind one contract."""

from typing import TYPE_CHECKING

from tagbase.store import _identity_tables  # noqa: F401  (declares its tables)
from tagbase.store._contract import (
    ChangeFeed,
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
from tagbase.store._open import open_store
from tagbase.store._queue import Lease, QueuedRun
from tagbase.store._runs import Event, StepEnd
from tagbase.store._store import EntitySpec, Ref, Store
from tagbase.store._workers import WorkerRecord

if TYPE_CHECKING:
    from tagbase.store._remote import HttpStore

__all__ = [
    "ChangeFeed",
    "CursorState",
    "DaemonState",
    "Entities",
    "EntitySpec",
    "EntityTags",
    "Event",
    "History",
    "HttpStore",
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
    "open_store",
    "upgrade_database",
]


def __getattr__(name: str) -> object:
    if name == "HttpStore":  # imported on first use: httpx is needed only by a server's clients
        from tagbase.store._remote import HttpStore

        return HttpStore
    raise AttributeError(f"module 'tagbase.store' has no attribute {name!r}")
