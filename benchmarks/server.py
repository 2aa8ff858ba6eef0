"""Server benchmark: API time for the runs list at 1,000,000 runs and the asset catalog at
100,000 assets, on SQLite (and PostgreSQL with --backends).

Times are whole requests through the ASGI app (routing, security, the store, JSON) with
FastAPI's test client, in process: no network. Median and p95 in milliseconds.

    .venv/bin/python benchmarks/server.py --runs 1000000 --assets 100000 [--keep /tmp/bench]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from catalog import BATCH, analyze, fresh_store, ingest, timed
from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from tagbase import Client, EntitySpec
from tagbase.server import create_app
from tagbase.server._security import Security
from tagbase.store import Store

KINDS = ("python", "sql", "dbt", "spark")
console = Console()


def asset_spec(number: int) -> EntitySpec:
    return EntitySpec(
        "asset",
        f"asset_{number:06d}",
        tags={
            "team": f"team-{number % 20}",
            "env": ("dev", "staging", "prod")[number % 3],
            f"tagbase/kind/{KINDS[number % 4]}": "",
            "domain": f"domain-{number % 40}",
        },
        metadata={"tagbase/row_count": number * 10, "source": f"s3://bucket/{number}"},
        owners=[f"team:team-{number % 20}"],
        description=f"asset number {number}",
    )


def ingest_assets(store: Store, size: int) -> float:
    started = time.perf_counter()
    for first in range(0, size, BATCH):
        store.add_many([asset_spec(n) for n in range(first, min(size, first + BATCH))])
    elapsed = time.perf_counter() - started
    analyze(store)
    return size / elapsed


def requests(api: TestClient) -> dict[str, Callable[[], object]]:
    second = api.get("/api/runs").json()["next_cursor"]

    def get(path: str, **params: object) -> Callable[[], object]:
        def call() -> object:
            response = api.get(path, params=params)
            assert response.status_code == 200, response.text
            return response

        return call

    return {
        "runs, first page of 50": get("/api/runs"),
        "runs, second page (cursor)": get("/api/runs", cursor=second),
        "runs, first page, total=false": get("/api/runs", total="false"),
        "runs tag:env=prod, first page": get("/api/runs", query="tag:env=prod"),
        "runs tag:env=prod, count": get("/api/runs/count", query="tag:env=prod"),
        "assets, first page of 50": get("/api/assets"),
        "assets, first page, total=false": get("/api/assets", total="false"),
        "assets tag:team=team-3, first page": get("/api/assets", query="tag:team=team-3"),
        "assets, facet counts of team": get("/api/assets/facets", key="team"),
        "one asset by name": get("/api/assets/asset_000001"),
        "web UI: asset catalog page": get("/assets"),
        "web UI: catalog page, q=tag:team=team-3": get("/assets", q="tag:team=team-3"),
        "web UI: runs page": get("/runs"),
        "web UI: runs page, q=tag:env=prod": get("/runs", q="tag:env=prod"),
    }


def catalog_store(backend: str, workdir: Path, runs: int, assets: int, keep: bool) -> Store:
    """A catalog of `runs` runs and `assets` assets; with `keep`, one built before is reused."""
    if keep and (workdir / "bench.db").exists():
        return Store(f"sqlite:///{workdir / 'bench.db'}")
    store = fresh_store(backend, workdir, schema="tagbase_bench_server")
    console.print(f"ingesting {runs:,} runs ({ingest(store, runs):,.0f}/s)")
    console.print(f"ingesting {assets:,} assets ({ingest_assets(store, assets):,.0f}/s)")
    return store


def bench(backend: str, runs: int, assets: int, repetitions: int, keep: Path | None) -> Table:
    workdir = keep or Path(tempfile.mkdtemp(prefix="tagbase-bench-server-"))
    store = catalog_store(backend, workdir, runs, assets, keep is not None)
    title = f"{backend}: {store.count('run'):,} runs, {store.count('asset'):,} assets"
    table = Table(title=title, title_justify="left")
    for column in ("request", "median (ms)", "p95 (ms)"):
        table.add_column(column, justify="left" if column == "request" else "right")
    try:
        app = create_app(Client(store), security=Security())
        with TestClient(app) as api:
            for name, action in requests(api).items():
                median, p95 = timed(action, repetitions)
                table.add_row(name, f"{median:.2f}", f"{p95:.2f}")
        return table
    finally:
        store.close()
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite"])
    parser.add_argument("--repetitions", type=int, default=30)
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="SQLite only: build the catalog in DIR and keep it; reuse it when it is there",
    )
    arguments = parser.parse_args()
    for backend in arguments.backends:
        table = bench(
            backend, arguments.runs, arguments.assets, arguments.repetitions, arguments.keep
        )
        console.print(table)


if __name__ == "__main__":
    main()
