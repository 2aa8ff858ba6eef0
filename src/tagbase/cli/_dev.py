"""`tagbase dev`: the web server, the daemon and a worker together, each a process of its
own, under one live status display (processes, queue, workers, latest runs). Ctrl-C stops
them all."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Group
from rich.live import Live
from rich.table import Table

from tagbase._errors import TagbaseError
from tagbase._kinds import Kind
from tagbase.cli._app import State, pass_state
from tagbase.cli._execution import _load, source_options
from tagbase.cli._render import console

_CLI = "from tagbase.cli import main; main()"


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def state(self) -> str:
        code = self.process.poll()
        return "running" if code is None else f"exited ({code})"


def _spawn(name: str, args: list[str], env: dict[str, str], log: str) -> Child:
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", _CLI, *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return Child(name, process)


def _environment(state: State) -> dict[str, str]:
    config = state.config()
    env = dict(os.environ)
    env["TAGBASE_HOME"] = str(config.home)
    env["TAGBASE_DATABASE_URL"] = config.database_url
    return env


@click.command("dev")
@source_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Where the server binds.")
@click.option("--port", default=3000, show_default=True, type=int, help="The server's port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@pass_state
def dev(
    state: State, file: str | None, module: str | None, host: str, port: int, workers: int
) -> None:
    """Serve the web UI and API, tick schedules and sensors, and run queued runs: all of
    tagbase on this machine, for development. Logs go to $TAGBASE_HOME/logs/."""
    from tagbase.server import _serve  # the web stack is slow to import: only here

    _load(state, file, module)  # refuse a broken file before starting anything
    _serve.checked_security(state.config(), host)  # and an address that needs tokens...
    _serve.bind(host, port).close()  # ...or a port that is taken
    source = ["-f", file] if file is not None else ["-m", str(module)]
    env = _environment(state)
    logs = state.config().home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    children = [
        _spawn("server", ["serve", "--queue", "--host", host, "--port", str(port), *source], env,
               str(logs / "server.log")),
        _spawn("daemon", ["daemon", *source], env, str(logs / "daemon.log")),
        *(_spawn(f"worker {n + 1}", ["worker", *source], env, str(logs / f"worker{n + 1}.log"))
          for n in range(workers)),
    ]  # fmt: skip
    try:
        _await_server(children, host, port, logs / "server.log")
    except BaseException:
        _stop(children)
        raise
    click.echo(f"tagbase dev: http://{host}:{port} (logs in {logs}); Ctrl-C stops")
    try:
        status = _status(state, children)
        with Live(status, console=console(), refresh_per_second=2) as live:
            while any(child.process.poll() is None for child in children):
                time.sleep(0.5)
                live.update(_status(state, children))
    except KeyboardInterrupt:
        pass
    finally:
        _stop(children)


SERVER_START_S = 60.0  # how long the server may take to listen before dev gives up on it


def _await_server(children: list[Child], host: str, port: int, log: Path) -> None:
    """Wait until the server child listens; if it exits first, fail with the reason its log
    gives (the URL is only shown for a server that answers)."""
    server = children[0].process
    address = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        code = server.poll()
        if code is not None:
            lines = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
            reason = next((line for line in reversed(lines) if line.strip()), "no output")
            raise TagbaseError(
                f"the server did not start (exit code {code}): {reason.strip()}. Fix: see "
                f"{log}, then run `tagbase serve` with the same options to try it alone"
            )
        try:
            socket.create_connection((address, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)


def _stop(children: list[Child]) -> None:
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def _status(state: State, children: list[Child]) -> Group:
    store = state.client.store
    processes = Table("process", "pid", "state", title="tagbase dev", title_justify="left")
    for child in children:
        processes.add_row(child.name, str(child.process.pid), child.state)
    now = time.time() * 1000
    queue = Table("queued", "running", "workers")
    alive = store.list_workers()
    queue.add_row(str(store.count_queued()), str(len(store.leases())), str(len(alive)))
    workers = Table("worker", "host", "pid", "last heartbeat")
    for worker in alive:
        age = f"{(now - worker.heartbeat_ms) / 1000:.1f} s ago"
        workers.add_row(worker.id[:8], worker.hostname, str(worker.pid), age)
    runs = Table("run", "job", "status", title="latest runs", title_justify="left")
    for run in store.list(Kind.RUN, size=8, with_total=False):
        runs.add_row(run.name, run.scope.name if run.scope else "", run.status or "")
    return Group(processes, queue, workers, runs)
