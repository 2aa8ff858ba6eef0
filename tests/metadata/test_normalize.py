"""Normalisation of plain values, and the standard keys."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import PurePosixPath

import numpy as np
import pytest

from tagbase._errors import MetadataValidationError
from tagbase.metadata import (
    AssetKey,
    MetadataValue,
    StandardMetadataKeys,
    TextMetadataValue,
    UriMetadataValue,
    normalize_metadata,
)
from tests.metadata.cases import CODE_REFERENCES, LINEAGE, NOON_UTC, SCHEMA


@pytest.mark.parametrize(
    ("plain", "type_name", "value"),
    [
        ("data team", "text", "data team"),
        (True, "bool", True),
        (False, "bool", False),
        (42, "int", 42),
        (2**63 - 1, "int", 2**63 - 1),
        (-(2**63), "int", -(2**63)),
        (1.5, "float", 1.5),
        (None, "null", None),
        ({"a": 1}, "json", {"a": 1}),
        ([1, 2], "json", [1, 2]),
        ((1, 2), "json", [1, 2]),
        (NOON_UTC, "timestamp", NOON_UTC.timestamp()),
        (datetime(2024, 6, 15, 12, 0), "timestamp", NOON_UTC.timestamp()),
        (PurePosixPath("/tmp/x"), "path", "/tmp/x"),
        (SCHEMA, "table_schema", SCHEMA),
        (LINEAGE, "column_lineage", LINEAGE),
        (AssetKey("up"), "asset", AssetKey("up")),
        (np.int64(7), "int", 7),
        (np.int32(-7), "int", -7),
        (np.uint8(255), "int", 255),
        (np.float64(0.5), "float", 0.5),
        (np.float32(0.25), "float", 0.25),
        (np.bool_(True), "bool", True),
    ],
)
def test_normalize_plain_values(plain: object, type_name: str, value: object) -> None:
    normalized = normalize_metadata({"key": plain})["key"]
    assert normalized.type_name == type_name
    assert normalized.value == value
    assert type(normalized.value) is type(value)  # numpy scalars become plain Python numbers


def test_normalize_keeps_metadata_values_and_code_references() -> None:
    url = MetadataValue.url("https://docs")
    normalized = normalize_metadata({"docs": url, "tagbase/code_references": CODE_REFERENCES})
    assert normalized == {"docs": url, "tagbase/code_references": CODE_REFERENCES}


def test_normalize_none_and_empty() -> None:
    assert normalize_metadata(None) == {}
    assert normalize_metadata({}) == {}


def test_non_finite_floats_are_allowed_as_float_values() -> None:
    normalized = normalize_metadata({"nan": math.nan, "inf": math.inf, "ninf": -math.inf})
    assert math.isnan(normalized["nan"].value)
    assert normalized["inf"].value == math.inf
    assert normalized["ninf"].value == -math.inf


def test_normalize_reports_every_bad_entry_in_one_error() -> None:
    bad = {
        "ok": 1,
        "a set": {1, 2},
        "an object": object(),
        "nan in json": {"x": [math.nan]},
        "int keys": {1: "a"},
        "": "empty key",
        "new\nline": 1,
        "k" * 256: 1,
        "numpy date": np.datetime64("2024-01-01"),
    }
    with pytest.raises(MetadataValidationError) as caught:
        normalize_metadata(bad)
    problems = caught.value.problems
    assert len(problems) == 8
    message = str(caught.value)
    for key in ["a set", "an object", "nan in json", "int keys", "new\nline", "numpy date"]:
        assert repr(key) in message
    assert "metadata key ''" in message
    assert "(type set)" in message
    assert "wrap JSON data in MetadataValue.json(...), or convert the value to str" in message
    assert all(problem.fix for problem in problems)
    assert "$['x'][0]" in message  # the place inside the JSON data


def test_non_str_metadata_key_is_reported() -> None:
    with pytest.raises(MetadataValidationError, match=r"metadata key 5 \(type int\)"):
        normalize_metadata({5: "x"})  # type: ignore[dict-item]


def test_json_rejects_cycles_instead_of_recursing_forever() -> None:
    data: list[object] = []
    data.append(data)
    with pytest.raises(MetadataValidationError, match="contains itself"):
        MetadataValue.json(data)


def test_json_value_is_an_immutable_copy() -> None:
    data = {"a": [1]}
    value = MetadataValue.json(data)
    data["a"].append(2)
    value.value["a"].append(3)
    assert value.value == {"a": [1]}


# --- standard keys ------------------------------------------------------------------------------


def test_standard_keys_accept_their_documented_types() -> None:
    normalized = normalize_metadata(
        {
            StandardMetadataKeys.URI: "s3://bucket/object",
            StandardMetadataKeys.COLUMN_SCHEMA: SCHEMA,
            StandardMetadataKeys.COLUMN_LINEAGE: LINEAGE,
            StandardMetadataKeys.ROW_COUNT: np.int64(10),
            StandardMetadataKeys.PARTITION_ROW_COUNT: 0,
            StandardMetadataKeys.RELATION_IDENTIFIER: "my_db.my_schema.my_table",
            StandardMetadataKeys.CODE_REFERENCES: CODE_REFERENCES,
        }
    )
    assert normalized["tagbase/uri"] == UriMetadataValue("s3://bucket/object")
    assert normalized["tagbase/row_count"] == MetadataValue.int(10)
    assert normalized["tagbase/relation_identifier"] == TextMetadataValue(
        "my_db.my_schema.my_table"
    )


def test_standard_keys_report_wrong_types_naming_key_and_expected_type() -> None:
    with pytest.raises(MetadataValidationError) as caught:
        normalize_metadata(
            {
                "tagbase/row_count": "10",
                "tagbase/partition_row_count": -1,
                "tagbase/column_schema": {"a": "int"},
                "tagbase/column_lineage": SCHEMA,
                "tagbase/code_references": "a.py",
                "tagbase/uri": 3,
                "tagbase/relation_identifier": True,
            }
        )
    message = str(caught.value)
    assert len(caught.value.problems) == 7
    assert "'tagbase/row_count'" in message
    assert "holds a non-negative int" in message
    assert "holds a TableSchema" in message
    assert "holds a TableColumnLineage" in message
    assert "pass an int such as len(df)" in message


@pytest.mark.parametrize("text", ["nul\x00", "lone \udc80 surrogate"])
def test_text_no_database_can_hold_is_refused(text: str) -> None:
    with pytest.raises(MetadataValidationError, match="'note'"):
        normalize_metadata({"note": text})
