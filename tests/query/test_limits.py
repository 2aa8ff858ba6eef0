"""Query limits: beyond them a QueryError naming the limit, before any SQL; below them long
and/or/in lists run on both databases without deep recursion; any text is a typed error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagbase import Client, EntitySpec, InvalidInputError, Kind, QueryError
from tagbase.query import (
    MAX_QUERY_DEPTH,
    MAX_QUERY_LENGTH,
    MAX_QUERY_TERMS,
    HasKey,
    Node,
    Not,
    Or,
    TagIs,
    parse,
)


@pytest.fixture
def models(client: Client) -> Client:
    client.bulk_create(
        [
            EntitySpec(
                "model",
                f"m{i}",
                tags={"n": str(i)},
                metadata={"size": i, "label": f"l{i}", "tagbase/row_count": i},
            )
            for i in range(0, 2000, 100)
        ]
    )
    return client


def names(client: Client, query: str | Node) -> set[str]:
    return {model.name for model in client.list(Kind.MODEL, query=query, size=1000)}


EVERY = {f"m{i}" for i in range(0, 2000, 100)}


@pytest.mark.parametrize(
    "term",
    [
        "tag:n={i}",  # one tag lookup and one IN probe for all of them
        "name:m{i}",
        "metadata:size={i}",  # folded into one IN test
        "metadata:size>={i} metadata:size<={i}",  # two terms each, nothing to fold
        "(tag:n={i} or metadata:label=l{i})",
    ],
)
def test_a_thousand_terms_run_on_both_databases(models: Client, term: str) -> None:
    per_term = term.count(":")
    count = MAX_QUERY_TERMS // per_term
    query = " or ".join(term.format(i=i) for i in range(count))
    expected = {f"m{i}" for i in range(0, count, 100)}
    assert names(models, query) == expected
    assert models.count(Kind.MODEL, query=query) == len(expected)
    assert names(models, f"not ({query})") == EVERY - expected


def test_a_thousand_values_in_a_list_run_on_both_databases(models: Client) -> None:
    values = ", ".join(str(i) for i in range(MAX_QUERY_TERMS))
    assert names(models, f"tag:n in ({values})") == {f"m{i}" for i in range(0, 1000, 100)}
    assert names(models, f"metadata:size in ({values})") == {f"m{i}" for i in range(0, 1000, 100)}


def test_a_query_at_the_limits_that_stands_for_more_leaves_runs(models: Client) -> None:
    values = ", ".join(["true", *(str(i) for i in range(MAX_QUERY_TERMS - 1))])
    # a standard key without its prefix: two keys, each read as a boolean and as a number
    deep = "(" * MAX_QUERY_DEPTH + f"metadata:row_count in ({values})" + ")" * MAX_QUERY_DEPTH
    assert names(models, deep) == {f"m{i}" for i in range(0, 1000, 100)}
    nested = "".join(f"(tag:n=0 or tag:n={i} " for i in range(MAX_QUERY_DEPTH))
    assert names(models, nested + ")" * MAX_QUERY_DEPTH) == {"m0"}


def test_a_thousand_anded_terms_run(models: Client) -> None:
    query = " ".join(f"not tag:n={i}" for i in range(1, MAX_QUERY_TERMS + 1))
    assert names(models, query) == {"m0"} | {f"m{i}" for i in range(1100, 2000, 100)}


def test_nesting_up_to_the_limit_runs(models: Client) -> None:
    deep = "(" * MAX_QUERY_DEPTH + "tag:n=100" + ")" * MAX_QUERY_DEPTH
    assert names(models, deep) == {"m100"}
    nots = "not " * MAX_QUERY_DEPTH + "tag:n=100"
    assert names(models, nots) == {"m100"}  # an even number of them


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("(" * 400 + "tag:a" + ")" * 400, "MAX_QUERY_DEPTH"),
        ("(" * (MAX_QUERY_DEPTH + 1) + "tag:a" + ")" * (MAX_QUERY_DEPTH + 1), "MAX_QUERY_DEPTH"),
        ("not " * 500 + "tag:a", "MAX_QUERY_DEPTH"),
        (" or ".join(f"tag:n={i}" for i in range(MAX_QUERY_TERMS + 1)), "MAX_QUERY_TERMS"),
        (f"tag:n in ({', '.join(map(str, range(MAX_QUERY_TERMS + 1)))})", "MAX_QUERY_TERMS"),
        ("name:" + "x" * MAX_QUERY_LENGTH, "MAX_QUERY_LENGTH"),
    ],
)
def test_beyond_a_limit_is_a_query_error_naming_it(models: Client, query: str, limit: str) -> None:
    with pytest.raises(QueryError) as raised:
        models.list(Kind.MODEL, query=query)
    assert limit in str(raised.value)
    assert raised.value.hint


def test_a_deep_tree_built_in_python_is_refused_not_a_recursion_error(models: Client) -> None:
    tree: Node = HasKey("n")
    for _ in range(5000):
        tree = Not(tree)
    with pytest.raises(InvalidInputError, match="MAX_QUERY_DEPTH"):
        models.list(Kind.MODEL, query=tree)
    wide = Or(tuple(TagIs("n", str(i)) for i in range(4 * MAX_QUERY_TERMS + 1)))
    with pytest.raises(InvalidInputError, match="MAX_QUERY_TERMS"):
        models.count(Kind.MODEL, query=wide)


@pytest.mark.parametrize("query", ["tag:a=\x00", "name:x\x00y", 'tag:"\x00"', "\x00"])
def test_a_nul_in_the_query_is_a_query_error_on_both_databases(models: Client, query: str) -> None:
    with pytest.raises(QueryError, match="NUL") as raised:
        models.list(Kind.MODEL, query=query)
    assert raised.value.position == query.index("\x00")


def test_a_nul_in_a_tag_or_name_filter_is_refused(models: Client) -> None:
    with pytest.raises(InvalidInputError, match="NUL"):
        models.list(Kind.MODEL, tags=["contains:a\x00"])
    with pytest.raises(InvalidInputError, match="NUL"):
        models.list(Kind.MODEL, name="m\x00")
    with pytest.raises(InvalidInputError, match="surrogate"):
        models.list(Kind.MODEL, tags={"k": "\udc80"})


FIELDS = ["tag:", "metadata:", "name:", "status:", "asset:", "run.tag:", "created", "job:"]
SYNTAX = ["and", "or", "not", "in", "notin", "(", ")", ",", "=", "!=", ">", "<=", "*", '"', "'"]
VALUES = ["\\", "true", "2026-01-01", "1e400", "-0", "nan", "\x00", "\udc80", " ", "kind:"]
QUERY_WORDS = st.sampled_from([*FIELDS, *SYNTAX, *VALUES])
query_texts = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=80),  # surrogates included
    st.lists(st.one_of(QUERY_WORDS, st.text(max_size=3)), max_size=25).map("".join),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=query_texts)
def test_any_query_text_raises_only_typed_errors_on_both_databases(
    models: Client, query: str
) -> None:
    for kind in (Kind.MODEL, Kind.RUN, Kind.ASSET_VERSION):
        try:
            models.list(kind, query=query, size=5)
            models.count(kind, query=query)
        except InvalidInputError:  # QueryError is one
            pass


def test_parsing_checks_the_limits_before_building_anything() -> None:
    with pytest.raises(QueryError, match="MAX_QUERY_DEPTH"):
        parse("(" * 10_000 + "tag:a" + ")" * 10_000)
