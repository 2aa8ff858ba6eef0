"""The SQL compiler agrees with the in-memory evaluator on random catalogs and random queries."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagbase import EntitySpec
from tagbase.query import (
    And,
    Candidate,
    Compare,
    CreatedCompare,
    HasKey,
    Match,
    MetadataCompare,
    MetadataMatch,
    NameMatch,
    Node,
    Not,
    Or,
    ScopeIs,
    StatusIn,
    TagIs,
    TagMatch,
    TagValueIn,
    matches,
)
from tagbase.store import Store

KEYS = ["env", "team", "a_b", "x%y", "ünï"]
VALUES = ["", "prod", "dev", "p_d", "50%", "ü=ö", "a=b", "Prod"]
FRAGMENTS = ["", "p", "_", "%", "=", "ü", "od", "env=", "Pro", "a"]
_jobs = itertools.count()

STATUSES = [None, "success", "failed"]
TIMES = [1_000, 2_000, 3_000]
NUMBERS = [None, -1.5, 0, 7, 1000]
TEXTS = [None, "s3://bucket/x", "file:///tmp/50%", "ü"]


@dataclass(frozen=True)
class Row:
    tags: dict[str, str]
    status: str | None
    created_ms: int
    number: float | None
    text: str | None

    def metadata(self) -> dict[str, object]:
        values: dict[str, object] = {}
        if self.number is not None:
            values["n"] = self.number
        if self.text is not None:
            values["t"] = self.text
        return values


rows = st.builds(
    Row,
    st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=4),
    st.sampled_from(STATUSES),
    st.sampled_from(TIMES),
    st.sampled_from(NUMBERS),
    st.sampled_from(TEXTS),
)
catalogs = st.lists(rows, min_size=0, max_size=12)

leaves = st.one_of(
    st.builds(TagIs, st.sampled_from(KEYS), st.sampled_from(VALUES)),
    st.builds(HasKey, st.sampled_from(KEYS)),
    st.builds(
        TagValueIn,
        st.sampled_from(KEYS),
        st.lists(st.sampled_from(VALUES), min_size=1, max_size=3).map(tuple),
    ),
    st.builds(
        TagMatch,
        st.one_of(st.none(), st.sampled_from(KEYS)),
        st.sampled_from(list(Match)),
        st.sampled_from(FRAGMENTS),
    ),
    st.builds(NameMatch, st.sampled_from(list(Match)), st.sampled_from(["r", "r1", "1", "_"])),
    st.builds(StatusIn, st.lists(st.sampled_from(["success", "failed"]), min_size=1).map(tuple)),
    st.builds(ScopeIs, st.sampled_from(["THIS_JOB", "other"])),
    st.builds(CreatedCompare, st.sampled_from(list(Compare)), st.sampled_from(TIMES)),
    st.builds(
        MetadataCompare,
        st.sampled_from(["n", "t", "missing"]),
        st.sampled_from(list(Compare)),
        st.sampled_from([-1.5, 0.0, 7.0, 500.0]),
    ),
    st.builds(
        MetadataMatch,
        st.sampled_from(["t", "n"]),
        st.sampled_from(list(Match)),
        st.sampled_from(["s3://", "%", "x", "ü", ""]),
    ),
)
queries = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: And(tuple(items))),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: Or(tuple(items))),
    ),
    max_leaves=6,
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(catalog=catalogs, query_list=st.lists(queries, min_size=1, max_size=5))
def test_sql_and_memory_agree(store: Store, catalog: list[Row], query_list: list[Node]) -> None:
    job = f"job{next(_jobs)}"
    store.add(EntitySpec("job", job))
    names = [f"r{i}" for i in range(len(catalog))]
    store.add_many(
        [
            EntitySpec(
                "run",
                name,
                scope=job,
                tags=row.tags,
                status=row.status,
                metadata=row.metadata(),
                created_at=datetime.fromtimestamp(row.created_ms / 1000, UTC),
            )
            for name, row in zip(names, catalog, strict=True)
        ]
    )
    candidates = [
        Candidate(
            name,
            tuple(row.tags.items()),
            status=row.status,
            scope_name=job,
            created_ms=row.created_ms,
            numbers={"n": row.number},
            texts={"t": row.text},
        )
        for name, row in zip(names, catalog, strict=True)
    ]
    for query in (_in_job(query, job) for query in query_list):
        expected = {c.name for c in candidates if matches(query, c)}
        page = store.list("run", scope=job, query=query, size=1000)
        assert {run.name for run in page} == expected, query
        assert page.total == len(expected)


def _in_job(query: Node, job: str) -> Node:
    """Each example has a fresh job; THIS_JOB in a generated query stands for it."""
    if isinstance(query, ScopeIs) and query.name == "THIS_JOB":
        return replace(query, name=job)
    if isinstance(query, Not):
        return Not(_in_job(query.operand, job))
    if isinstance(query, And | Or):
        return type(query)(tuple(_in_job(item, job) for item in query.operands))
    return query
