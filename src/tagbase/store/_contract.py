"""The store contract: what every tagbase store keeps, as role interfaces.

`Store` (SQLAlchemy Core over SQLite and PostgreSQL) is the one implementation today; a store
over another medium (an HTTP client of a tagbase server) implements the same protocols and
runs through the same contract suite (`tests/store/`). The docstrings are the contract.

Rules every method keeps:

- Input is validated before anything is written: a refused call raises a `TagbaseError`
  naming the value, the rule and the fix (`InvalidInputError`, `TagValidationError`,
  `NotFoundError`, `AlreadyExistsError`, `ConflictError`) and changes nothing.
- Each write is one transaction: all of it happens or none of it does. `atomic()` widens that
  to a block of calls (a run's lifecycle step).
- Entities are named by `ref` — a name, a UUID (string or `uuid.UUID`), or for versions the
  version number — and, for scoped kinds (asset and model versions, runs, run templates), by
  `scope`, the parent's name or UUID. Runs are named by their public id (a UUID string).
- Results are plain, immutable records (`Entity`, `TagDefinition`, `TagEvent`, `Lease`, ...),
  never rows, connections or sessions.
- `source` says where a change came from (`api`, `user`, `definition`, `launch`, `system`,
  `cascade`, ...) and `actor` who made it (default: the store's actor); both go into history.
- Times given as `*_ms` are milliseconds since the epoch, UTC.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from tagbase._concurrency import TagConcurrencyLimit
from tagbase._kinds import Kind
from tagbase._records import (
    Entity,
    EntityRef,
    MetadataEntry,
    Page,
    Retagging,
    StoredArtifact,
    TagDefinition,
    TagEvent,
)
from tagbase._run_records import MetadataPoint, RunEvent, StepRecord
from tagbase._tag_settings import TagSettings
from tagbase._tags import TagsInput
from tagbase.query import Node
from tagbase.store._change_contract import ChangeFeed as ChangeFeed  # part of the contract
from tagbase.store._daemon_state import CursorState
from tagbase.store._identity_contract import Governance as Governance  # part of the contract
from tagbase.store._identity_contract import Identities as Identities  # part of the contract
from tagbase.store._queue import Lease, QueuedRun
from tagbase.store._runs import Event, StepEnd
from tagbase.store._store import EntitySpec, Ref, Store
from tagbase.store._workers import WorkerRecord


class Entities(Protocol):
    """Entities of every kind: created, read, listed by query, changed and deleted."""

    def add(self, spec: EntitySpec, *, source: str = "api", actor: str | None = None) -> Entity:
        """Create one entity with its tags, metadata and owners; the record as written.
        A taken name is an AlreadyExistsError; a version without a name gets the next one."""
        ...

    def add_many(
        self, specs: Sequence[EntitySpec], *, source: str = "api", actor: str | None = None
    ) -> builtins.list[str]:
        """Create many entities in one transaction; their UUIDs, in order."""
        ...

    def add_asset_versions(
        self,
        specs: Sequence[EntitySpec],
        stored: Sequence[StoredArtifact | None],
        *,
        source: str = "definition",
        actor: str | None = None,
    ) -> builtins.list[str]:
        """Create asset versions as `add_many` does, each with the record of the value tagbase
        stored for it (None: a version made without a stored value)."""
        ...

    def get(self, kind: Kind | str, ref: Ref, scope: Ref | None = None) -> Entity:
        """The entity, or a NotFoundError naming what was looked for and how to list them."""
        ...

    def find(self, kind: Kind | str, ref: Ref, scope: Ref | None = None) -> Entity | None:
        """The entity, or None."""
        ...

    def find_named(self, kind: Kind | str, names: Sequence[str]) -> dict[str, Entity]:
        """The top-level entities of a kind with these names (those that exist), by name."""
        ...

    def find_alias(self, kind: Kind | str, ref: Ref) -> Entity | None:
        """The entity `PARENT@TAG` names: the version (or run) of PARENT holding the
        registered exclusive tag TAG; None when `ref` is no such alias."""
        ...

    def list(
        self,
        kind: Kind | str,
        *,
        scope: Ref | None = None,
        query: Node | None = None,
        size: int = 50,
        page: int | None = None,
        cursor: str | None = None,
        with_total: bool = True,
    ) -> Page[Entity]:
        """Entities matching `query` (the tagbase query language), newest first. Paged by
        `cursor` (keyset: stable under writes) or by 1-based `page`; `size` ≤ 10,000."""
        ...

    def count(
        self, kind: Kind | str, *, scope: Ref | None = None, query: Node | None = None
    ) -> int:
        """How many entities match; exact."""
        ...

    def facets(
        self,
        kind: Kind | str,
        key: str,
        *,
        scope: Ref | None = None,
        query: Node | None = None,
    ) -> dict[str, int]:
        """Entities per value of tag `key` among those matching, most common first."""
        ...

    def update(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        status: str | None = None,
        add_tags: TagsInput = None,
        remove_tags: Sequence[str] | None = None,
        metadata: Mapping[str, object] | None = None,
        owners: Sequence[str] | None = None,
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        """Change an entity in one transaction; arguments left None stay as they are."""
        ...

    def delete(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        recursive: bool = False,
        actor: str | None = None,
    ) -> None:
        """Delete an entity; one with children (versions, runs, templates) only `recursive`.
        Its tag history stays, naming it as deleted."""
        ...

    def find_stored_artifact(self, version_id: str) -> StoredArtifact | None:
        """What tagbase itself wrote for an asset version (location and digest), or None."""
        ...

    def find_latest_stored(
        self, asset: Ref, partition: tuple[str, str] | None = None
    ) -> tuple[EntityRef, StoredArtifact] | None:
        """The newest version of an asset (of one partition) holding a value tagbase stored."""
        ...


class EntityTags(Protocol):
    """Tags on entities: added, removed, and changed in bulk by query."""

    def add_tags(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        tags: TagsInput,
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        """Give the entity tags; an exclusive tag moves from its holder within the scope (a
        move in history); a single-valued key replaces its value."""
        ...

    def remove_tags(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        tags: Sequence[str],
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        """Take tags (`key` or `key:value`) off the entity; one it does not hold is a
        NotFoundError and nothing changes."""
        ...

    def retag(
        self,
        kind: Kind | str,
        query: Node,
        *,
        scope: Ref | None = None,
        add: TagsInput = None,
        remove: Sequence[str] | None = None,
        dry_run: bool = False,
        source: str = "user",
        actor: str | None = None,
    ) -> Retagging:
        """Remove, then add, tags on every entity matching `query`, in one transaction;
        `dry_run` reports what would change and writes nothing."""
        ...


class TagRegistry(Protocol):
    """The registry of tags: their settings, and the tags in use."""

    def register_tag(
        self,
        name: str,
        settings: TagSettings,
        *,
        new: bool = False,
    ) -> TagDefinition:
        """Add a tag to the registry, or change its entry (`new`: refuse a registered one);
        settings left None stay as they are. Making a tag exclusive that several entities of
        one scope hold is a ConflictError."""
        ...

    def update_tag(self, name: str, settings: TagSettings) -> TagDefinition:
        """Change a registered or used tag; NotFoundError if the catalog never saw it."""
        ...

    def get_tag(self, name: str) -> TagDefinition:
        """A tag's registry entry and use, or NotFoundError."""
        ...

    def list_tags(
        self, *, registered_only: bool = False, key: str | None = None
    ) -> builtins.list[TagDefinition]:
        """Registered tags and tags in use, by key and value."""
        ...

    def search_tags(
        self, containing: str = "", *, registered_only: bool = False, limit: int = 500
    ) -> tuple[builtins.list[TagDefinition], int]:
        """Tags whose string form holds `containing`, at most `limit`, and how many match."""
        ...

    def delete_tag(self, name: str, *, actor: str | None = None) -> int:
        """Take the tag off every entity (kept in history), drop its entry; how many held it."""
        ...


