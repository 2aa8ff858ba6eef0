"""Print the query plans of the benchmark's queries Q1-Q5, on SQLite and PostgreSQL.

.venv/bin/python benchmarks/plans.py --size 100000
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import sqlalchemy as sa
from catalog import analyze, fresh_store, ingest
from rich.console import Console

from tagbase._kinds import Kind
from tagbase.query import parse
from tagbase.store import Store

console = Console(width=160)
QUERIES = {
    "Q1 unique tag": "tag:run-{half}=",
    "Q2 broad tag": "tag:env=prod",
    "Q3 two tags": "tag:team=team-3 and tag:env=prod",
    "Q4 prefix": "tag:experiment=exp-12*",
}


def explain(store: Store, sql: str) -> list[str]:
    with store.engine.connect() as connection:
        if store.engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
            return [f"{'  ' * (row[1] and 1)}{row[3]}" for row in rows]
        return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN ANALYZE {sql}").all()]


def first_page_sql(store: Store, query: str) -> str:
    with store.engine.connect() as connection:
        planned = store._plan(connection, Kind.RUN, None, parse(query))
        select = planned.select.order_by(planned.ident.desc()).limit(101)
        return str(select.compile(connection, compile_kwargs={"literal_binds": True}))


def facet_sql(store: Store) -> str:
    from tagbase.store._schema import tag, tag_usage

    select = (
        sa.select(tag.c.value, tag_usage.c.count)
        .join(tag_usage, tag_usage.c.tag_id == tag.c.id)
        .where(tag.c.key == "team", tag_usage.c.kind == Kind.RUN.code, tag_usage.c.count > 0)
    )
    with store.engine.connect() as connection:
        return str(select.compile(connection, compile_kwargs={"literal_binds": True}))


def contains_lookup_sql(store: Store) -> str:
    """How `contains:xp-12` finds its tags: through the trigram index of tag string forms."""
    from tagbase.query import from_operator_strings
    from tagbase.store._dictionary import has_tag_search
    from tagbase.store._plan import _WITH_USAGE, _tag_condition

    node = from_operator_strings(["contains:xp-12"])  # one item: a single tag predicate
    with store.engine.connect() as connection:
        query = _WITH_USAGE.where(_tag_condition(node, has_tag_search(connection)))
        query = query.params(kind=Kind.RUN.code)
        return str(query.compile(connection, compile_kwargs={"literal_binds": True}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    arguments = parser.parse_args()
    for backend in arguments.backends:
        workdir = Path(tempfile.mkdtemp(prefix="tagbase-plans-"))
        store = fresh_store(backend, workdir, schema="tagbase_plans")
        try:
            ingest(store, arguments.size)
            analyze(store)
            console.rule(f"{backend}, {arguments.size:,} runs")
            for name, query in QUERIES.items():
                text = query.format(half=arguments.size // 2)
                sql = first_page_sql(store, text)
                console.print(f"[bold]{name}[/bold]: {text}, first page\n{sql}", markup=True)
                console.print("\n".join(explain(store, sql)), markup=False, highlight=False)
            sql = contains_lookup_sql(store)
            console.print("[bold]Q4 contains xp-12: the tags it matches[/bold]\n" + sql)
            console.print("\n".join(explain(store, sql)), markup=False, highlight=False)
            sql = facet_sql(store)
            console.print(f"[bold]Q5 counts per value of team[/bold]\n{sql}", markup=True)
            console.print("\n".join(explain(store, sql)), markup=False, highlight=False)
        finally:
            store.close()
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
