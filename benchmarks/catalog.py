"""Catalog benchmark: ingest and tag queries at 10k, 100k and 1M runs, on SQLite and PostgreSQL.

Each run carries 5 tags: team (20 values), env (dev/staging/prod), experiment (1,000 values),
owner (50 values) and one tag unique to the run. Prints median and p95 over the repetitions.

    .venv/bin/python benchmarks/catalog.py --sizes 10000 100000 1000000 --backends sqlite postgresql
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from tagbase import Client, Durability, EntitySpec
from tagbase._tag_settings import TagSettings
from tagbase.query import from_operator_strings, parse
from tagbase.store import Store
from tagbase.store._engine import normalize_url

PG_URL = os.environ.get("TAGBASE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BATCH = 10_000
ENVS = ("dev", "staging", "prod")
console = Console()


def run_tags(number: int) -> dict[str, str]:
    return {
        "team": f"team-{number % 20}",
        "env": ENVS[number % 3],
        "experiment": f"exp-{(number * 7919) % 1000}",
        "owner": f"owner-{number % 50}",
        f"run-{number}": "",
    }


def fresh_store(backend: str, workdir: Path, schema: str = "tagbase_bench") -> Store:
    """An empty catalog: a SQLite file in `workdir`, or a PostgreSQL schema made anew."""
    if backend == "sqlite":
        return Store(f"sqlite:///{workdir / 'bench.db'}")
    engine = sa.create_engine(normalize_url(PG_URL))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    return Store(f"{PG_URL}?options=-csearch_path%3D{schema}")


def ingest(store: Store, size: int) -> float:
    """Bulk-create `size` runs; returns runs per second."""
    store.add(EntitySpec("job", "bench_job"))
    started = time.perf_counter()
    for first in range(0, size, BATCH):
        specs = [
            EntitySpec("run", scope="bench_job", tags=run_tags(number))
            for number in range(first, min(size, first + BATCH))
        ]
        store.add_many(specs)
    elapsed = time.perf_counter() - started
    analyze(store)
    return size / elapsed


def analyze(store: Store) -> None:
    """Fresh statistics, and on PostgreSQL a visibility map (as autovacuum keeps it) and the
    load's pages written out (its checkpointer would otherwise go on writing them for minutes,
    behind the next timings), so that later work is timed in the steady state."""
    postgresql = store.engine.dialect.name == "postgresql"
    statements = ["VACUUM ANALYZE", "CHECKPOINT"] if postgresql else ["ANALYZE"]
    autocommit = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    with autocommit as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def one_by_one(store: Store, count: int, first: int = 10_000_000) -> float:
    """Runs created one call each through the Client, every one with a new unique tag, after
    a tenth as many untimed (as queries get a warm-up: prepared statements, caches)."""
    client = Client(store)
    numbers = iter(range(first, first + count + count // 10))
    for number in itertools.islice(numbers, count // 10):
        client.create_run("bench_job", tags=run_tags(number))
    started = time.perf_counter()
    for number in numbers:
        client.create_run("bench_job", tags=run_tags(number))
    return count / (time.perf_counter() - started)


def one_by_one_rounds(store: Store, first: int = 10_000_000, rounds: int = 3) -> float:
    """The median of `rounds` rounds of 1,000 one-by-one creates: a round at 1M runs may or
    may not include one of SQLite's WAL checkpoints, which moves it by a fifth."""
    rates = [one_by_one(store, 1000, first + number * 10_000) for number in range(rounds)]
    return statistics.median(rates)


def timed(action: Callable[[], object], repetitions: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    action()  # warm caches
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def queries(store: Store, size: int) -> dict[str, Callable[[], object]]:
    unique = parse(f"tag:run-{size // 2}=")
    prod = parse("tag:env=prod")
    both = parse("tag:team=team-3 and tag:env=prod")
    prefix = parse("tag:experiment=exp-12*")
    contains = from_operator_strings(["contains:xp-12"])
    hundred = " or ".join(f"tag:experiment=exp-{i}" for i in range(100))  # parsed each time
    versions = [f"v{i}" for i in range(10)]
    store.add(EntitySpec("model", "bench_model"))
    store.add_many([EntitySpec("model_version", v, scope="bench_model") for v in versions])
    store.register_tag("bench_champion", TagSettings(exclusive=True))
    moves = iter(range(10**9))

    def move() -> object:
        version = versions[next(moves) % len(versions)]
        return store.add_tags("model_version", version, "bench_model", tags=["bench_champion"])

    return {
        "Q1 unique tag, all hits": lambda: store.list("run", query=unique, with_total=False),
        "Q2 env=prod, first 100": lambda: store.list("run", query=prod, size=100, with_total=False),
        "Q2 env=prod, exact count": lambda: store.count("run", query=prod),
        "Q3 team AND env, first 100": lambda: store.list(
            "run", query=both, size=100, with_total=False
        ),
        "Q4 prefix exp-12*, first 100": lambda: store.list(
            "run", query=prefix, size=100, with_total=False
        ),
        "Q4 contains xp-12, any key, first 100": lambda: store.list(
            "run", query=contains, size=100, with_total=False
        ),
        "Q6 100-term or, parsed, exact count": lambda: store.count("run", query=parse(hundred)),
        "Q5 counts per team value": lambda: store.facets("run", "team"),
        "Q5 per team within env=prod": lambda: store.facets("run", "team", query=prod),
        "exclusive move": move,
    }


def disk_bytes(store: Store, workdir: Path) -> int:
    if store.engine.dialect.name == "sqlite":
        with store.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(path.stat().st_size for path in workdir.glob("bench.db*"))
    with store.engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'tagbase_bench' AND c.relkind = 'r'"
                )
            ).scalar_one()
        )


def bench(backend: str, size: int, repetitions: int) -> Table:
    workdir = Path(tempfile.mkdtemp(prefix="tagbase-bench-"))
    store = fresh_store(backend, workdir)
    try:
        table = Table(title=f"{backend}, {size:,} runs", title_justify="left")
        for column in ("measure", "median", "p95"):
            table.add_column(column, justify="left" if column == "measure" else "right")
        bulk = ingest(store, size)
        table.add_row("bulk ingest (runs/s)", f"{bulk:,.0f}", "")
        table.add_row("one-by-one ingest (runs/s)", f"{one_by_one_rounds(store):,.0f}", "")
        flushed = Store(store.url, durability=Durability.FULL)
        try:
            rate = one_by_one_rounds(flushed, first=20_000_000)
            table.add_row("one-by-one ingest, durability full (runs/s)", f"{rate:,.0f}", "")
        finally:
            flushed.close()
        for name, action in queries(store, size).items():
            median, p95 = timed(action, repetitions)
            table.add_row(f"{name} (ms)", f"{median:.2f}", f"{p95:.2f}")
        runs = store.count("run")  # the bulk load and the one-by-one creates
        per_10k = disk_bytes(store, workdir) / runs * 10_000 / 1e6
        table.add_row("disk per 10k runs (MB)", f"{per_10k:.2f}", "")
        return table
    finally:
        store.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repetitions", type=int, default=30)
    arguments = parser.parse_args()
    random.seed(7)
    for backend in arguments.backends:
        for size in arguments.sizes:
            console.print(bench(backend, size, arguments.repetitions))


if __name__ == "__main__":
    main()
