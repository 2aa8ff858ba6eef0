"""Asset selections: the query language over definitions, plus lineage operators."""

from __future__ import annotations

import pytest

from tagbase import InvalidInputError, QueryError, UnknownDefinitionError, asset
from tagbase.definitions._selection import AssetGraph, selected_names


@asset(tags={"domain": "marketing"}, owners=["team:growth"], kinds={"python"})
def raw() -> int:
    return 1


@asset(group_name="marketing", metadata={"rows": 10})
def clean(raw: int) -> int:
    return raw


@asset(kinds={"sql"})
def report(clean: int) -> int:
    return clean


@asset(deps=[report])
def email() -> None: ...


@asset
def lonely() -> int:
    return 0


GRAPH = AssetGraph([raw, clean, report, email, lonely])


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("*", {"raw", "clean", "report", "email", "lonely"}),
        ("clean", {"clean"}),
        ("+clean", {"raw", "clean"}),
        ("clean+", {"clean", "report"}),
        ("+clean+", {"raw", "clean", "report"}),
        ("2+report", {"raw", "clean", "report"}),
        ("++report", {"raw", "clean", "report"}),
        ("*report", {"raw", "clean", "report"}),
        ("raw*", {"raw", "clean", "report", "email"}),
        ("raw+2", {"raw", "clean", "report"}),
        ("tag:domain=marketing", {"raw"}),
        ("kind:python or kind:sql", {"raw", "report"}),
        ("group:marketing", {"clean"}),
        ("owner:team:growth", {"raw"}),
        ("metadata:rows>5", {"clean"}),
        ("name:r*", {"raw", "report"}),
        ("*report and not kind:python", {"clean", "report"}),
        ("(raw+ or lonely) and not clean", {"raw", "lonely"}),
    ],
)
def test_selection(selection: str, expected: set[str]) -> None:
    assert selected_names(selection, GRAPH) == expected


def test_lists_and_definitions_select_too() -> None:
    assert selected_names(["raw", "report"], GRAPH) == {"raw", "report"}
    assert selected_names(clean, GRAPH) == {"clean"}
    assert selected_names(None, GRAPH) == set(GRAPH.specs)


def test_an_unknown_asset_is_named_with_a_suggestion() -> None:
    with pytest.raises(UnknownDefinitionError) as raised:
        selected_names("+repot", GRAPH)
    assert "'repot'" in str(raised.value)
    assert "did you mean report" in str(raised.value)


def test_a_malformed_selection_points_at_its_column() -> None:
    with pytest.raises(QueryError) as raised:
        selected_names("raw and (clean", GRAPH)
    assert raised.value.position == 8


@pytest.mark.parametrize("selection", ["asset:raw", "run.tag:env=prod", "report or asset:raw"])
def test_a_term_about_runs_or_versions_is_refused_in_a_selection(selection: str) -> None:
    with pytest.raises(InvalidInputError, match="Fix:"):
        selected_names(selection, GRAPH)
