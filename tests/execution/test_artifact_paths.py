"""Names become path components that cannot leave the artifact store, and stay distinct."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagbase import ArtifactIntegrityError
from tagbase.execution._artifact_paths import (
    MAX_COMPONENT,
    checked_location,
    encode_component,
    location_of,
)

_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-%~")
_names = st.text(st.characters(codec="utf-8") | st.sampled_from("./\\\x00~%:"), max_size=300)


@given(name=_names)
def test_a_component_is_one_safe_file_name(name: str) -> None:
    component = encode_component(name)
    assert set(component) <= _ALPHABET  # no `/`, `\`, NUL, `:` or space
    assert not component.startswith(".")  # so never `.` or `..`, nor a hidden file
    assert 0 < len(component) <= MAX_COMPONENT


@given(name=_names)
def test_a_short_name_is_encoded_reversibly(name: str) -> None:
    component = encode_component(name)
    if "~" not in component and component != "%":
        assert unquote(component, errors="strict") == name


@given(first=_names, second=_names)
def test_two_names_never_share_a_component(first: str, second: str) -> None:
    if first != second:
        assert encode_component(first) != encode_component(second)


def test_long_names_keep_a_prefix_and_differ_by_their_digest() -> None:
    a, b = "n" * 1000, "n" * 999 + "m"
    assert encode_component(a).startswith("nnnn")
    assert "~" in encode_component(a)
    assert encode_component(a) != encode_component(b)
    escaped = encode_component("é" * 400)  # %C3%A9 escapes are not cut in half
    assert unquote(escaped.split("~")[0]) == "é" * (len(escaped.split("~")[0]) // 6)


def test_lone_surrogates_and_empty_names_are_encoded() -> None:
    assert encode_component("\ud800") == "%ED%A0%80"
    assert encode_component("") == "%"


@given(names=st.lists(_names, min_size=1, max_size=5))
def test_every_location_tagbase_writes_passes_the_check_on_reading(names: list[str]) -> None:
    location = location_of(names, ".json")
    assert checked_location(location, "v") == location


@pytest.mark.parametrize(
    "location",
    ["..", "a/../b", "/abs", "a\\b", "a\x00b", "", "a/", "/", "s3://bucket/x", "a/.b", "a b"],
)
def test_other_locations_are_refused(location: str) -> None:
    with pytest.raises(ArtifactIntegrityError, match="version v1"):
        checked_location(location, "version v1")