class History(Protocol):
    """What changed, when, by whom: tag events and metadata over time."""

    def tag_history(
        self,
        *,
        kind: Kind | str | None = None,
        ref: Ref | None = None,
        scope: Ref | None = None,
        tag: str | None = None,
        limit: int = 1000,
    ) -> builtins.list[TagEvent]:
        """Adds, removals and moves, newest first: of one entity, of one tag, or both."""
        ...

    def tag_holders(
        self,
        tag: str,
        *,
        at: datetime,
        kind: Kind | str | None = None,
        scope: Ref | None = None,
    ) -> builtins.list[EntityRef]:
        """Who held `tag` at time `at` (for an exclusive tag and a scope, at most one)."""
        ...

    def log_metadata(
        self,
        kind: Kind | str,
        ref: Ref,
        scope: Ref | None = None,
        *,
        metadata: Mapping[str, object],
        source: str = "api",
        actor: str | None = None,
    ) -> Entity:
        """Log typed metadata on the entity; earlier values of a key stay in its history."""
        ...

    def metadata_history(
        self, kind: Kind | str, ref: Ref, scope: Ref | None = None, *, key: str | None = None
    ) -> builtins.list[MetadataEntry]:
        """Every metadata value logged on the entity (of one key), oldest first."""
        ...

    def metadata_series(self, entity_id: str, key: str) -> builtins.list[MetadataPoint]:
        """Every number logged under `key` on an entity and on its children, oldest first."""
        ...


