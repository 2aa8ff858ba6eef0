"""Selection strings end to end: parsed, planned and run on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tagbase import Client, EntitySpec, InvalidInputError, Kind, QueryError, asset, materialize


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


@pytest.fixture
def trained(client: Client) -> Client:
    client.bulk_create(
        [
            EntitySpec(
                "model",
                "fresh",
                metadata={
                    "validated": True,
                    "trained_at": datetime(2026, 2, 1, tzinfo=UTC),
                    "stage": "prod",
                    "tagbase/row_count": 5000,
                },
            ),
            EntitySpec(
                "model",
                "stale",
                metadata={
                    "validated": False,
                    "trained_at": datetime(2025, 11, 1, tzinfo=UTC),
                    "stage": "dev",
                    "tagbase/uri": "s3://models/stale",
                },
            ),
            EntitySpec("model", "texts", metadata={"validated": "true", "stage": "true"}),
            EntitySpec("model", "bare"),
        ]
    )
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("metadata:validated=true", {"fresh", "texts"}),  # the boolean, or the text "true"
        ('metadata:validated="true"', {"texts"}),
        ("metadata:validated=false", {"stale"}),
        ("metadata:validated!=true", {"stale", "bare"}),
        ("metadata:trained_at>2026-01-01", {"fresh"}),
        ("metadata:trained_at<2026-01-01T00:00:00+00:00", {"stale"}),
        ("metadata:trained_at>=2025-01-01 metadata:trained_at<=2027-01-01", {"fresh", "stale"}),
        ("metadata:tagbase/uri", {"stale"}),
        ("metadata:validated", {"fresh", "stale", "texts"}),
        ("not metadata:stage", {"bare"}),
        ("metadata:stage in (prod, dev)", {"fresh", "stale"}),
        ("metadata:stage notin (prod, dev)", {"texts", "bare"}),
        ("metadata:row_count>1000", {"fresh"}),  # a standard key without its prefix
        ("metadata:uri=s3://*", {"stale"}),
    ],
)
def test_metadata_filters(trained: Client, query: str, expected: set[str]) -> None:
    assert {model.name for model in trained.list(Kind.MODEL, query=query)} == expected
    assert trained.count(Kind.MODEL, query=query) == len(expected)


@asset
def raw() -> list[int]:
    return [1, 2, 3]


@asset
def clean(raw: list[int]) -> list[int]:
    return [n * 2 for n in raw]


def test_asset_for_runs_and_run_tags_for_versions(client: Client) -> None:
    first = materialize([raw, clean], tags={"env": "demo"})
    second = materialize([raw, clean], selection="raw", tags={"env": "prod"})
    runs = {run.id for run in client.list(Kind.RUN, query="asset:clean")}
    assert runs == {first.run_id}
    runs = {run.id for run in client.list(Kind.RUN, query="asset:raw")}
    assert runs == {first.run_id, second.run_id}
    assert client.list(Kind.RUN, query="asset:nothing").items == []
    made = client.list(Kind.ASSET_VERSION, query="asset:raw and run.tag:env=prod").items
    assert [
        (version.artifact_name, version.metadata["tagbase/run_id"].value) for version in made
    ] == [("raw", second.run_id)]
    assert client.count(Kind.ASSET_VERSION, query="run.tag:env=demo") == 2
    assert client.count(Kind.ASSET_VERSION, query="run.tag:env in (demo, prod)") == 3
    assert client.count(Kind.ASSET_VERSION, query="not run.tag:env=demo") == 1


def test_asset_and_run_tag_name_the_kinds_they_filter(client: Client) -> None:
    with pytest.raises(InvalidInputError, match="runs and asset versions"):
        client.list(Kind.MODEL, query="asset:raw")
    with pytest.raises(InvalidInputError, match="asset versions"):
        client.list(Kind.RUN, query="run.tag:env=prod")


@pytest.mark.parametrize(
    ("query", "fix"),
    [
        ("tag:env==demo", "write tag:env=demo"),
        ("status:bogus", "use one of queued, started, canceled, failed, success"),
    ],
)
def test_a_filter_that_would_match_nothing_is_refused_with_its_fix(
    client: Client, query: str, fix: str
) -> None:
    with pytest.raises(QueryError, match=fix):
        client.list(Kind.RUN, query=query)
