"""The documented limits (`tagbase._limits`), on SQLite and PostgreSQL: every value over a
limit, or text breaking the text rule, is refused with a typed error before anything is
written, and everything below the limits is stored and reads back equal."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagbase import (
    Client,
    InvalidInputError,
    Kind,
    LimitExceededError,
    MetadataValidationError,
    MetadataValue,
    TagValidationError,
)
from tagbase._limits import (
    MAX_DESCRIPTION_CHARS,
    MAX_INTEGER,
    MAX_METADATA_DEPTH,
    MAX_METADATA_VALUE_BYTES,
    MAX_PAGE_NUMBER,
    MIN_INTEGER,
    RUN_STATUSES,
)
from tagbase.metadata import encode_metadata_value


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


# -- metadata: depth and size ----------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_METADATA_DEPTH + 1, 256, 490, 5000])
def test_deep_metadata_is_refused_and_nothing_is_stored(client: Client, depth: int) -> None:
    client.create_model("kept", metadata={"ok": 1})
    with pytest.raises(MetadataValidationError, match=f"more than {MAX_METADATA_DEPTH} levels"):
        client.create_model("deep", metadata={"x": nested(depth)})
    with pytest.raises(MetadataValidationError, match="levels deep"):
        client.log_metadata(Kind.MODEL, "kept", {"x": {"a": nested(depth)}})
    assert [model.name for model in client.list(Kind.MODEL)] == ["kept"]  # lists still read
    assert client.get(Kind.MODEL, "kept").metadata == {"ok": MetadataValue.int(1)}
    assert client.create_model("deep", metadata={"x": 1}).name == "deep"  # not taken


def test_metadata_at_the_depth_limit_reads_back_equal(client: Client) -> None:
    value = {"a": nested(MAX_METADATA_DEPTH - 1)}
    made = client.create_model("deep", metadata={"x": value})
    assert made.metadata["x"].value == value
    assert client.get(Kind.MODEL, "deep").metadata["x"].value == value
    assert client.list(Kind.MODEL).items[0].metadata["x"].value == value


def test_a_value_over_the_size_limit_is_refused(client: Client) -> None:
    fits = "x" * (MAX_METADATA_VALUE_BYTES - 2)  # the stored JSON adds two quotes
    made = client.create_model("big", metadata={"text": fits, "json": [fits[:-3]]})
    assert client.get(Kind.MODEL, made.id).metadata["text"].value == fits
    with pytest.raises(MetadataValidationError, match=r"1,048,577 bytes.*1 MiB"):
        client.log_metadata(Kind.MODEL, "big", {"text": fits + "x"})
    with pytest.raises(MetadataValidationError, match="1 MiB"):
        client.create_model("bigger", metadata={"json": {"rows": ["y" * 1000] * 1100}})
    assert client.count(Kind.MODEL) == 1
    assert client.get(Kind.MODEL, "big").metadata["text"].value == fits


# -- metadata: integers and non-finite floats ------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [2**63, -(2**63) - 1, 2**1100, 10**5000, {"nested": [2**64]}, MetadataValue.json([2**70])],
    ids=["2**63", "-2**63-1", "2**1100", "10**5000", "nested", "json"],
)
def test_integers_beyond_64_bits_are_refused(client: Client, value: object) -> None:
    with pytest.raises(MetadataValidationError, match=r"64-bit signed.*float\(x\)"):
        client.create_model("m", metadata={"n": value})
    assert client.count(Kind.MODEL) == 0


def test_64_bit_integers_read_back_exactly(client: Client) -> None:
    values = {"max": MAX_INTEGER, "min": MIN_INTEGER, "json": {"ids": [MAX_INTEGER, MIN_INTEGER]}}
    made = client.create_model("m", metadata=values)
    read = client.get(Kind.MODEL, made.id).metadata
    assert {key: value.value for key, value in read.items()} == values
    assert [m.name for m in client.list(Kind.MODEL, query=f"metadata:max>{2**62}")] == ["m"]


def test_nan_and_infinities_are_floats_that_read_back_equal(client: Client) -> None:
    made = client.create_model("m", metadata={"nan": math.nan, "inf": math.inf, "ninf": -math.inf})
    read = client.get(Kind.MODEL, made.id).metadata
    assert math.isnan(read["nan"].value)
    assert (read["inf"].value, read["ninf"].value) == (math.inf, -math.inf)
    assert read == made.metadata
    assert client.list(Kind.MODEL, query="metadata:inf>1").items == []  # no number to compare
    with pytest.raises(MetadataValidationError, match="not valid JSON"):
        client.create_model("j", metadata={"json": [math.nan]})


# -- the text rule ---------------------------------------------------------------------------

BAD_TEXT = ["a\x00b", "a\ud800b"]


@pytest.mark.parametrize("text", BAD_TEXT)
def test_nul_and_lone_surrogates_are_refused_wherever_text_is_stored(
    client: Client, text: str
) -> None:
    writes = [
        lambda: client.create_model(text),
        lambda: client.create_model("m", description=text),
        lambda: client.create_model("m", tags={"k": text}),
        lambda: client.create_model("m", tags={text: "v"}),
        lambda: client.create_model("m", metadata={text: 1}),
        lambda: client.create_model("m", metadata={"k": text}),
        lambda: client.create_model("m", metadata={"k": {"in": [text]}}),
        lambda: client.create_model("m", metadata={"k": {text: 1}}),
        lambda: client.create_tag("reviewed", description=text),
    ]
    for write in writes:
        with pytest.raises(InvalidInputError):
            write()
    assert client.count(Kind.MODEL) == 0
    assert client.list_tags() == []


@pytest.mark.parametrize("text", ["a\x1bb", "new\nline", "bell\x07", "c1\x85"])
def test_names_and_keys_hold_no_control_characters(client: Client, text: str) -> None:
    with pytest.raises(InvalidInputError, match="control character"):
        client.create_model(text)
    with pytest.raises(TagValidationError, match="control character"):
        client.create_model("m", tags={text: "v"})
    with pytest.raises(MetadataValidationError, match="control character"):
        client.create_model("m", metadata={text: 1})
    assert client.count(Kind.MODEL) == 0


def test_free_text_keeps_tabs_and_newlines(client: Client) -> None:
    text = "line one\n\tline two\r\n"
    made = client.create_model("m", description=text, tags={"note": text}, metadata={"t": text})
    read = client.get(Kind.MODEL, made.id)
    assert (read.description, read.tag_dict["note"], read.metadata["t"].value) == (text,) * 3


@pytest.mark.parametrize("text", BAD_TEXT)
def test_lookups_with_nul_or_surrogates_are_one_typed_error(client: Client, text: str) -> None:
    client.create_model("m", tags={"env": "prod"})
    client.create_model_version("m", "v1")
    lookups = [
        lambda: client.get(Kind.MODEL, text),
        lambda: client.get(Kind.MODEL_VERSION, "v1", text),
        lambda: client.list(Kind.MODEL, name=text),
        lambda: client.list(Kind.MODEL, tags=[f"equals:env={text}"]),
        lambda: client.list(Kind.MODEL_VERSION, scope=text),
        lambda: client.facets(Kind.MODEL, text),
        lambda: client.get_tag(text),
        lambda: client.metadata_history(Kind.MODEL, "m", key=text),
    ]
    for lookup in lookups:
        with pytest.raises(InvalidInputError, match=r"NUL|surrogate"):
            lookup()


# -- descriptions, run status, pages ---------------------------------------------------------


def test_descriptions_have_a_length_limit(client: Client) -> None:
    longest = "d" * MAX_DESCRIPTION_CHARS
    assert client.create_model("m", description=longest).description == longest
    with pytest.raises(LimitExceededError, match=r"65,537 characters.*at most 65,536"):
        client.update(Kind.MODEL, "m", description=longest + "d")
    assert client.create_tag("reviewed", description=longest).description == longest
    with pytest.raises(TagValidationError, match="at most 65,536"):
        client.create_tag("flagged", description=longest + "d")
    assert client.get(Kind.MODEL, "m").description == longest
    assert [t.name for t in client.list_tags()] == ["reviewed"]


def test_a_run_status_is_one_of_its_set(client: Client) -> None:
    client.create_pipeline("daily")
    for status in ("running", "done", "SUCCESS", ""):
        with pytest.raises(InvalidInputError, match="queued, started, success, failed, canceled"):
            client.create_run("daily", status=status)
    assert client.count(Kind.RUN) == 0
    run = client.create_run("daily")
    for status in RUN_STATUSES:
        assert client.update_run(run.id, status=status).status == status
    with pytest.raises(InvalidInputError, match="is not a run status"):
        client.update_run(run.id, status="paused")
    assert client.get(Kind.RUN, run.id).status == "canceled"
    assert client.create(Kind.MODEL, "m", status="staging").status == "staging"  # others: free


@pytest.mark.parametrize("page", [MAX_PAGE_NUMBER + 1, 2**62, 2**63, 2**70])
def test_a_page_past_the_limit_is_refused(client: Client, page: int) -> None:
    client.create_model("m")
    with pytest.raises(LimitExceededError, match=r"1,000,000 pages.*next_cursor"):
        client.list(Kind.MODEL, page=page)
    assert client.list(Kind.MODEL, page=MAX_PAGE_NUMBER).items == []


# -- property: any metadata value is refused up front or reads back equal ----------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**62).map(lambda n: n * 4)  # beyond 64 bits, of either sign
    | st.integers(max_value=-(2**62)).map(lambda n: n * 4)
    | st.floats()
    | st.text()  # NUL, control characters, lone surrogates and all
)
VALUES = (
    st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
        max_leaves=8,
    )
    | st.integers(MAX_METADATA_DEPTH - 2, MAX_METADATA_DEPTH + 40).map(nested)
    | st.sampled_from([-2, 2, 10]).map(lambda d: "x" * (MAX_METADATA_VALUE_BYTES + d))
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=VALUES, key=st.text(min_size=1, max_size=8))
def test_any_metadata_value_is_refused_up_front_or_reads_back_equal(
    client: Client, value: object, key: str
) -> None:
    name = f"m{client.count(Kind.MODEL)}"
    try:
        made = client.create_model(name, metadata={key: value})
    except MetadataValidationError:
        assert client.store.find(Kind.MODEL, name) is None  # nothing was written
        return
    read = client.get(Kind.MODEL, made.id).metadata[key]
    assert read == made.metadata[key]
    assert encode_metadata_value(read) == encode_metadata_value(made.metadata[key])
    if not (isinstance(value, float) and math.isnan(value)):
        assert read.value == value
    assert client.list(Kind.MODEL, size=1).items[0].metadata[key] == read  # lists still read
