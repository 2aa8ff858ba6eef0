"""Selection strings parse to the intended tree; malformed ones fail at the right column."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagbase import QueryError
from tagbase.query import (
    And,
    AssetIs,
    Compare,
    CreatedCompare,
    Everything,
    HasKey,
    MadeByRun,
    Match,
    MetadataCompare,
    MetadataHasKey,
    MetadataIs,
    MetadataMatch,
    MetadataTimeCompare,
    NameMatch,
    Not,
    Or,
    OwnerIs,
    ScopeIs,
    StatusIn,
    TagIs,
    TagMatch,
    TagValueIn,
    parse,
)


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("", Everything()),
        ("tag:env=prod", TagIs("env", "prod")),
        ("tag:env", HasKey("env")),
        ("tag:env=", TagIs("env", "")),
        ("tag:env!=prod", Not(TagIs("env", "prod"))),
        ("tag:team in (ml, data)", TagValueIn("team", ("ml", "data"))),
        ("tag:team notin (ml,data)", Not(TagValueIn("team", ("ml", "data")))),
        ("tag:exp=v2*", TagMatch("exp", Match.STARTSWITH, "v2")),
        ("tag:exp=*v2*", TagMatch("exp", Match.CONTAINS, "v2")),
        ("tag:exp=*v2", TagMatch("exp", Match.ENDSWITH, "v2")),
        ('tag:note="a b, c=d"', TagIs("note", "a b, c=d")),
        ('tag:x="v*"', TagIs("x", "v*")),
        ("tag:tagbase/parent_run_id=1a-2.b:c@d", TagIs("tagbase/parent_run_id", "1a-2.b:c@d")),
        ("tag:data:raw", HasKey("data:raw")),
        ("name:orders*", NameMatch(Match.STARTSWITH, "orders")),
        ("orders", NameMatch(Match.CONTAINS, "orders")),
        ("owner:team:data", OwnerIs("team:data")),
        ("owner:me@x.com", OwnerIs("me@x.com")),
        ("kind:python", TagIs("tagbase/kind/python", "")),
        ("group:marketing", TagIs("tagbase/group", "marketing")),
        ("job:nightly", ScopeIs("nightly")),
        ("status:failed", StatusIn(("failed",))),
        ("created>2026-01-01", CreatedCompare(Compare.GT, 1767225600000)),
        ("metadata:rows>1000", MetadataCompare("rows", Compare.GT, 1000.0)),
        ("metadata:rows<=-2.5", MetadataCompare("rows", Compare.LE, -2.5)),
        ("metadata:tagbase/uri=s3://*", MetadataMatch("tagbase/uri", Match.STARTSWITH, "s3://")),
        ('metadata:version="7"', MetadataMatch("version", Match.EQUALS, "7")),
        ("tag:é=ü", TagIs("é", "ü")),
    ],
)
def test_a_term_parses_to_its_tree(query: str, tree: object) -> None:
    assert parse(query) == tree


_JAN_1 = 1767225600.0  # 2026-01-01T00:00:00Z in seconds


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("metadata:tagbase/uri", MetadataHasKey("tagbase/uri")),
        ("metadata:stage", MetadataHasKey("stage")),
        (
            "metadata:validated=true",
            Or((MetadataIs("validated", True), MetadataMatch("validated", Match.EQUALS, "true"))),
        ),
        (
            "metadata:ok!=false",
            Not(Or((MetadataIs("ok", False), MetadataMatch("ok", Match.EQUALS, "false")))),
        ),
        ('metadata:ok="true"', MetadataMatch("ok", Match.EQUALS, "true")),
        (
            "metadata:trained_at>2026-01-01",
            MetadataTimeCompare("trained_at", Compare.GT, _JAN_1),
        ),
        (
            "metadata:trained_at<=2026-01-01T01:00+01:00",
            MetadataTimeCompare("trained_at", Compare.LE, _JAN_1),
        ),
        (
            "metadata:stage in (a, 2, true)",
            Or(
                (
                    MetadataMatch("stage", Match.EQUALS, "a"),
                    MetadataCompare("stage", Compare.EQ, 2.0),
                    Or((MetadataIs("stage", True), MetadataMatch("stage", Match.EQUALS, "true"))),
                )
            ),
        ),
        (
            "metadata:stage notin (a, b)",
            Not(
                Or(
                    (
                        MetadataMatch("stage", Match.EQUALS, "a"),
                        MetadataMatch("stage", Match.EQUALS, "b"),
                    )
                )
            ),
        ),
        (
            "metadata:row_count>1000",
            Or(
                (
                    MetadataCompare("row_count", Compare.GT, 1000.0),
                    MetadataCompare("tagbase/row_count", Compare.GT, 1000.0),
                )
            ),
        ),
        ("metadata:uri", Or((MetadataHasKey("uri"), MetadataHasKey("tagbase/uri")))),
        ("asset:orders", AssetIs("orders")),
        ("run.tag:env=prod", MadeByRun(TagIs("env", "prod"))),
        ("run.tag:team in (ml, data)", MadeByRun(TagValueIn("team", ("ml", "data")))),
        ("RUN.TAG:deprecated", MadeByRun(HasKey("deprecated"))),
        ('status:"done"', StatusIn(("done",))),
        ("tag:k='=v'", TagIs("k", "=v")),
    ],
)
def test_a_new_filter_parses_to_its_tree(query: str, tree: object) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(
    ("query", "column", "says"),
    [
        ("tag:env==demo", 8, "write tag:env=demo"),
        ("metadata:k!==v", 11, "write metadata:k!=v"),
        ("status:bogus", 8, "queued, started, canceled, failed, success"),
        ("metadata:x>inf", 12, "finite"),
        ("metadata:x>" + "9" * 400, 12, "finite"),
        ("metadata:when>yesterday", 15, "ISO 8601"),
    ],
)
def test_a_likely_mistake_is_refused_with_its_fix(query: str, column: int, says: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse(query)
    assert raised.value.position == column - 1
    assert says in str(raised.value)


def test_and_and_or_lists_stay_flat_and_double_negations_vanish() -> None:
    a, b, c, d = HasKey("a"), HasKey("b"), HasKey("c"), HasKey("d")
    assert parse("(tag:a or (tag:b or tag:c)) or tag:d") == Or((a, b, c, d))
    assert parse("tag:a (tag:b and (tag:c tag:d))") == And((a, b, c, d))
    assert parse("not not not tag:a") == Not(a)


def test_precedence_is_not_then_and_then_or() -> None:
    a, b, c = HasKey("a"), HasKey("b"), HasKey("c")
    assert parse("tag:a or tag:b and tag:c") == Or((a, And((b, c))))
    assert parse("not tag:a and tag:b") == And((Not(a), b))
    assert parse("(tag:a or tag:b) tag:c") == And((Or((a, b)), c))
    assert parse("tag:a AND NOT tag:b") == And((a, Not(b)))


def test_the_design_example_parses() -> None:
    query = (
        "tag:env=prod and tag:team in (ml, data) and not tag:deprecated and owner:team:data "
        "and kind:python and metadata:row_count>1000 and name:orders*"
    )
    tree = parse(query)
    assert isinstance(tree, And)
    assert len(tree.operands) == 7


@pytest.mark.parametrize(
    ("query", "column"),
    [
        ("tag:env=prod and", 17),
        ("tag:k=a*b", 8),
        ("foo:bar", 1),
        ("(tag:a", 1),
        ("tag:a)", 6),
        ("metadata:x>abc", 12),
        ('tag:"abc', 5),
        ("tag:k in a", 9),
        ("tag:k in (a b)", 13),
        ("created>someday", 9),
        ("or tag:a", 1),
    ],
)
def test_a_malformed_query_names_its_column(query: str, column: int) -> None:
    with pytest.raises(QueryError) as raised:
        parse(query)
    assert raised.value.position == column - 1
    assert f"column {column}" in str(raised.value)
    assert raised.value.hint


def _error_position(query: str) -> int | None:
    """Where parsing failed, or None if it succeeded; any other exception fails the test."""
    try:
        parse(query)
    except QueryError as error:
        failed = error
    else:
        return None
    assert failed.hint
    return failed.position


@given(st.text(alphabet=st.sampled_from(list("tag:=!*()\"', inotrdmeysu<>0.-/ \\")), max_size=40))
def test_any_input_parses_or_raises_a_positioned_query_error(query: str) -> None:
    position = _error_position(query)
    assert position is None or 0 <= position <= len(query)


@given(st.text(max_size=60))
def test_arbitrary_unicode_never_crashes_the_parser(query: str) -> None:
    position = _error_position(query)
    assert position is None or 0 <= position <= len(query)
