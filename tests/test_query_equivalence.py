"""The SQL compiler agrees with the in-memory evaluator on random catalogs and random queries."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagbase import EntitySpec
from tagbase.query import (
    And,
    Candidate,
    HasKey,
    Match,
    NameMatch,
    Node,
    Not,
    Or,
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

catalogs = st.lists(
    st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=4),
    min_size=0,
    max_size=12,
)

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
def test_sql_and_memory_agree(
    store: Store, catalog: list[dict[str, str]], query_list: list[Node]
) -> None:
    job = f"job{next(_jobs)}"
    store.add(EntitySpec("job", job))
    names = [f"r{i}" for i in range(len(catalog))]
    store.add_many(
        [
            EntitySpec("run", name, scope=job, tags=tags)
            for name, tags in zip(names, catalog, strict=True)
        ]
    )
    candidates = [
        Candidate(name, tuple(tags.items())) for name, tags in zip(names, catalog, strict=True)
    ]
    for query in query_list:
        expected = {c.name for c in candidates if matches(query, c)}
        page = store.list("run", scope=job, query=query, size=1000)
        assert {run.name for run in page} == expected, query
        assert page.total == len(expected)
