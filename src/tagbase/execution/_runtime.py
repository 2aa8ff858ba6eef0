"""The runtime: the catalog store and the artifact store that runs, syncs and clients use.

The CLI, the server, a worker, the daemon and test fixtures install one for what they do
(`with use_runtime(runtime): ...`); code that needs the store asks `current_runtime()`. With
none installed, a process's default is built once, from `Config.load()`, so that
`materialize(...)` in a plain script needs no setup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

from tagbase._config import Config
from tagbase.execution._artifacts import ArtifactStore
from tagbase.store import StoreContract, open_store

T = TypeVar("T")


class _Once(Generic[T]):
    """A value made on first use (by one thread), or given made."""

    def __init__(self, make: Callable[[], T] | None = None, made: T | None = None) -> None:
        self._make = make
        self.made = made
        self._lock = threading.Lock()

    def get(self) -> T:
        if self.made is None:
            with self._lock:
                if self.made is None:
                    assert self._make is not None
                    self.made = self._make()
        return self.made


class Runtime:
    """A catalog store and an artifact store: those given, and for each not given, the one
    `config` names (by default the configuration loaded when it is first needed), opened on
    first use — opening a store creates or checks the catalog, which a command that only
    reads definitions must not do. `close()` closes the store it opened."""

    def __init__(
        self,
        store: StoreContract | None = None,
        artifacts: ArtifactStore | None = None,
        *,
        config: Config | None = None,
    ) -> None:
        settings = _Once(lambda: config or Config.load(), config)
        self._store = _Once(lambda: open_store(settings.get()), store)
        self._artifacts = _Once(lambda: ArtifactStore.for_home(settings.get().home), artifacts)
        self._owns_store = store is None

    @property
    def store(self) -> StoreContract:
        return self._store.get()

    @property
    def artifacts(self) -> ArtifactStore:
        return self._artifacts.get()

    def after_fork(self) -> None:
        """In a forked child: leave the parent's pooled connections to the parent."""
        if self._store.made is not None:
            self._store.made.after_fork()

    def close(self) -> None:
        if self._owns_store and self._store.made is not None:
            self._store.made.close()


_CURRENT: ContextVar[Runtime | None] = ContextVar("tagbase_runtime", default=None)
_default: _Once[Runtime] = _Once(Runtime)


def current_runtime() -> Runtime:
    """The runtime installed here, else the process's default (built on first use)."""
    return _CURRENT.get() or _default.get()


@contextmanager
def use_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """Install `runtime` for the block (in this thread and the tasks it starts)."""
    token = _CURRENT.set(runtime)
    try:
        yield runtime
    finally:
        _CURRENT.reset(token)


def after_fork(*stores: StoreContract) -> None:
    """In a forked child: drop the pooled connections inherited from the parent — of
    `stores`, of the runtime installed at the fork and of the default runtime, if opened —
    so that the child opens its own."""
    for store in stores:
        store.after_fork()
    installed = _CURRENT.get()
    if installed is not None:
        installed.after_fork()
    if _default.made is not None:
        _default.made.after_fork()
