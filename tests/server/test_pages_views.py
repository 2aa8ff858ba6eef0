"""The pieces pages are built from: links and query terms, chips, metadata views."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tagbase import (
    EntityRef,
    Kind,
    LocalFileCodeReference,
    MetadataValue,
    TagDefinition,
    UrlCodeReference,
)
from tagbase._records import AssignedTag
from tagbase._tag_settings import TagSettings
from tagbase.query import TagIs, parse
from tagbase.server._pages import _chips, _links, _metadata_view


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("env", "prod"),
        ("team", "data-eng.v2"),
        ("dataset", ""),
        ("a b", "x=y, z"),
        ('quo"te', "back\\slash"),
        ("k", "*wild*"),
        ("<script>", "and"),
    ],
)
def test_a_tag_term_parses_back_to_its_tag(key: str, value: str) -> None:
    assert parse(_links.tag_term(key, value)) == TagIs(key, value)


def test_refine_adds_a_term_once_and_groups_an_or() -> None:
    assert _links.refine("", "tag:a=") == "tag:a="
    assert _links.refine("tag:a=", "tag:b=1") == "tag:a= and tag:b=1"
    assert _links.refine("tag:a= and tag:b=1", "tag:b=1") == "tag:a= and tag:b=1"
    assert _links.refine("tag:a= or tag:c=", "tag:b=1") == "(tag:a= or tag:c=) and tag:b=1"


def test_names_are_percent_encoded_in_paths() -> None:
    assert _links.asset("a/b c") == "/assets/a%2Fb%20c"
    assert _links.tag("env=prod") == "/tags/env%3Dprod"
    assert _links.with_query("/runs", q="tag:x=1", cursor=None) == "/runs?q=tag%3Ax%3D1"


def definition(name: str, color: str | None, exclusive: bool = False) -> TagDefinition:
    key, _, value = name.partition("=")
    now = datetime.now(UTC)
    settings = TagSettings(exclusive, False, color, None, False)
    return TagDefinition(key, value, True, settings, {}, now, now)


def test_chips_take_the_registered_colour_and_set_system_tags_last() -> None:
    registry = _chips.Registry.of(
        [definition("pii=true", "red"), definition("champion", "#eab308", exclusive=True)]
    )
    now = datetime.now(UTC)
    held = [
        AssignedTag("tagbase/kind/python", "", "system", None, now),
        AssignedTag("pii", "true", "definition", "ada", now),
        AssignedTag("champion", "", "user", "ada", now),
    ]
    made = _chips.chips(held, registry)
    assert [c.name for c in made] == ["champion", "pii=true", "tagbase/kind/python"]
    champion, pii, kind = made
    assert (champion.color, champion.exclusive, champion.is_label) == ("#eab308", True, True)
    assert (pii.color, pii.source, pii.actor) == (_chips.PALETTE["red"], "definition", "ada")
    assert kind.is_system
    assert kind.color is None


def test_markdown_is_rendered_without_raw_html_or_script_links() -> None:
    html = str(_metadata_view.render_markdown("# T\n<b>x</b> [a](javascript:alert(1)) **ok**"))
    assert "<h4>T</h4>" in html
    assert "&lt;b&gt;" in html
    assert 'href="javascript' not in html
    assert "<strong>ok</strong>" in html


def test_only_web_urls_become_links() -> None:
    assert _metadata_view.web_link("https://x.io/a").href == "https://x.io/a"
    assert _metadata_view.web_link("javascript:alert(1)").href is None
    assert _metadata_view.web_link("s3://bucket/key").href is None


def test_values_are_shown_by_type() -> None:
    show = _metadata_view.show
    assert show("n", MetadataValue.int(1234567)).data == "1,234,567"
    assert show("f", MetadataValue.float(0.25)).style == "number"
    assert show("j", MetadataValue.json({"b": 1, "a": [1]})).data.startswith('{\n  "a"')
    assert show("b", MetadataValue.bool(False)).data == "false"
    assert show("p", MetadataValue.path("/tmp/x")).style == "code"
    assert show("a", MetadataValue.asset("orders")).data[0].href == "/assets/orders"
    assert show("s", MetadataValue.storage_size(1536)).data == "1.5 KiB"
    refs = MetadataValue.code_references(
        [LocalFileCodeReference("/src/a.py", 12), UrlCodeReference("https://git.io/a.py#L3")]
    )
    local, remote = show("c", refs).data
    assert (local.text, local.href) == ("/src/a.py:12", "file:///src/a.py")
    assert remote.href == "https://git.io/a.py#L3"


def test_version_rows_show_user_keys_and_row_counts() -> None:
    metadata = {
        "accuracy": MetadataValue.float(0.9),
        "tagbase/row_count": MetadataValue.int(10),
        "tagbase/uri": MetadataValue.uri("file:///x"),
    }
    assert _metadata_view.brief(metadata) == [("accuracy", "0.9"), ("tagbase/row_count", "10")]


def test_entity_links_follow_their_kind() -> None:
    assert _links.entity(EntityRef("1", Kind.RUN, "r")) == "/runs/1"
    assert _links.entity(EntityRef("2", Kind.MODEL, "m")) == "/models/m"
    assert _links.entity(EntityRef("3", Kind.RUN_TEMPLATE, "t", "j")) == (
        "/launchpad?job=j&template=t"
    )


def test_facets_count_within_a_query_unless_it_matches_too_many() -> None:
    from tagbase.server._pages import _facets

    assert _facets.counted_within("tag:a=", 10) == "tag:a="
    assert _facets.counted_within("tag:a=", _facets.SCOPED_LIMIT + 1) == ""
    assert _facets.counted_within("", 5) == ""