class RunLog(Protocol):
    """The steps and events of runs (a run itself is an entity of kind `run`)."""

    def add_run_events(self, run_id: str, events: Sequence[Event]) -> None:
        """Events of the run itself (queued, started, ended...), in the order given."""
        ...

    def start_step(self, run_id: str, step_key: str, op_name: str, at_ms: int) -> None:
        """The step's row, `started`, with its `step_started` event."""
        ...

    def end_steps(self, run_id: str, ends: Sequence[StepEnd], events: Sequence[Event]) -> None:
        """Steps that ended or were skipped, with their events; a step never started gets
        its row here."""
        ...

    def end_open_steps(
        self, run_id: str, status: str, reason: str, at_ms: int
    ) -> builtins.list[str]:
        """End the steps still `started` (as `failed` for a failed run, else `canceled`)
        with the reason; the keys of those it ended."""
        ...

    def list_steps(self, run_id: str) -> builtins.list[StepRecord]:
        """A run's steps in the order they started; NotFoundError for an unknown run."""
        ...

    def list_events(self, run_id: str) -> builtins.list[RunEvent]:
        """A run's events in the order they were written; NotFoundError for an unknown run."""
        ...


class RunQueue(Protocol):
    """Runs waiting for a worker, and the leases of runs in progress."""

    def enqueue(self, runs: Sequence[QueuedRun], at_ms: int) -> None:
        """Queue recorded runs (status `queued`), each with its `run_queued` event."""
        ...

    def claim(
        self,
        worker_id: str,
        jobs: Sequence[str] | None,
        limits: Sequence[TagConcurrencyLimit],
        now_ms: int,
    ) -> Lease | None:
        """Take the first waiting run of `jobs` (all, if None) by priority, then age, that no
        tag concurrency limit holds back; None when there is none. No run is claimed twice,
        however many workers claim at once."""
        ...

    def release(self, lease: Lease) -> bool:
        """End a lease; whether it was still held (so exactly one caller finishes a run)."""
        ...

    def request_cancel(self, run_id: str) -> str | None:
        """Take a waiting run out of the queue (`queued`), or flag it for its worker
        (`running`); None when it is in neither."""
        ...

    def cancel_requested(self, leases: Sequence[Lease]) -> builtins.list[Lease]:
        """Those of `leases` whose run someone asked to cancel."""
        ...

    def leases(self, worker_ids: Sequence[str] | None = None) -> builtins.list[Lease]:
        """Runs in progress: of some workers, or of all, oldest claim first."""
        ...

    def count_queued(self) -> int:
        """How many runs wait."""
        ...

    def queued_run_ids(self) -> builtins.list[str]:
        """Waiting runs in the order workers will consider them."""
        ...

    def run_status(self, run_id: str) -> str | None:
        """A run's status alone; None if the run is gone."""
        ...


class Workers(Protocol):
    """The workers alive, by heartbeat."""

    def register_worker(self, worker: WorkerRecord) -> None:
        """Note a worker that starts."""
        ...

    def heartbeat(self, worker_id: str, now_ms: int) -> bool:
        """Write a heartbeat; False when the worker was declared dead meanwhile."""
        ...

    def remove_worker(self, worker_id: str) -> None:
        """A worker that stops."""
        ...

    def list_workers(self) -> builtins.list[WorkerRecord]:
        """Workers alive, oldest first."""
        ...

    def stale_leases(self, now_ms: int, timeout_ms: int) -> builtins.list[Lease]:
        """Leases of workers silent for longer than `timeout_ms`; those workers are dropped."""
        ...


class DaemonState(Protocol):
    """What the daemon remembers between ticks: cursors and the run keys it used."""

    def get_cursor(self, name: str) -> CursorState | None:
        """The cursor of a schedule or sensor (`schedule:NAME`, `sensor:NAME`), or None."""
        ...

    def set_cursor(self, name: str, state: CursorState, now_ms: int) -> None:
        """Remember a cursor."""
        ...

    def claim_run_key(self, origin: str, run_key: str, now_ms: int) -> bool:
        """Reserve a run key for an origin; False when it launched a run before."""
        ...

    def attach_run(self, origin: str, run_key: str, run_id: str | None) -> None:
        """Note the run a key launched; None gives the key back."""
        ...


class Transactions(Protocol):
    """Blocks of calls that commit together, and where they go."""

    url: str
    """Where the catalog is kept: a database URL, or the URL of the tagbase server served."""

    def atomic(self) -> AbstractContextManager[None]:
        """Every call the store serves in the block, on this thread, commits when the block
        ends or not at all: an exception leaves nothing of the block written. A block inside
        a block is a savepoint: if it raises, its calls alone are undone and the outer block
        goes on. A call that failed inside a block, its error handled, leaves the block
        unable to commit (a StoreError when it ends): to go on without it, give that call a
        block of its own."""
        ...

    def close(self) -> None:
        """Release the store's connections."""
        ...

    def after_fork(self) -> None:
        """In a forked child: leave the parent's connections to the parent."""
        ...


class StoreContract(
    Entities,
    EntityTags,
    TagRegistry,
    History,
    RunLog,
    RunQueue,
    Workers,
    DaemonState,
    Identities,
    Governance,
    ChangeFeed,
    Transactions,
    Protocol,
):
    """All of the store: what the client, the CLI, the server, execution and orchestration
    may rely on."""


def _conforms(store: Store) -> StoreContract:
    """Never called: mypy checks here that `Store` keeps the whole contract."""
    return store
