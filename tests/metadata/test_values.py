"""The typed values: constructors, stored type names, accessors, equality and errors."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tagbase._errors import InvalidInputError, MetadataValidationError
from tagbase.metadata import (
    METADATA_VALUE_TYPES,
    FloatMetadataValue,
    LocalFileCodeReference,
    MetadataValue,
)
from tests.metadata.cases import CONSTRUCTED, NOON_UTC, case_id


@pytest.mark.parametrize("case", CONSTRUCTED, ids=case_id)
def test_constructor_builds_typed_value_with_plain_payload(
    case: tuple[MetadataValue, str, object],
) -> None:
    value, type_name, payload = case
    assert value.type_name == type_name
    assert isinstance(value, METADATA_VALUE_TYPES[type_name])
    if payload is None and type_name in {"job", "code_references"}:
        assert value.value is value  # composite values are their own payload, as in Dagster
    else:
        assert value.value == payload


def test_stored_type_names_are_the_documented_set() -> None:
    assert set(METADATA_VALUE_TYPES) == {
        "text", "url", "path", "json", "md", "int", "float", "bool", "null", "timestamp",
        "table", "table_schema", "column_lineage", "code_references", "asset", "job",
        "notebook", "dtype", "storage_size", "uri",
    }  # fmt: skip
    for type_name, kind in METADATA_VALUE_TYPES.items():
        assert kind.type_name == type_name


def test_values_of_different_types_are_not_equal_even_with_the_same_payload() -> None:
    assert MetadataValue.text("x") != MetadataValue.url("x")
    assert MetadataValue.int(1) != MetadataValue.float(1.0)
    assert MetadataValue.int(1) != MetadataValue.bool(True)


def test_job_and_timestamp_accessors() -> None:
    job = MetadataValue.job("daily")
    assert (job.job_name, job.location_name) == ("daily", None)
    assert MetadataValue.timestamp(NOON_UTC).as_datetime() == NOON_UTC


def test_naive_datetime_timestamp_is_taken_as_utc() -> None:
    naive = MetadataValue.timestamp(datetime(2024, 6, 15, 12, 0))
    assert naive == MetadataValue.timestamp(NOON_UTC)
    plus_two = datetime(2024, 6, 15, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert MetadataValue.timestamp(plus_two) == naive


@pytest.mark.parametrize(
    ("num_bytes", "shown"),
    [(0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (5 * 1024**3, "5.0 GiB")],
)
def test_storage_size_is_rendered_human_readable(num_bytes: int, shown: str) -> None:
    assert MetadataValue.storage_size(num_bytes).human_readable == shown


@pytest.mark.parametrize(
    "build",
    [
        lambda: MetadataValue.int("3"),
        lambda: MetadataValue.int(True),
        lambda: MetadataValue.float("1.5"),
        lambda: MetadataValue.bool(1),
        lambda: MetadataValue.text(3),
        lambda: MetadataValue.timestamp(math.nan),
        lambda: MetadataValue.storage_size(-1),
        lambda: MetadataValue.table_schema({"a": "int"}),
        lambda: MetadataValue.code_references(["file.py"]),
        lambda: LocalFileCodeReference("a.py", line_number=0),
    ],
)
def test_constructors_reject_wrong_types_with_a_fix(build: Any) -> None:
    with pytest.raises(MetadataValidationError, match="Fix: "):
        build()


def test_metadata_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="must be an int"):
        MetadataValue.int("3")
    assert issubclass(MetadataValidationError, InvalidInputError)


def test_float_nan_values_compare_equal_and_hash_alike() -> None:
    assert FloatMetadataValue(math.nan) == FloatMetadataValue(float("nan"))
    assert hash(FloatMetadataValue(math.nan)) == hash(FloatMetadataValue(float("nan")))
