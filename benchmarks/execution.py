"""Execution overhead: what tagbase adds around the code it runs, on SQLite and PostgreSQL.

- a job of 100 trivial ops (a chain): wall time of `execute_job`, minus the ops' own time, is
  tagbase's overhead (target ≤ 1 s);
- materializing one asset whose result carries 20 runtime metadata entries: the time spent in
  store calls — every `Store` method and run-record write the run makes, from the catalog sync
  to the run's end (target ≤ 5 ms).

Also counted: SQL statements and the time the database driver spent on them (cursor events),
and transactions committed.
Prints the median (p95) over the repetitions, after one warm-up run.

    .venv/bin/python benchmarks/execution.py --backends sqlite postgresql --repetitions 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from catalog import fresh_store
from rich.console import Console
from rich.table import Table

from tagbase import MaterializeResult, asset, job, op
from tagbase.execution import materialize
from tagbase.execution._launch import execute_job
from tagbase.store import Store
from tagbase.store import _runs as run_records

SCHEMA = "tagbase_bench_execution"
OPS = 100
METADATA_ENTRIES = 20
RUN_RECORD_WRITES = ("run_row_id", "add_events", "start_step", "end_steps")
console = Console()
own_seconds: list[float] = []  # what the ops themselves took, in this process


# -- what is timed ----------------------------------------------------------------------------


@op
def first() -> int:
    started = time.perf_counter()
    value = 0
    own_seconds.append(time.perf_counter() - started)
    return value


@op
def tick(previous: int) -> int:
    started = time.perf_counter()
    value = previous + 1
    own_seconds.append(time.perf_counter() - started)
    return value


@job
def hundred_ops() -> None:
    value = first()
    for _ in range(OPS - 1):
        value = tick(value)


@asset
def wide_asset() -> MaterializeResult:
    metadata = {f"metric_{index:02d}": index * 1.5 for index in range(METADATA_ENTRIES)}
    return MaterializeResult(value=1, metadata=metadata)


# -- measuring store time ---------------------------------------------------------------------


@dataclass
class Meter:
    """Seconds spent in store calls and in SQL statements, and how many statements ran."""

    store_seconds: float = 0.0
    sql_seconds: float = 0.0
    statements: int = 0
    commits: int = 0
    depth: int = 0
    _started: list[float] = field(default_factory=list)

    def reset(self) -> None:
        self.store_seconds = self.sql_seconds = 0.0
        self.statements = self.commits = 0

    def timed(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, adding its time to store time (outermost calls only)."""

        def call(*args: Any, **kwargs: Any) -> Any:
            self.depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.store_seconds += time.perf_counter() - started

        return call

    def watch(self, engine: sa.Engine) -> None:
        def before(*_: Any) -> None:
            self._started.append(time.perf_counter())

        def after(*_: Any) -> None:
            self.sql_seconds += time.perf_counter() - self._started.pop()
            self.statements += 1

        def committed(*_: Any) -> None:
            self.commits += 1

        sa.event.listen(engine, "commit", committed)
        sa.event.listen(engine, "before_cursor_execute", before)
        sa.event.listen(engine, "after_cursor_execute", after)


class TimedStore:
    """The store, with every public method call timed by the meter."""

    def __init__(self, store: Store, meter: Meter) -> None:
        self._store, self._meter = store, meter
        self.engine = store.engine

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        return self._meter.timed(found) if callable(found) and not name.startswith("_") else found


@contextmanager
def timed_run_records(meter: Meter) -> Iterator[None]:
    """The recorder writes steps and events through `tagbase.store._runs`: time those too."""
    originals = {name: getattr(run_records, name) for name in RUN_RECORD_WRITES}
    for name, function in originals.items():
        setattr(run_records, name, meter.timed(function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(run_records, name, function)


# -- running ----------------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    own: float
    store: float
    sql: float
    statements: int
    commits: int


def sample(action: Callable[[], object], meter: Meter) -> Sample:
    own_seconds.clear()
    meter.reset()
    started = time.perf_counter()
    action()
    wall = time.perf_counter() - started
    return Sample(
        wall,
        sum(own_seconds),
        meter.store_seconds,
        meter.sql_seconds,
        meter.statements,
        meter.commits,
    )


def repeat(action: Callable[[], object], meter: Meter, repetitions: int) -> list[Sample]:
    action()  # warm-up: the catalog learns the job, ops and assets
    return [sample(action, meter) for _ in range(repetitions)]


def median_p95(values: list[float], scale: float) -> str:
    ordered = sorted(value * scale for value in values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.2f} ({p95:.2f})"


def bench(backend: str, repetitions: int) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TAGBASE_HOME"] = folder  # the artifact store
        store = fresh_store(backend, Path(folder), SCHEMA)
        meter = Meter()
        meter.watch(store.engine)
        timed = TimedStore(store, meter)
        with timed_run_records(meter):
            ops = repeat(lambda: execute_job(hundred_ops, store=timed), meter, repetitions)  # type: ignore[arg-type]
            wide = repeat(lambda: materialize([wide_asset], store=timed), meter, repetitions)  # type: ignore[arg-type]
        store.close()
    return {
        f"{OPS} ops: wall (s)": median_p95([s.wall for s in ops], 1),
        f"{OPS} ops: ops' own time (ms)": median_p95([s.own for s in ops], 1000),
        f"{OPS} ops: tagbase overhead (s)": median_p95([s.wall - s.own for s in ops], 1),
        f"{OPS} ops: store time (s)": median_p95([s.store for s in ops], 1),
        f"{OPS} ops: SQL statements": median_p95([s.statements for s in ops], 1),
        f"{OPS} ops: transactions": median_p95([s.commits for s in ops], 1),
        f"asset + {METADATA_ENTRIES} metadata: store time (ms)": median_p95(
            [s.store for s in wide], 1000
        ),
        f"asset + {METADATA_ENTRIES} metadata: SQL time (ms)": median_p95(
            [s.sql for s in wide], 1000
        ),
        f"asset + {METADATA_ENTRIES} metadata: SQL statements": median_p95(
            [s.statements for s in wide], 1
        ),
        f"asset + {METADATA_ENTRIES} metadata: transactions": median_p95(
            [s.commits for s in wide], 1
        ),
        f"asset + {METADATA_ENTRIES} metadata: wall (ms)": median_p95([s.wall for s in wide], 1000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repetitions", type=int, default=20)
    options = parser.parse_args()
    results = {backend: bench(backend, options.repetitions) for backend in options.backends}
    table = Table(title=f"Execution overhead: median (p95) of {options.repetitions} runs")
    table.add_column("measure")
    for backend in options.backends:
        table.add_column(backend, justify="right")
    for measure in next(iter(results.values())):
        table.add_row(measure, *(results[backend][measure] for backend in options.backends))
    console.print(table)


if __name__ == "__main__":
    main()
