"""The store's fast paths, behind one seam: each mechanism, why it exists, what it buys.

The parts of `Store` (`_*_methods.py`) reach every fast path through this module, by the
names below; the driver-level helpers live in `_sql` (and `_numbering`, `_engine`), which
the low-level modules under the parts (`_tagging`, `_dictionary`, `_loading`...) use too.
Figures: `benchmarks/catalog.py`'s ingest with each mechanism below switched off alone (10k
runs in one `add_many`, then 1,000 one-by-one `create_run`), median of 3 fresh catalogs, on a
shared 2-core machine on 2026-12-03 (one-by-one figures vary by ±10% there).

Statements
- `fetch(connection, statement, parameters)`: run a cached statement on the driver's cursor
  and return plain tuples, skipping SQLAlchemy's compile cache lookup and result layer; for
  the small reads every call makes (references, names, pages). See docs/benchmarks.md,
  "Little Python per row".
- `bound_list` / `in_bound_list`: a list of any length bound as one parameter (JSON on
  SQLite, an array on PostgreSQL), so the statement compiles once and no parameter limit
  applies.
- `execute_many` / `execute_together` / `insert_ids`: a table's rows in one driver call
  (executemany on SQLite, `INSERT ... SELECT FROM unnest(arrays)` on PostgreSQL), several
  tables' writes in one round trip, and generated ids read back by key. Bulk ingest rests on
  them; they are the only write path (there is no row-at-a-time twin to compare with).
- `counting`: the deltas to `entity_count` / `tag_usage` computed in Python and written as
  one upsert in the same transaction, so counts and facets stay lookups.

Per-call shortcuts (kept where the benchmark shows more than 10%, tests running both ways)
- `insert_numbered`: on PostgreSQL, one unnamed scoped entity created alone (a run, a
  version) is numbered, named, inserted and counted by one statement instead of reading the
  scope's next number and taken names first. One-by-one on PostgreSQL: 696 creates/s with it,
  494/s without (+41%). Run both ways on both databases by `tests/store/test_fast_paths.py`
  (the store falls back to the long way when a user took the automatic name).
- `fresh` / `locked` (flags of `_tagging.assign`): a just-created entity has no tags to read
  and its row is locked by its own insert; an updated one is locked by its update. Without
  them each create reads and locks what it wrote. One-by-one on PostgreSQL: 696/s with them,
  473/s without (+47%); on SQLite and in bulk no difference. Every create and update test runs
  them, every retag test runs the path without them.

Process and planner
- `collector_paused()`: Python's cyclic garbage collector held off during a create (the
  write allocates many objects and no cycles). Process-wide, counted across threads, and
  left off if the application turned it off itself. Bulk: 16,839 runs/s with it, 12,072/s
  without on SQLite (+39%); 8,064 / 6,959 on PostgreSQL (+16%). One-by-one: no difference
  (1,535 / 1,576 and 696 / 707), so a lone create goes through it as a batch of one does.
- `analyze_when_grown(...)`: after a create of 1,000 rows or more on PostgreSQL that adds
  half what the planner believes a table holds, ANALYZE the grown tables, as autovacuum
  would: plans made for a near-empty table scan a million rows. No cost below 1,000 rows.
- `plan_for_parameters(connection)`: a write transaction on PostgreSQL is planned generically
  (`plan_cache_mode = auto`, set on its BEGIN: writes are point lookups); a write that selects
  by a user's query (`retag`) switches to per-parameter plans as reads use.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from tagbase.store._engine import plan_for_parameters
from tagbase.store._numbering import insert_numbered
from tagbase.store._sql import (
    bound_list,
    counting,
    execute_many,
    execute_together,
    fetch,
    in_bound_list,
    insert_ids,
)

__all__ = [
    "analyze_when_grown",
    "bound_list",
    "collector_paused",
    "counting",
    "execute_many",
    "execute_together",
    "fetch",
    "in_bound_list",
    "insert_ids",
    "insert_numbered",
    "plan_for_parameters",
]

_gc_lock = threading.Lock()
_gc_pausers = 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector during a bulk write: the write allocates
    many objects and no cycles, and collections it would trigger cost a quarter of its time.
    Counted, so overlapping bulk writes in several threads turn it back on once, at the end."""
    global _gc_pausers
    with _gc_lock:
        ours = _gc_pausers > 0 or gc.isenabled()  # else the application turned it off itself
        if ours:
            _gc_pausers += 1
            gc.disable()
    try:
        yield
    finally:
        if ours:
            with _gc_lock:
                _gc_pausers -= 1
                if _gc_pausers == 0:
                    gc.enable()


def analyze_when_grown(
    engine: sa.Engine, added: int, measured: sa.Table, grown: Sequence[sa.Table]
) -> None:
    """After a bulk write of `added` rows into `measured` on PostgreSQL, ANALYZE the `grown`
    tables when the write adds half as many rows as the planner believes `measured` holds, as
    autovacuum would (where it runs): plans made for a near-empty table scan a million rows."""
    if engine.dialect.name != "postgresql" or added < _ANALYZE_MIN_ROWS:
        return
    with engine.connect() as connection:
        believed = connection.execute(_BELIEVED_ROWS, {"name": measured.name}).scalar_one()
        if added >= max(believed, 0) / 2:
            connection.exec_driver_sql(f"ANALYZE {', '.join(table.name for table in grown)}")
        connection.commit()


_ANALYZE_MIN_ROWS = 1000
_BELIEVED_ROWS = sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)")
