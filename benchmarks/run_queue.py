"""Run queue throughput and latency on PostgreSQL, with real `tagbase worker` processes.

- throughput: N trivial runs (one op) are queued, then W workers drain them; runs started per
  second is N over the time from the first run's start to the last's (target ≥ 50 with 4);
- latency: with W workers idle and waiting, runs are launched one at a time; launch-to-start
  is the run's `run_started` time minus its `run_queued` time (target p50 ≤ 200 ms).

    .venv/bin/python benchmarks/queue.py --runs 500 --workers 1 4 --latency-runs 50
"""

# ruff: noqa: E402 - the path is fixed before the imports
from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on the path, and its name hides the standard
# library's `queue` (which concurrent.futures imports): take the folder off the path.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(__file__)]

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from tagbase.execution import load_definitions
from tagbase.orchestration import LaunchRequest, launch_run, launch_runs
from tagbase.store import Store
from tagbase.store._engine import normalize_url
from tagbase.store._runs import run_event
from tagbase.store._schema import metadata_obj

PG_URL = os.environ.get("TAGBASE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "tagbase_bench_queue"
PROJECT = """
from tagbase import job, op

@op
def noop() -> int:
    return 1

@job
def trivial():
    noop()
"""
console = Console()


def fresh_url() -> str:
    engine = sa.create_engine(normalize_url(PG_URL))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        connection.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    engine.dispose()
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options=-csearch_path%3D{SCHEMA}"


def empty(store: Store) -> None:
    names = ", ".join(table.name for table in metadata_obj.sorted_tables)
    with store.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def start_workers(count: int, project: Path, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    command = [sys.executable, "-c", "from tagbase.cli import main; main()", "worker"]
    return [
        subprocess.Popen(
            [*command, "-f", str(project)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(30)


def wait_until_drained(store: Store, timeout: float = 600) -> None:
    end = time.monotonic() + timeout
    while store.count_queued() or store.leases():
        if time.monotonic() > end:
            raise TimeoutError("the queue did not drain")
        time.sleep(0.1)


def wait_for_workers(store: Store, count: int) -> None:

    while len(store.list_workers()) < count:
        time.sleep(0.1)


def event_times(store: Store, event: str) -> dict[int, int]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(run_event.c.run_id, run_event.c.at_ms).where(run_event.c.event == event)
        )
        return {int(run_id): int(at) for run_id, at in rows}


def throughput(store: Store, project: Path, env: dict[str, str], runs: int, count: int) -> float:
    empty(store)
    defs = load_definitions(project)
    launch_runs([LaunchRequest("trivial") for _ in range(runs)], defs, store)
    workers = start_workers(count, project, env)
    try:
        wait_until_drained(store)
    finally:
        stop(workers)
    started = sorted(event_times(store, "run_started").values())
    assert len(started) == runs, f"{len(started)} of {runs} runs started"
    return (runs - 1) / ((started[-1] - started[0]) / 1000)


def latency(store: Store, project: Path, env: dict[str, str], runs: int, count: int) -> list[int]:
    empty(store)
    defs = load_definitions(project)
    launch_run("trivial", definitions=defs, store=store)  # records the job before workers start
    workers = start_workers(count, project, env)
    try:
        wait_for_workers(store, count)
        wait_until_drained(store)
        for _ in range(runs):
            launch_run("trivial", definitions=defs, store=store)
            time.sleep(0.1)
        wait_until_drained(store)
    finally:
        stop(workers)
    queued, started = event_times(store, "run_queued"), event_times(store, "run_started")
    return sorted(started[run] - queued[run] for run in started)[1:]  # the first: before workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--latency-runs", type=int, default=50)
    args = parser.parse_args()
    url = fresh_url()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "project.py"
        project.write_text(PROJECT)
        env = {**os.environ, "TAGBASE_DATABASE_URL": url, "TAGBASE_HOME": folder}
        os.environ.update(TAGBASE_DATABASE_URL=url, TAGBASE_HOME=folder)
        store = Store(url)
        table = Table("workers", "runs", "runs started / s", "launch-to-start p50", "p95")
        table.title = f"run queue on PostgreSQL ({os.cpu_count()} cores), trivial one-op jobs"
        for count in args.workers:
            rate = throughput(store, project, env, args.runs, count)
            waits = latency(store, project, env, args.latency_runs, count)
            p50 = statistics.median(waits)
            p95 = waits[int(len(waits) * 0.95) - 1]
            table.add_row(str(count), str(args.runs), f"{rate:.1f}", f"{p50:.0f} ms", f"{p95} ms")
        store.close()
    console.print(table)


if __name__ == "__main__":
    main()
