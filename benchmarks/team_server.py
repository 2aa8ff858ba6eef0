"""Team-server benchmark (issue #15): the store contract over HTTP, against `tagbase serve` on
SQLite over loopback, beside the same calls on the local SQLite store and on a raw sqlite3
floor built from the same rows in the same run.

    .venv/bin/python benchmarks/team_server.py [--runs 10000] [--clients 8] [--seconds 5]

The server is one `tagbase serve` process (one uvicorn worker; see docs/benchmarks.md for why),
authenticated with a stored token, as a team runs it. Each figure is a median over rounds;
the machine is shared and noisy, so the ratios to the floor matter more than the milliseconds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from catalog import run_tags, timed
from rich.console import Console
from rich.table import Table

from tagbase import Client, EntitySpec
from tagbase.store import HttpStore, Store

console = Console(width=150)
BULK_BATCH = 1_000
TAGBASE = str(Path(sys.executable).with_name("tagbase"))


# -- the server ------------------------------------------------------------------------------


def tagbase(home: Path, *args: str) -> str:
    command = [TAGBASE, *args]
    env = {**os.environ, "TAGBASE_HOME": str(home)}
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def start_server(home: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    """`tagbase serve` on `home`'s SQLite catalog, with an admin token; the token."""
    tagbase(home, "user", "create", "bench", "--role", "editor", "--service")
    token = tagbase(home, "token", "create", "--user", "bench", "--json")
    secret = __import__("json").loads(token)["token"]
    env = {**os.environ, "TAGBASE_HOME": str(home)}
    server = subprocess.Popen(
        [TAGBASE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=1)
            return server, secret
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("tagbase serve did not start")


# -- the raw floor ---------------------------------------------------------------------------

FLOOR_SCHEMA = """
CREATE TABLE run (id INTEGER PRIMARY KEY, uid TEXT UNIQUE, created INTEGER);
CREATE TABLE run_tag (run INTEGER, key TEXT, value TEXT, PRIMARY KEY (run, key, value));
CREATE INDEX run_tag_kv ON run_tag (key, value, run);
"""
FLOOR_GET = "SELECT r.uid, t.key, t.value FROM run r JOIN run_tag t ON t.run = r.id WHERE r.uid = ?"


class Floor:
    """The same runs in the plainest indexed sqlite3 schema, written and read by hand."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + FLOOR_SCHEMA)
        self.number = 0

    def create(self, tags: dict[str, str]) -> None:
        self.number += 1
        self.db.execute("BEGIN")
        cursor = self.db.execute(
            "INSERT INTO run (uid, created) VALUES (?, ?)", (f"u{self.number}", self.number)
        )
        self.db.executemany(
            "INSERT INTO run_tag VALUES (?, ?, ?)",
            [(cursor.lastrowid, key, value) for key, value in tags.items()],
        )
        self.db.execute("COMMIT")

    def create_many(self, batch: list[dict[str, str]]) -> None:
        self.db.execute("BEGIN")
        for tags in batch:
            self.number += 1
            cursor = self.db.execute(
                "INSERT INTO run (uid, created) VALUES (?, ?)", (f"u{self.number}", self.number)
            )
            self.db.executemany(
                "INSERT INTO run_tag VALUES (?, ?, ?)",
                [(cursor.lastrowid, key, value) for key, value in tags.items()],
            )
        self.db.execute("COMMIT")

    def first_page(self) -> list[tuple[object, ...]]:
        return self.db.execute(
            "SELECT r.uid, t.key, t.value FROM (SELECT id, uid FROM run ORDER BY created DESC"
            " LIMIT 100) r JOIN run_tag t ON t.run = r.id"
        ).fetchall()

    def get(self, uid: str) -> list[tuple[object, ...]]:
        return self.db.execute(FLOOR_GET, (uid,)).fetchall()


# -- the measurements ------------------------------------------------------------------------


def rate(action: Callable[[int], object], count: int, first: int) -> float:
    started = time.perf_counter()
    for number in range(first, first + count):
        action(number)
    return count / (time.perf_counter() - started)


def median_rate(action: Callable[[int], object], count: int, first: int, rounds: int = 3) -> float:
    action(first - 1)  # warm-up
    return statistics.median(rate(action, count, first + n * count) for n in range(rounds))


def bulk_rate(create_many: Callable[[list[int]], object], total: int, first: int) -> float:
    started = time.perf_counter()
    for start in range(first, first + total, BULK_BATCH):
        create_many(list(range(start, start + BULK_BATCH)))
    return total / (time.perf_counter() - started)


def spec(number: int) -> EntitySpec:
    return EntitySpec("run", scope="bench_job", tags=run_tags(number))


def reader(
    url: str, token: str, ids: list[str], seconds: float, out: multiprocessing.Queue
) -> None:
    """One client process: simple reads (`get` of a run by id) for `seconds`; its count."""
    store = HttpStore.connect(url, token=token)
    store.get("run", ids[0])
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        store.get("run", ids[done % len(ids)])
        done += 1
    out.put(done)


def concurrent_reads(
    read: Callable[..., None], args: tuple[object, ...], clients: int, seconds: float
) -> float:
    """Reads per second of `clients` processes each running `read(*args, seconds, out)`."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    processes = [context.Process(target=read, args=(*args, seconds, out)) for _ in range(clients)]
    for process in processes:
        process.start()
    total = sum(out.get() for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def floor_reader(path: Path, uids: list[str], seconds: float, out: multiprocessing.Queue) -> None:
    db = sqlite3.connect(path)
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        db.execute(FLOOR_GET, (uids[done % len(uids)],)).fetchall()
        done += 1
    out.put(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the catalog first")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--port", type=int, default=3917)
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tagbase-team-"))
    served_home, local_home = workdir / "served", workdir / "local"
    server, token = start_server(served_home, options.port)
    url = f"http://127.0.0.1:{options.port}"
    try:
        remote = HttpStore.connect(url, token=token)
        local = Store(f"sqlite:///{local_home / 'catalog.db'}")
        floor = Floor(workdir / "floor.db")
        for store in (remote, local):
            store.add(EntitySpec("job", "bench_job"))
        remote_client, local_client = Client(remote), Client(local)

        # the catalog first, in bulk, on all three
        bulk = {
            "remote": bulk_rate(lambda ns: remote.add_many([spec(n) for n in ns]), options.runs, 0),
            "local": bulk_rate(lambda ns: local.add_many([spec(n) for n in ns]), options.runs, 0),
            "floor": bulk_rate(
                lambda ns: floor.create_many([run_tags(n) for n in ns]), options.runs, 0
            ),
        }
        first = 10_000_000
        one = {
            "remote": median_rate(
                lambda n: remote_client.create_run("bench_job", tags=run_tags(n)), 300, first
            ),
            "local": median_rate(
                lambda n: local_client.create_run("bench_job", tags=run_tags(n)), 300, first
            ),
            "floor": median_rate(lambda n: floor.create(run_tags(n)), 300, first),
        }
        page = {
            "remote": timed(lambda: remote.list("run", size=100, with_total=False), 50),
            "local": timed(lambda: local.list("run", size=100, with_total=False), 50),
            "floor": timed(floor.first_page, 50),
        }
        ids = [run.id for run in remote.list("run", size=1000, with_total=False).items]
        local_ids = [run.id for run in local.list("run", size=1000, with_total=False).items]
        uids = [f"u{n}" for n in range(1, 1001)]
        get = {
            "remote": timed(lambda: remote.get("run", ids[7]), 200),
            "local": timed(lambda: local.get("run", local_ids[7]), 200),
            "floor": timed(lambda: floor.get(uids[7]), 200),
        }
        reads = {
            "remote": concurrent_reads(reader, (url, token, ids), options.clients, options.seconds),
            "floor": concurrent_reads(
                floor_reader, (workdir / "floor.db", uids), options.clients, options.seconds
            ),
        }
    finally:
        server.terminate()
        server.wait(10)

    table = Table(title=f"team server over loopback, {options.runs:,} runs, SQLite")
    for column in ("figure", "target", "HTTP store", "local SQLite", "raw sqlite3", "HTTP / floor"):
        table.add_column(column, justify="right" if column != "figure" else "left")

    def rates(figures: dict[str, float]) -> list[str]:
        local = f"{figures['local']:,.0f}" if "local" in figures else ""
        slower = f"{figures['floor'] / figures['remote']:.1f}× slower"
        return [f"{figures['remote']:,.0f}", local, f"{figures['floor']:,.0f}", slower]

    def times(figures: dict[str, tuple[float, float]]) -> list[str]:
        shown = ["{:.3f} / {:.3f}".format(*figures[side]) for side in ("remote", "local", "floor")]
        return [*shown, f"{figures['remote'][0] / figures['floor'][0]:.0f}×"]

    table.add_row("one-by-one create, runs/s", "≥ 300", *rates(one))
    table.add_row(f"add_many ({BULK_BATCH:,} a request), runs/s", "≥ 5,000", *rates(bulk))
    table.add_row("first page of 100 runs with tags, p50 / p95 ms", "p50 ≤ 10", *times(page))
    table.add_row("one get by id, p50 / p95 ms", "", *times(get))
    table.add_row(f"{options.clients} client processes, gets/s", "≥ 1,000", *rates(reads))
    console.print(table)


if __name__ == "__main__":
    main()
