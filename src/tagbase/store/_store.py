"""The catalog store: the contract every back-end keeps.

Each public method validates its input first, then runs one transaction: either all of a
write happens or none of it does. Entities are named by `ref` (a name, or a UUID string; for
versions also the version number) and, for scoped kinds, by `scope` (the parent's name or UUID).
Rows become plain records (`Entity`, `TagDefinition`, `TagEvent`...) before callers see them.

`Store` is composed of its parts, each a module over `StoreBase` (the engine and the
transaction in progress): creating entities, reading and changing them, their tags, the tag
registry, history and metadata, the run log, the run queue, users and tokens, and the change
feed (which every write path feeds, in its own transaction: `_outbox`).
"""

from __future__ import annotations

from tagbase.store._catalog_base import Ref
from tagbase.store._change_methods import ChangeMethods
from tagbase.store._create_methods import CreateMethods, EntitySpec
from tagbase.store._entity_methods import EntityMethods
from tagbase.store._governance_methods import GovernanceMethods
from tagbase.store._history_methods import HistoryMethods
from tagbase.store._identity_methods import IdentityMethods
from tagbase.store._registry_methods import RegistryMethods
from tagbase.store._run_log_methods import RunLogMethods
from tagbase.store._run_queue_methods import RunQueueMethods
from tagbase.store._tag_methods import TagMethods

__all__ = ["EntitySpec", "Ref", "Store"]


class Store(
    CreateMethods,
    TagMethods,
    HistoryMethods,
    EntityMethods,
    RegistryMethods,
    RunLogMethods,
    RunQueueMethods,
    IdentityMethods,
    GovernanceMethods,
    ChangeMethods,
):
    """A catalog on SQLite or PostgreSQL: the one implementation of the store contract."""
