"""Tests of typed metadata values, normalisation, the stored form and owners."""

from __future__ import annotations

import math
import pickle
from datetime import UTC, datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagbase._errors import InvalidInputError, MetadataValidationError, OwnerValidationError
from tagbase.metadata import (
    METADATA_VALUE_TYPES,
    AssetKey,
    AssetMetadataValue,
    CodeReferencesMetadataValue,
    FloatMetadataValue,
    JobMetadataValue,
    JsonMetadataValue,
    LocalFileCodeReference,
    MetadataValue,
    StandardMetadataKeys,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableConstraints,
    TableMetadataValue,
    TableRecord,
    TableSchema,
    TextMetadataValue,
    UriMetadataValue,
    UrlCodeReference,
    UrlMetadataValue,
    decode_metadata_value,
    encode_metadata_value,
    normalize_metadata,
    validate_owners,
)

SCHEMA = TableSchema(
    columns=[
        TableColumn("name", "string", description="The name of the person"),
        TableColumn(
            "age",
            "int",
            constraints=TableColumnConstraints(nullable=False, unique=False, other=["age > 0"]),
            tags={"pii": "true", "team/owner": "people"},
        ),
    ],
    constraints=TableConstraints(other=["primary key (name)"]),
)
LINEAGE = TableColumnLineage(
    deps_by_column={
        "new_column_foo": [
            TableColumnDep(asset_key=AssetKey("source_bar"), column_name="column_bar"),
            TableColumnDep(asset_key=AssetKey(["db", "source_baz"]), column_name="column_baz"),
        ],
        "new_column_qux": [],
    }
)
CODE_REFERENCES = CodeReferencesMetadataValue(
    code_references=[
        LocalFileCodeReference(file_path="/src/model.yaml", line_number=1, label="Model YAML"),
        UrlCodeReference(url="https://github.com/org/repo/blob/main/a.py#L3"),
    ]
)
TABLE = MetadataValue.table(
    [TableRecord({"name": "ana", "age": 31}), TableRecord({"age": 7, "name": "bo"})],
    schema=SCHEMA,
)
NOON_UTC = datetime(2024, 6, 15, 12, 0, tzinfo=UTC)

# (value built by a constructor, stored type name, its `.value`)
CONSTRUCTED: list[tuple[MetadataValue, str, object]] = [
    (MetadataValue.text("hello"), "text", "hello"),
    (MetadataValue.url("https://example.com"), "url", "https://example.com"),
    (MetadataValue.url(""), "url", ""),
    (MetadataValue.path(PurePosixPath("/data/x.csv")), "path", "/data/x.csv"),
    (MetadataValue.notebook("notebooks/eda.ipynb"), "notebook", "notebooks/eda.ipynb"),
    (MetadataValue.md("# Title\n*bold*"), "md", "# Title\n*bold*"),
    (MetadataValue.uri("s3://bucket/key"), "uri", "s3://bucket/key"),
    (MetadataValue.dtype("int64"), "dtype", "int64"),
    (MetadataValue.json({"a": [1, 2.5, None, True]}), "json", {"a": [1, 2.5, None, True]}),
    (MetadataValue.json([1, "x"]), "json", [1, "x"]),
    (MetadataValue.int(1024), "int", 1024),
    (MetadataValue.float(0.25), "float", 0.25),
    (MetadataValue.bool(False), "bool", False),
    (MetadataValue.null(), "null", None),
    (MetadataValue.timestamp(NOON_UTC), "timestamp", NOON_UTC.timestamp()),
    (MetadataValue.timestamp(1_700_000_000.5), "timestamp", 1_700_000_000.5),
    (MetadataValue.storage_size(1536), "storage_size", 1536),
    (MetadataValue.table_schema(SCHEMA), "table_schema", SCHEMA),
    (MetadataValue.column_lineage(LINEAGE), "column_lineage", LINEAGE),
    (MetadataValue.asset(["db", "users"]), "asset", AssetKey(["db", "users"])),
    (TABLE, "table", TABLE),
    (MetadataValue.job("daily", location_name="prod"), "job", None),
    (MetadataValue.code_references(CODE_REFERENCES.code_references), "code_references", None),
]


def _ids(case: tuple[MetadataValue, str, object]) -> str:
    return case[1]


# --- constructors -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CONSTRUCTED, ids=_ids)
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


# --- structured values --------------------------------------------------------------------------


def test_structured_values_store_tuples_and_read_only_mappings() -> None:
    column = SCHEMA.columns[1]
    assert isinstance(SCHEMA.columns, tuple)
    assert column.constraints == TableColumnConstraints(nullable=False, other=("age > 0",))
    assert isinstance(LINEAGE.deps_by_column["new_column_foo"], tuple)
    with pytest.raises(TypeError):
        column.tags["pii"] = "false"  # type: ignore[index]
    with pytest.raises(TypeError):
        TABLE.records[0].data["age"] = 0  # type: ignore[index]


def test_structured_values_are_hashable_and_compare_by_content() -> None:
    same = TableColumn("age", "int", tags={"team/owner": "people", "pii": "true"})
    assert same == TableColumn("age", "int", tags={"pii": "true", "team/owner": "people"})
    assert hash(same) == hash(
        TableColumn("age", "int", tags={"pii": "true", "team/owner": "people"})
    )
    assert len({MetadataValue.table_schema(SCHEMA), MetadataValue.table_schema(SCHEMA)}) == 1


