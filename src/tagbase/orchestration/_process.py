"""A claimed run's own process: forked from its worker, so a run that overstays its
`tagbase/max_runtime`, or is cancelled, can be stopped (with its whole process group) without
stopping the worker. A run process dies with its worker: its runs are then failed once the
worker's heartbeat times out, and nothing keeps writing to them."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from tagbase import _client

_PR_SET_PDEATHSIG = 1
_LINUX: bool = sys.platform.startswith("linux")


@dataclass
class RunProcess:
    """A forked run process, with a pipe that reaches EOF when it exits."""

    pid: int
    ready_fd: int
    exit_code: int | None = None

    def poll(self) -> int | None:
        if self.exit_code is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_code = os.waitstatus_to_exitcode(status)
                os.close(self.ready_fd)
        return self.exit_code

    def kill(self) -> int:
        """Stop the run process and everything it started; its exit code."""
        if self.exit_code is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
            self.exit_code = os.waitstatus_to_exitcode(status)
            os.close(self.ready_fd)
        return self.exit_code


def fork_run(body: Callable[[], None], engines: Sequence[sa.Engine] = ()) -> RunProcess:
    """Run `body` in a child process of its own process group; `engines` (and the shared
    stores') pooled connections are left to the parent."""
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.close(write_fd)
        return RunProcess(pid, read_fd)
    code = 1
    try:
        os.close(read_fd)
        os.setpgid(0, 0)
        _die_with(parent)
        _forget_connections(engines)
        body()
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with(parent: int) -> None:
    """Linux kills us when the worker dies; elsewhere a watchdog thread notices."""
    if _LINUX:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == parent:
            return
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()


def _forget_connections(engines: Sequence[sa.Engine]) -> None:
    """The worker's pooled connections stay the worker's: the run opens its own."""
    for engine in [*engines, *(store.engine for store in _client._stores.values())]:
        engine.dispose(close=False)
