"""The stored form: encoding, decoding, the number and text columns."""

from __future__ import annotations

import math
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagbase._errors import MetadataValidationError
from tagbase.metadata import (
    AssetKey,
    AssetMetadataValue,
    JobMetadataValue,
    JsonMetadataValue,
    MetadataValue,
    TableColumnLineage,
    TableMetadataValue,
    UrlMetadataValue,
    decode_metadata_value,
    encode_metadata_value,
    normalize_metadata,
)
from tests.metadata.cases import CONSTRUCTED, NOON_UTC, TABLE, case_id


@pytest.mark.parametrize("case", CONSTRUCTED, ids=case_id)
def test_encode_decode_round_trip(case: tuple[MetadataValue, str, object]) -> None:
    value = case[0]
    encoded = encode_metadata_value(value)
    assert encoded.type_name == value.type_name
    decoded = decode_metadata_value(encoded.type_name, encoded.payload)
    assert decoded == value
    assert type(decoded) is type(value)
    assert encode_metadata_value(decoded) == encoded


@pytest.mark.parametrize("case", CONSTRUCTED, ids=case_id)
def test_values_pickle(case: tuple[MetadataValue, str, object]) -> None:
    assert pickle.loads(pickle.dumps(case[0])) == case[0]


def test_payload_is_compact_sorted_json() -> None:
    encoded = encode_metadata_value(MetadataValue.json({"b": 1, "a": "é"}))
    assert encoded.payload == '{"a":"é","b":1}'


def test_round_trip_keeps_column_order_of_records_and_lineage() -> None:
    decoded = decode_metadata_value("table", encode_metadata_value(TABLE).payload)
    assert isinstance(decoded, TableMetadataValue)
    assert list(decoded.records[1].data) == ["age", "name"]
    lineage = MetadataValue.column_lineage(TableColumnLineage({"z": [], "a": []}))
    decoded_lineage = decode_metadata_value(
        "column_lineage", encode_metadata_value(lineage).payload
    )
    assert list(decoded_lineage.value.deps_by_column) == ["z", "a"]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (MetadataValue.int(3), 3.0),
        (MetadataValue.float(2.5), 2.5),
        (MetadataValue.float(math.nan), None),
        (MetadataValue.float(math.inf), None),
        (MetadataValue.bool(True), None),
        (MetadataValue.timestamp(NOON_UTC), NOON_UTC.timestamp()),
        (MetadataValue.storage_size(2048), 2048.0),
        (MetadataValue.int(10**400), None),
        (MetadataValue.text("3"), None),
    ],
)
def test_number_column(value: MetadataValue, number: float | None) -> None:
    assert encode_metadata_value(value).number == number


def test_text_column_is_set_for_text_like_values_and_truncated() -> None:
    for build in ("text", "url", "path", "md", "uri", "dtype", "notebook"):
        value = getattr(MetadataValue, build)("x" * 2000)
        assert encode_metadata_value(value).text == "x" * 1024
    assert encode_metadata_value(MetadataValue.int(3)).text is None
    assert encode_metadata_value(MetadataValue.json("x")).text is None


def test_non_finite_float_payloads_are_json_strings() -> None:
    assert encode_metadata_value(MetadataValue.float(math.nan)).payload == '"NaN"'
    assert encode_metadata_value(MetadataValue.float(-math.inf)).payload == '"-Infinity"'
    decoded = decode_metadata_value("float", '"NaN"')
    assert math.isnan(decoded.value)


def test_decode_rejects_unknown_types_and_damaged_payloads() -> None:
    with pytest.raises(MetadataValidationError, match="'sparkline'"):
        decode_metadata_value("sparkline", "[]")
    with pytest.raises(MetadataValidationError, match="does not match"):
        decode_metadata_value("table_schema", '{"columns": 3}')
    with pytest.raises(MetadataValidationError, match="must be an int"):
        decode_metadata_value("int", '"3"')


JSON_DATA = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


@given(JSON_DATA)
def test_any_json_data_round_trips(data: object) -> None:
    value = MetadataValue.json(data)
    decoded = decode_metadata_value("json", encode_metadata_value(value).payload)
    assert decoded == value
    assert decoded.value == data


# Storable text: no NUL, no lone surrogates (those are refused, see the test below).
STORABLE_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


INT64 = st.integers(-(2**63), 2**63 - 1)  # wider integers are refused (test_limits.py)


@given(INT64 | st.floats() | STORABLE_TEXT | st.booleans())
def test_plain_scalars_survive_normalize_encode_decode(plain: object) -> None:
    normalized = normalize_metadata({"k": plain})["k"]
    encoded = encode_metadata_value(normalized)
    decoded = decode_metadata_value(encoded.type_name, encoded.payload)
    assert decoded == normalized
    assert type(decoded.value) is type(plain)
    if isinstance(plain, float) and math.isnan(plain):
        assert math.isnan(decoded.value)
    else:
        assert decoded.value == plain


def test_asset_and_job_payloads_round_trip() -> None:
    asset = decode_metadata_value("asset", '["a","b"]')
    assert asset == AssetMetadataValue(AssetKey(["a", "b"]))
    job = decode_metadata_value("job", '{"job_name":"j","location_name":null}')
    assert job == JobMetadataValue("j")
    assert decode_metadata_value("json", "[1]") == JsonMetadataValue([1])
    assert decode_metadata_value("url", '"u"') == UrlMetadataValue("u")
