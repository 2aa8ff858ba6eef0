"""Launching runs from the server, in one of two ways:

- into the run queue (`queue=True`, `tagbase serve --queue`, as under `tagbase dev`): the run is
  recorded `queued` and a worker runs it;
- in the server itself (the default, for a server with no workers): each launch runs in a
  background thread, and the request returns as soon as the run is recorded.

Either way the request returns the run as recorded, or the error that refused it: everything
that can be refused (bad launch tags, an unknown job, a missing upstream version) is refused
before the run is recorded.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, cast

from tagbase._client import Client
from tagbase._errors import TagbaseError, UnknownDefinitionError
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._tags import split_tag_string
from tagbase.definitions import Definitions
from tagbase.definitions._jobs import JobDefinition
from tagbase.definitions._partitions import PARTITION_TAG
from tagbase.execution import execute_job, reexecute
from tagbase.execution._reexecute import plan_rerun
from tagbase.orchestration import launch_run
from tagbase.store import EntitySpec, Ref, StoreContract

log = logging.getLogger("tagbase.server")
RECORD_TIMEOUT_S = 60.0

TagsGiven = list[str] | Mapping[str, str] | None


class _RunWatch:
    """The store, reporting the first run a launch records to the request that waits for it,
    once it is committed (a run is recorded in a transaction with its tags and event): the
    request goes on to show it."""

    def __init__(self, store: StoreContract) -> None:
        self._store = store
        self.recorded: Future[Entity] = Future()
        self._made: Entity | None = None
        self._depth = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        self._depth += 1
        try:
            with self._store.atomic():
                yield
        except BaseException:
            if self._depth == 1:
                self._made = None  # rolled back: not recorded
            raise
        finally:
            self._depth -= 1
        self._report()

    def add(self, spec: EntitySpec, **options: Any) -> Entity:
        created = self._store.add(spec, **options)
        if created.kind is Kind.RUN and self._made is None:
            self._made = created
        self._report()
        return created

    def _report(self) -> None:
        if self._depth == 0 and self._made is not None and not self.recorded.done():
            self.recorded.set_result(self._made)


def tag_dict(tags: TagsGiven) -> dict[str, str]:
    """Launch tags as a key/value dict (`["a", "b=c"]` gives `{"a": "", "b": "c"}`)."""
    if tags is None:
        return {}
    if isinstance(tags, Mapping):
        return dict(tags)
    return dict(split_tag_string(tag) for tag in tags)


class Launcher:
    """Runs jobs of the served definitions in background threads."""

    def __init__(
        self, client: Client, definitions: Definitions | None, *, queue: bool = False
    ) -> None:
        self.client = client
        self.definitions = definitions
        self.queue = queue
        self._threads: list[threading.Thread] = []

    @property
    def job_names(self) -> tuple[str, ...]:
        return () if self.definitions is None else self.definitions.job_names

    def job(self, name: str) -> JobDefinition:
        if self.definitions is None:
            raise UnknownDefinitionError(
                f"job {name!r} cannot be launched: this server was started without definitions. "
                "Fix: start it with `tagbase serve -f FILE` (or -m MODULE)"
            )
        return self.definitions.get_job_def(name)

    def launch(self, job_name: str, tags: TagsGiven = None) -> Entity:
        """Start a run of a job; the run as recorded (queued)."""
        job = self.job(job_name)
        given = tag_dict(tags)
        if self.queue:
            return self._queue(job, tags=given)
        return self._start(
            lambda store: execute_job(job, tags=given, raise_on_error=False, store=store)
        )

    def launch_template(self, template: Ref, tags: TagsGiven = None) -> Entity:
        """Start a run from a run template: its job, its tags, then the given ones over them."""
        found = self.client.get(Kind.RUN_TEMPLATE, template)
        assert found.scope is not None  # a run template always belongs to a job
        kept = {t.key: t.value for t in found.tags.assigned if not t.is_system}
        return self.launch(found.scope.name, {**kept, **tag_dict(tags)})

    def reexecute(self, run: Ref, *, from_failure: bool = True, tags: TagsGiven = None) -> Entity:
        """Start a run again (from its failure, by default) as a child of the given run."""
        parent = self.client.get(Kind.RUN, run)
        assert parent.scope is not None  # a run always belongs to a job
        job = self.job(parent.scope.name)
        given = tag_dict(tags)
        if self.queue:
            return self._queue_again(job, parent, from_failure, given)
        return self._start(
            lambda store: reexecute(
                job,
                parent.id,
                from_failure=from_failure,
                tags=given,
                raise_on_error=False,
                store=store,
            )
        )

    def _queue_again(
        self, job: JobDefinition, parent: Entity, from_failure: bool, given: dict[str, str]
    ) -> Entity:
        """Queue a child run, as `reexecute` would run it: the parent's launch tags, then the
        given ones, its partition and the steps `plan_rerun` picks."""
        rerun = plan_rerun(self.store, job, parent, from_failure)
        launch = {t.key: t.value for t in rerun.launch} | given
        system = rerun.lineage
        if rerun.partition is not None:
            system[PARTITION_TAG] = rerun.partition
        return self._queue(job, tags=launch, op_selection=rerun.selection, system=system)

    def _queue(self, job: JobDefinition, **request: Any) -> Entity:
        return launch_run(job, definitions=self.definitions, store=self.store, **request)

    @property
    def store(self) -> StoreContract:
        return self.client.store

    def _start(self, action: Callable[[StoreContract], object]) -> Entity:
        watch = _RunWatch(self.store)
        run = contextvars.copy_context().run  # in the request's runtime
        thread = threading.Thread(target=run, args=(self._run, action, watch), daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return watch.recorded.result(timeout=RECORD_TIMEOUT_S)

    @staticmethod
    def _run(action: Callable[[StoreContract], object], watch: _RunWatch) -> None:
        try:
            action(cast(StoreContract, watch))
        except BaseException as error:  # a thread has no caller: report it, and log it
            if not watch.recorded.done():
                watch.recorded.set_exception(error)
                return
            log.exception("a launched run ended with an error")
        if not watch.recorded.done():
            watch.recorded.set_exception(TagbaseError("the launch ended without recording a run"))

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every launched run to end (tests, and a clean shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)
