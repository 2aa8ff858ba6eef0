"""Selection strings end to end: parsed, planned and run on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tagbase import Client, EntitySpec, Kind, QueryError


@pytest.fixture
def assets(client: Client) -> Client:
    client.bulk_create(
        [
            EntitySpec(
                "asset",
                "orders_daily",
                tags={"env": "prod", "team": "data", "tagbase/kind/python": ""},
                owners=["team:data"],
                metadata={"tagbase/row_count": 5000, "tagbase/uri": "s3://lake/orders"},
            ),
            EntitySpec(
                "asset",
                "orders_raw",
                tags={"env": "prod", "team": "ml", "deprecated": ""},
                owners=["team:data"],
                metadata={"tagbase/row_count": 9000},
            ),
            EntitySpec(
                "asset",
                "customers",
                tags={"env": "dev", "team": "data", "tagbase/kind/python": ""},
                owners=["ana@example.com"],
                metadata={"tagbase/row_count": 10, "tagbase/uri": "file:///tmp/c"},
                created_at=datetime(2025, 6, 1, tzinfo=UTC),
            ),
        ]
    )
    return client


def found(client: Client, query: str) -> set[str]:
    return {entity.name for entity in client.list(Kind.ASSET, query=query)}


def test_the_design_example(assets: Client) -> None:
    query = (
        "tag:env=prod and tag:team in (ml, data) and not tag:deprecated and owner:team:data "
        "and kind:python and metadata:tagbase/row_count>1000 and name:orders*"
    )
    assert found(assets, query) == {"orders_daily"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag:env!=prod", {"customers"}),
        ("tag:deprecated", {"orders_raw"}),
        ("not tag:deprecated", {"orders_daily", "customers"}),
        ("tag:team notin (ml)", {"orders_daily", "customers"}),
        ("owner:ana@example.com", {"customers"}),
        ("metadata:tagbase/uri=s3://*", {"orders_daily"}),
        ("metadata:tagbase/row_count<=5000", {"orders_daily", "customers"}),
        ("created<2026-01-01", {"customers"}),
        ("orders", {"orders_daily", "orders_raw"}),
        ("tag:env=prod or owner:ana@example.com", {"orders_daily", "orders_raw", "customers"}),
    ],
)
def test_terms(assets: Client, query: str, expected: set[str]) -> None:
    assert found(assets, query) == expected
    assert assets.count(Kind.ASSET, query=query) == len(expected)


def test_facets_within_a_query(assets: Client) -> None:
    assert assets.facets(Kind.ASSET, "team", query="tag:env=prod") == {"data": 1, "ml": 1}
    assert assets.facets(Kind.ASSET, "env") == {"prod": 2, "dev": 1}


def test_a_malformed_query_is_refused_with_its_column(assets: Client) -> None:
    with pytest.raises(QueryError) as raised:
        assets.list(Kind.ASSET, query="tag:env=prod and (tag:team=ml")
    assert raised.value.position == 17


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("contains:a*b", {"star"}),  # GLOB's wildcards are plain characters to the user
        ("contains:a?b", {"question"}),
        ("contains:[x]", {"bracket"}),
        ("contains:a%b", {"percent"}),  # and so are LIKE's
        ("contains:a_b", {"underscore"}),
        ("contains:ärg", {"unicode"}),
        ("contains:ÄRG", set()),  # case-sensitive, as everywhere
        ("endswith:a*by", {"star"}),
        ("endswith:=[x]", {"bracket"}),
        (
            "contains:note=",
            {"star", "question", "bracket", "percent", "underscore", "unicode", "decoy"},
        ),
        ("contains:zz", {"short"}),  # under three characters: no trigram to look up
    ],
)
def test_contains_and_suffix_matches_read_the_trigram_index_exactly(
    client: Client, operator: str, expected: set[str]
) -> None:
    values = {
        "star": "xa*by",
        "question": "xa?by",
        "bracket": "[x]",
        "percent": "xa%by",
        "underscore": "xa_by",
        "unicode": "härgen",
        "short": "zz",
    }
    for name, value in values.items():
        tags = {"note": value} if name != "short" else [value]
        client.create(Kind.MODEL, name, tags=tags)
    client.create(Kind.MODEL, "decoy", tags={"note": "xaXby", "other": "a.b"})
    found = {model.name for model in client.list(Kind.MODEL, tags=[operator], size=100)}
    assert found == expected


def test_a_deleted_tag_leaves_the_trigram_index(client: Client) -> None:
    client.create(Kind.MODEL, "m", tags={"note": "hello-world"})
    client.delete_tag("note=hello-world")
    assert client.list(Kind.MODEL, tags=["contains:hello"]).items == []
    client.create(Kind.MODEL, "n", tags={"note": "hello-world"})
    assert [model.name for model in client.list(Kind.MODEL, tags=["contains:hello"])] == ["n"]
