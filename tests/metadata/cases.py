"""Values shared by the metadata tests: building blocks, and one value of every type."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

from tagbase.metadata import (
    AssetKey,
    CodeReferencesMetadataValue,
    LocalFileCodeReference,
    MetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableConstraints,
    TableRecord,
    TableSchema,
    UrlCodeReference,
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


def case_id(case: tuple[MetadataValue, str, object]) -> str:
    return case[1]
