"""The structured building blocks: table schemas, records, column lineage and asset keys."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tagbase._errors import MetadataValidationError
from tagbase.metadata import (
    AssetKey,
    MetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableRecord,
    TableSchema,
)
from tests.metadata.cases import LINEAGE, SCHEMA, TABLE


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
