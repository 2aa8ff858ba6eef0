"""Tags without a database: input forms, string forms, validation rules and policies."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagbase import Kind, Tag, TagPolicy, TagValidationError
from tagbase._tags import normalize_tags, split_tag_string, tag_string

STRICT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"


def pairs(tags: tuple[Tag, ...]) -> list[tuple[str, str]]:
    return [(tag.key, tag.value) for tag in tags]


def problems_of(tags: object, **options: object) -> list[str]:
    """The problems normalize_tags reports, as text; fails if it accepts the tags."""
    with pytest.raises(TagValidationError) as caught:
        normalize_tags(tags, **options)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


def accepted(tags: object, **options: object) -> list[tuple[str, str]]:
    return pairs(normalize_tags(tags, **options))  # type: ignore[arg-type]


# -- string forms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("production", "production", ""),
        ("env=prod", "env", "prod"),
        ("query=a=b", "query", "a=b"),
        ("formula==x", "formula", "=x"),
        ("team/owner=data-eng", "team/owner", "data-eng"),
    ],
)
def test_string_form_is_read_at_the_first_equals_sign(text: str, key: str, value: str) -> None:
    tag = Tag(text)
    assert (tag.key, tag.value) == (key, value)
    assert tag.name == text
    assert str(tag) == text
    assert Tag(tag.name) == tag


def test_a_label_is_a_tag_with_an_empty_value() -> None:
    assert Tag("production") == Tag("production", "")
    assert Tag("production").is_label
    assert not Tag("env", "prod").is_label
    assert tag_string("env", "") == "env"
    assert split_tag_string("env") == ("env", "")


def test_key_and_value_given_apart_are_not_split() -> None:
    tag = Tag("expr", "a=b")
    assert (tag.key, tag.value, tag.name) == ("expr", "a=b", "expr=a=b")


def test_behaviours_do_not_change_identity() -> None:
    assert Tag("latest", exclusive=True) == Tag("latest")
    assert Tag("latest", exclusive=True).has_behaviours
    assert not Tag("latest").has_behaviours


# -- input forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tags",
    [
        {"domain": "marketing", "pii": "true", "production": ""},
        ["domain=marketing", "pii=true", "production"],
        [Tag("domain", "marketing"), Tag("pii=true"), Tag("production")],
        ["domain=marketing", Tag("pii", "true"), "production"],
    ],
    ids=["dict", "strings", "tag-objects", "mix"],
)
def test_every_input_form_gives_the_same_tags(tags: object) -> None:
    assert sorted(accepted(tags)) == [("domain", "marketing"), ("pii", "true"), ("production", "")]


def test_plain_strings_are_labels() -> None:
    assert accepted(["production", "dataset"]) == [("production", ""), ("dataset", "")]


@pytest.mark.parametrize("tags", [None, [], {}, ()])
def test_no_tags(tags: object) -> None:
    assert accepted(tags) == []


def test_a_single_string_or_tag_is_one_tag() -> None:
    assert accepted("env=prod") == [("env", "prod")]
    assert accepted(Tag("latest")) == [("latest", "")]


def test_duplicates_merge_and_keep_behaviours() -> None:
    tags = normalize_tags(["latest", Tag("latest", exclusive=True), "latest"])
    assert len(tags) == 1
    assert tags[0].exclusive is True


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (10, "10"),
        (2.5, "2.5"),
        (True, "true"),
        (["a", "b"], '["a","b"]'),
        ({"b": 1, "a": [1, 2]}, '{"a":[1,2],"b":1}'),
    ],
)
def test_dict_values_may_be_json(value: object, text: str) -> None:
    assert accepted({"config": value}, kind=Kind.RUN) == [("config", text)]


def test_json_system_tag_value() -> None:
    assert accepted({"tagbase/max_runtime": 10}, kind=Kind.RUN) == [("tagbase/max_runtime", "10")]


@pytest.mark.parametrize("value", [object(), {1, 2}, b"bytes", float("nan")])
def test_values_that_are_not_json_are_rejected(value: object) -> None:
    [problem] = problems_of({"config": value}, kind=Kind.RUN)
    assert "'config'" in problem
    assert "JSON" in problem


@pytest.mark.parametrize("item", [42, None, ("env", "prod")])
def test_a_list_holds_only_strings_and_tags(item: object) -> None:
    [problem] = problems_of(["ok", item])
    assert repr(item) in problem
    assert "Fix:" in problem


# -- strict rules (asset key=value tags) -------------------------------------------------------

SEGMENT_63 = "s" * 63


@pytest.mark.parametrize(
    "tags",
    [
        {"domain": "marketing"},
        {"dagster-io/team.name_2": "data-eng.v1_2"},
        {SEGMENT_63: "v"},
        {f"{SEGMENT_63}/{SEGMENT_63}": "v" * 63},
        {"empty-value-is-a-label": ""},
        {"a": "-._"},
    ],
)
def test_strict_rule_accepts(tags: dict[str, str]) -> None:
    assert accepted(tags, kind=Kind.ASSET) == list(tags.items())


@pytest.mark.parametrize(
    ("key", "value", "broken"),
    [
        ("s" * 64, "v", "key"),
        (f"{'p' * 64}/name", "v", "key"),
        ("a/b/c", "v", "key"),
        ("/name", "v", "key"),
        ("prefix/", "v", "key"),
        ("has space", "v", "key"),
        ("colon:key", "v", "key"),
        ("ключ", "v", "key"),
        ("k", "v" * 64, "value"),
        ("k", "two words", "value"),
        ("k", "a/b", "value"),
        ("k", '{"a":1}', "value"),
        ("k", "é", "value"),
    ],
)
def test_strict_rule_rejects(key: str, value: str, broken: str) -> None:
    [problem] = problems_of({key: value}, kind=Kind.ASSET)
    assert f"{broken} " in problem
    assert "strict" in problem
    assert "Fix:" in problem


def test_strict_rule_rejects_json_objects_on_assets() -> None:
    problems_of({"config": {"a": 1}}, kind=Kind.ASSET)


def test_asset_labels_follow_the_lenient_rule_by_default() -> None:
    assert accepted(["needs review"], kind=Kind.ASSET) == [("needs review", "")]


# -- lenient rules (runs, labels, launch-time tags) --------------------------------------------


@pytest.mark.parametrize(
    "tags",
    [
        {"k" * 255: "v"},
        {"a/b/c d": "x"},
        {"note": "any text: with spaces, / and ünïcödé"},
        {"blob": "x" * 8192},
        {"blob": "é" * 4096},  # 8192 bytes in UTF-8
        {"multi-line": "line 1\nline 2"},
    ],
)
def test_lenient_rule_accepts(tags: dict[str, str]) -> None:
    assert accepted(tags, kind=Kind.RUN) == list(tags.items())


def test_lenient_rule_stores_json_objects_as_json_text() -> None:
    [(key, value)] = accepted({"config": {"lr": 0.1, "layers": [64, 32]}}, kind=Kind.RUN)
    assert key == "config"
    assert json.loads(value) == {"lr": 0.1, "layers": [64, 32]}


@pytest.mark.parametrize(
    ("tags", "rule"),
    [
        ({"k" * 256: "v"}, "256 characters"),
        ({"": "v"}, "key is empty"),
        ({"bad\tkey": "v"}, "control character"),
        ({"bad\x00key": "v"}, "control character"),
        ({" padded": "v"}, "whitespace"),
        ({"blob": "x" * 8193}, "8192 bytes"),
        ({"blob": "é" * 4097}, "8192 bytes"),
        ({"nul": "a\x00b"}, "NUL"),
    ],
)
def test_lenient_rule_rejects(tags: dict[str, str], rule: str) -> None:
    [problem] = problems_of(tags, kind=Kind.RUN)
    assert rule in problem
    assert "Fix:" in problem


def test_a_key_holding_an_equals_sign_is_rejected_because_it_cannot_round_trip() -> None:
    [problem] = problems_of({"a=b": "c"}, kind=Kind.RUN)
    assert "'='" in problem


# -- the reserved tagbase/ prefix --------------------------------------------------------------


@pytest.mark.parametrize(
    "tags",
    [
        {"tagbase/priority": "5"},
        {"tagbase/priority": "-3"},
        {"tagbase/max_runtime": "3600"},
        {"tagbase/max_retries": "0"},
        {"tagbase/partition": "2024-01-01"},
        {"tagbase/op_selection": '["a*","b"]'},
        {"tagbase/kind/python": ""},
        {"tagbase/kind/snowflake": ""},
    ],
)
@pytest.mark.parametrize("kind", [Kind.RUN, Kind.ASSET, None])
def test_known_system_tags_are_accepted(tags: dict[str, str], kind: Kind | None) -> None:
    assert accepted(tags, kind=kind) == list(tags.items())


def test_kind_tag_given_as_a_plain_string_label() -> None:
    assert accepted(["tagbase/kind/python"], kind=Kind.ASSET) == [("tagbase/kind/python", "")]


@pytest.mark.parametrize(
    ("tags", "rule"),
    [
        ({"tagbase/priority": "high"}, "not an integer"),
        ({"tagbase/priority": ""}, "not an integer"),
        ({"tagbase/priority": "1.5"}, "not an integer"),
        ({"tagbase/max_retries": "-1"}, "not an integer >= 0"),
        ({"tagbase/max_runtime": "soon"}, "positive number"),
        ({"tagbase/max_runtime": "0"}, "positive number"),
        ({"tagbase/retry_strategy": "sometimes"}, "not one of"),
        ({"tagbase/unknown": "x"}, "reserved"),
        ({"tagbase/kind/python": "yes"}, "a kind tag is a label"),
        ({"tagbase/kind/": ""}, "strict key rule"),
        ({"tagbase/kind/a b": ""}, "strict key rule"),
    ],
)
@pytest.mark.parametrize("policy", list(TagPolicy))
def test_system_tags_with_bad_keys_or_values_are_rejected(
    tags: dict[str, str], rule: str, policy: TagPolicy
) -> None:
    [problem] = problems_of(tags, kind=Kind.RUN, policy=policy)
    assert repr(next(iter(tags))) in problem or next(iter(tags)) in problem
    assert rule in problem


def test_unknown_reserved_key_suggests_an_own_prefix() -> None:
    [problem] = problems_of(["tagbase/owner=me"], kind=Kind.RUN)
    assert "myteam/owner" in problem


# -- one error for every problem ---------------------------------------------------------------


def test_one_error_lists_every_problem_with_key_rule_and_fix() -> None:
    bad = {
        "ok": "fine",
        "has space": "x",
        "k": "v" * 64,
        "tagbase/priority": "high",
        "tagbase/nope": "1",
    }
    with pytest.raises(TagValidationError) as caught:
        normalize_tags(bad, kind=Kind.ASSET)
    error = caught.value
    assert len(error.problems) == 4
    subjects = " ".join(problem.subject for problem in error.problems)
    for key in ("has space", "k=", "tagbase/priority", "tagbase/nope"):
        assert key in subjects
    assert all(problem.rule and problem.fix for problem in error.problems)
    message = str(error)
    assert message.startswith("4 invalid tags:")
    assert message.count("Fix:") == 4
    assert "ok=fine" not in message


def test_the_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="invalid tag"):
        normalize_tags({"": ""})


def test_bad_colour_is_reported() -> None:
    [problem] = problems_of([Tag("latest", color="blurple")])
    assert "blurple" in problem


# -- policies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "kind", "strict"),
    [
        (TagPolicy.DEFAULT, Kind.ASSET, True),
        (TagPolicy.DEFAULT, Kind.RUN, False),
        (TagPolicy.DEFAULT, Kind.MODEL, False),
        (TagPolicy.DEFAULT, None, False),
        (TagPolicy.STRICT, Kind.ASSET, True),
        (TagPolicy.STRICT, Kind.RUN, True),
        (TagPolicy.STRICT, None, True),
        (TagPolicy.LENIENT, Kind.ASSET, False),
        (TagPolicy.LENIENT, Kind.RUN, False),
    ],
)
def test_policy_decides_where_the_strict_rule_applies(
    policy: TagPolicy, kind: Kind | None, strict: bool
) -> None:
    tags = {"note": "two words"}
    if strict:
        problems_of(tags, kind=kind, policy=policy)
    else:
        assert accepted(tags, kind=kind, policy=policy) == [("note", "two words")]


def test_strict_policy_applies_to_labels_too() -> None:
    problems_of(["needs review"], kind=Kind.RUN, policy=TagPolicy.STRICT)


def test_lenient_policy_keeps_system_tags_strict() -> None:
    problems_of({"tagbase/priority": "high"}, kind=Kind.ASSET, policy=TagPolicy.LENIENT)


# -- properties --------------------------------------------------------------------------------

segments = st.text(alphabet=STRICT_CHARS, min_size=1, max_size=63)
strict_keys = st.one_of(segments, st.builds(lambda p, n: f"{p}/{n}", segments, segments))
strict_values = st.text(alphabet=STRICT_CHARS, max_size=63)


@given(key=strict_keys, value=strict_values)
def test_strictly_valid_tags_round_trip_through_their_string_form(key: str, value: str) -> None:
    if key.startswith("tagbase/"):
        return  # reserved keys have their own value rules
    [tag] = normalize_tags([tag_string(key, value)], kind=Kind.ASSET, policy=TagPolicy.STRICT)
    assert (tag.key, tag.value) == (key, value)
    assert normalize_tags([tag.name], kind=Kind.ASSET, policy=TagPolicy.STRICT) == (tag,)
    assert normalize_tags({key: value}, kind=Kind.ASSET, policy=TagPolicy.STRICT) == (tag,)


any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3)
    ),
    max_leaves=8,
)
inputs = st.one_of(
    st.lists(any_text, max_size=5),
    st.dictionaries(any_text, json_values | any_text, max_size=5),
    any_text,
)


@given(tags=inputs, kind=st.sampled_from([None, *Kind]), policy=st.sampled_from(TagPolicy))
def test_random_input_is_accepted_or_rejected_but_never_crashes(
    tags: object, kind: Kind | None, policy: TagPolicy
) -> None:
    result: tuple[Tag, ...] = ()
    with contextlib.suppress(TagValidationError):
        result = normalize_tags(tags, kind=kind, policy=policy)  # type: ignore[arg-type]
    for tag in result:
        assert Tag(tag.name) == tag  # whatever is accepted round-trips
        tag.name.encode()  # and is storable text