def test_table_column_defaults() -> None:
    column = TableColumn("id")
    assert column.type == "string"
    assert column.description is None
    assert column.constraints == TableColumnConstraints(nullable=True, unique=False, other=())
    assert column.tags == {}


def test_table_schema_from_name_type_dict() -> None:
    schema = TableSchema.from_name_type_dict({"id": "int", "name": "string"})
    assert [(c.name, c.type) for c in schema.columns] == [("id", "int"), ("name", "string")]


def test_table_schema_lists_every_duplicate_column() -> None:
    with pytest.raises(MetadataValidationError) as caught:
        TableSchema([TableColumn("a"), TableColumn("b"), TableColumn("a"), TableColumn("b")])
    assert [problem.subject for problem in caught.value.problems] == ["column 'a'", "column 'b'"]
    assert "must be unique" in str(caught.value)


def test_table_column_tags_follow_the_strict_tag_rule() -> None:
    TableColumn("a", tags={"pii": "", "dagster/x": "a.b-c_1"})
    with pytest.raises(MetadataValidationError) as caught:
        TableColumn("email", tags={"has space": "ok", "ok": "x" * 64})
    assert len(caught.value.problems) == 2
    assert all(p.subject.startswith("column 'email'") for p in caught.value.problems)


def test_table_records_must_match_the_schema_columns() -> None:
    with pytest.raises(MetadataValidationError, match="'nickname'"):
        MetadataValue.table([TableRecord({"name": "ana", "nickname": "a"})], schema=SCHEMA)


def test_table_record_cells_must_be_json_scalars() -> None:
    with pytest.raises(MetadataValidationError, match="must be finite"):
        TableRecord({"x": math.inf})
    with pytest.raises(MetadataValidationError, match=r"TableRecord\['x'\]"):
        TableRecord({"x": [1]})


def test_asset_key_forms() -> None:
    assert AssetKey("a").path == ("a",)
    assert AssetKey(["a", "b"]) == AssetKey(("a", "b")) == AssetKey.from_user_string("a/b")
    assert AssetKey(["a", "b"]).to_user_string() == "a/b"
    assert hash(AssetKey(["a", "b"])) == hash(AssetKey(("a", "b")))
    assert TableColumnDep("src", "c").asset_key == AssetKey("src")


@pytest.mark.parametrize("bad", ["", [], ["a", ""], "a/b", 3])
def test_asset_key_rejects_ambiguous_or_empty_paths(bad: Any) -> None:
    with pytest.raises(MetadataValidationError, match="Fix: "):
        AssetKey(bad)


# --- normalisation ------------------------------------------------------------------------------


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


# --- stored form --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CONSTRUCTED, ids=_ids)
def test_encode_decode_round_trip(case: tuple[MetadataValue, str, object]) -> None:
    value = case[0]
    encoded = encode_metadata_value(value)
    assert encoded.type_name == value.type_name
    decoded = decode_metadata_value(encoded.type_name, encoded.payload)
    assert decoded == value
    assert type(decoded) is type(value)
    assert encode_metadata_value(decoded) == encoded


@pytest.mark.parametrize("case", CONSTRUCTED, ids=_ids)
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


def test_float_nan_values_compare_equal_and_hash_alike() -> None:
    assert FloatMetadataValue(math.nan) == FloatMetadataValue(float("nan"))
    assert hash(FloatMetadataValue(math.nan)) == hash(FloatMetadataValue(float("nan")))


def test_asset_and_job_payloads_round_trip() -> None:
    asset = decode_metadata_value("asset", '["a","b"]')
    assert asset == AssetMetadataValue(AssetKey(["a", "b"]))
    job = decode_metadata_value("job", '{"job_name":"j","location_name":null}')
    assert job == JobMetadataValue("j")
    assert decode_metadata_value("json", "[1]") == JsonMetadataValue([1])
    assert decode_metadata_value("url", '"u"') == UrlMetadataValue("u")


# --- owners -------------------------------------------------------------------------------------


def test_owners_accept_emails_and_teams_and_drop_duplicates_in_order() -> None:
    owners = ["ana@example.com", "team:data-eng", "bo.b+x@mail.example.org", "ana@example.com"]
    assert validate_owners(owners) == (
        "ana@example.com",
        "team:data-eng",
        "bo.b+x@mail.example.org",
    )
    assert validate_owners(None) == ()
    assert validate_owners("team:x") == ("team:x",)


def test_owners_report_every_bad_owner_at_once() -> None:
    bad = ["ana", "team:", "team:data eng", "ana @example.com", "a@b", "team:" + "x" * 64, 7]
    with pytest.raises(OwnerValidationError) as caught:
        validate_owners(["ok@example.com", *bad])  # type: ignore[list-item]
    assert len(caught.value.problems) == len(bad)
    message = str(caught.value)
    assert "owner 'ana'" in message
    assert "prefix a team with 'team:'" in message
    assert "owner 7 (type int)" in message


@pytest.mark.parametrize("text", ["nul\x00", "lone \udc80 surrogate"])
def test_text_no_database_can_hold_is_refused(text: str) -> None:
    with pytest.raises(MetadataValidationError, match="'note'"):
        normalize_metadata({"note": text})
