"""Run processes: forked from their worker, each runs claimed runs one after another, so a
run that overstays its `tagbase/max_runtime`, or is cancelled, can be stopped (with the
whole process group) without stopping the worker; the worker then forks a fresh one. A run
process keeps its database connections from run to run (forking and connecting per run
cost more than a trivial run), and dies with its worker: the worker's runs are then failed
once its heartbeat times out, and nothing keeps writing to them.

The worker sends a lease as one line of JSON; the process answers `done` when the run ended.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from tagbase.execution._runtime import Runtime, after_fork, use_runtime
from tagbase.store import Lease

_PR_SET_PDEATHSIG = 1
_LINUX: bool = sys.platform.startswith("linux")


@dataclass
class RunProcess:
    """A forked run process and the socket to it."""

    pid: int
    channel: socket.socket
    lease: Lease | None = None
    exit_code: int | None = None

    def fileno(self) -> int:
        return self.channel.fileno()

    def start(self, lease: Lease) -> None:
        self.lease = lease
        self.channel.sendall(json.dumps(dataclasses.asdict(lease)).encode() + b"\n")

    def answer(self) -> str:
        """After the channel turned readable: `done` (the run ended) or `exited`."""
        try:
            data = self.channel.recv(64)
        except OSError:
            data = b""
        if data.startswith(b"done"):
            return "done"
        self.kill()
        return "exited"

    def kill(self) -> int:
        """Stop the process and everything it started; its exit code."""
        if self.exit_code is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
            self.exit_code = os.waitstatus_to_exitcode(status)
            self.channel.close()
        return self.exit_code


def fork_run_process(run: Callable[[Lease], None], runtime: Runtime) -> RunProcess:
    """A process, in a process group of its own, that calls `run` for each lease it is sent,
    in `runtime`; the pooled connections it inherits are left to the parent."""
    ours, theirs = socket.socketpair()
    parent = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # the child's collector leaves the inherited objects (and their pages) alone
    pid = os.fork()
    if pid:
        gc.unfreeze()
        theirs.close()
        return RunProcess(pid, ours)
    code = 1
    try:
        ours.close()
        os.setpgid(0, 0)
        _die_with(parent)
        runtime.after_fork()
        after_fork()
        with use_runtime(runtime):
            _serve(theirs, run)
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve(channel: socket.socket, run: Callable[[Lease], None]) -> None:
    with channel.makefile("r") as lines:
        for line in lines:
            run(Lease(**json.loads(line)))
            channel.sendall(b"done\n")


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
