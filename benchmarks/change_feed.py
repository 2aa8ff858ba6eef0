"""Change feed benchmark: what writing the outbox costs one-by-one creates and exclusive moves,
what the log takes on disk, and how fast a reader pages through it.

The cost is measured in one process, against the same catalog, in interleaved rounds with the
outbox write on and off (off: the events a transaction noted are dropped instead of written),
so that the machine's noise falls on both alike. Prints medians of the rounds.

    .venv/bin/python benchmarks/change_feed.py --backends sqlite postgresql --rounds 7
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from catalog import fresh_store, ingest, run_tags  # type: ignore[import-not-found]
from rich.console import Console
from rich.table import Table

from tagbase import Client, EntitySpec
from tagbase._tag_settings import TagSettings
from tagbase.store import Store, _outbox

console = Console()
PER_ROUND = 500


@contextmanager
def outbox_off() -> Iterator[None]:
    """The store as it was before the change feed: noted events are dropped, not written."""
    kept = _outbox.flush
    _outbox.flush = _outbox.forget  # type: ignore[assignment]
    try:
        yield
    finally:
        _outbox.flush = kept  # type: ignore[assignment]


def per_second(action: Callable[[int], object], count: int, numbers: Iterator[int]) -> float:
    started = time.perf_counter()
    for _ in range(count):
        action(next(numbers))
    return count / (time.perf_counter() - started)


def compare(name: str, action: Callable[[int], object], rounds: int) -> tuple[str, float, float]:
    numbers = itertools.count(50_000_000)
    per_second(action, PER_ROUND // 5, numbers)  # warm up
    on, off = [], []
    for _ in range(rounds):
        on.append(per_second(action, PER_ROUND, numbers))
        with outbox_off():
            off.append(per_second(action, PER_ROUND, numbers))
    return name, statistics.median(off), statistics.median(on)


def event_bytes(store: Store, workdir: Path) -> tuple[int, int]:
    """The change log's bytes and the whole catalog's."""
    with store.engine.connect() as connection:
        if store.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            log = connection.exec_driver_sql(
                "SELECT sum(pgsize) FROM dbstat WHERE name = 'change_event'"
            ).scalar_one()
            return int(log), sum(p.stat().st_size for p in workdir.glob("bench.db*"))
        total = connection.execute(
            sa.text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'tagbase_feed' AND c.relkind = 'r'"
            )
        ).scalar_one()
        log = connection.exec_driver_sql(
            "SELECT pg_total_relation_size('change_event')"
        ).scalar_one()
        return int(log), int(total)


def bench(backend: str, size: int, rounds: int) -> Table:
    workdir = Path(tempfile.mkdtemp(prefix="tagbase-feed-"))
    store = fresh_store(backend, workdir, schema="tagbase_feed")
    try:
        ingest(store, size)
        client = Client(store)
        store.add(EntitySpec("model", "feed_model"))
        store.add_many(
            [EntitySpec("model_version", f"v{i}", scope="feed_model") for i in range(10)]
        )
        store.register_tag("feed_champion", TagSettings(exclusive=True))

        def create(number: int) -> object:
            return client.create_run("bench_job", tags=run_tags(number))

        def move(number: int) -> object:
            version = f"v{number % 10}"
            return store.add_tags("model_version", version, "feed_model", tags=["feed_champion"])

        table = Table(title=f"{backend}, {size:,} runs", title_justify="left")
        for column in ("measure", "outbox off", "outbox on", "cost"):
            table.add_column(column, justify="left" if column == "measure" else "right")
        for name, off, on in (compare("one-by-one create (/s)", create, rounds),
                              compare("exclusive move (/s)", move, rounds)):  # fmt: skip
            table.add_row(name, f"{off:,.0f}", f"{on:,.0f}", f"{(off / on - 1) * 100:+.1f}%")
        log, total = event_bytes(store, workdir)
        shares = (f"{log / 1e6:.2f} MB", f"{total / 1e6:.2f} MB", f"{log / total * 100:.1f}%")
        table.add_row("change log / catalog on disk", *shares)
        started = time.perf_counter()
        page, read = store.list_changes(after=0, limit=1000), 0
        while True:
            read += len(page.events)
            if not page.more:
                break
            page = store.list_changes(after=page.last_id, limit=1000)
        rate = read / (time.perf_counter() - started)
        table.add_row("reading the whole feed (events/s)", "", f"{rate:,.0f}", "")
        return table
    finally:
        store.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=7)
    arguments = parser.parse_args()
    for backend in arguments.backends:
        for size in arguments.sizes:
            console.print(bench(backend, size, arguments.rounds))


if __name__ == "__main__":
    main()
