"""Metadata: typed values, normalisation of plain Python values, owners, and the stored form.

A metadata value is an instance of one of the `MetadataValue` subclasses, usually built
with a static constructor such as `MetadataValue.url(...)`; `normalize_metadata` turns plain
Python values (str, int, datetime, dict, ...) into them. Every value class has a stored type
name (`type_name`) that never depends on the class name, and a compact JSON payload, so
`encode_metadata_value` and `decode_metadata_value` round-trip exactly. The encoded form also
carries a `number` (for range filters and time series) and a short `text` (for equality and
prefix filters).

Structured values (TableSchema, TableColumnLineage, ...) accept lists and dicts but keep
tuples and read-only mappings, so every value is immutable and hashable.

Pure: no I/O. The private modules follow the seams: `_values` (the value classes and their
constructors), `_tables`, `_asset_key` and `_references` (building blocks), `_standard` (standard
keys), `_normalize`, `_encoding` (the stored form) and `_owners`.
"""

from tagbase.metadata._asset_key import AssetKey
from tagbase.metadata._encoding import (
    METADATA_VALUE_TYPES,
    EncodedMetadata,
    decode_metadata_value,
    encode_metadata_value,
)
from tagbase.metadata._normalize import normalize_metadata
from tagbase.metadata._owners import validate_owners
from tagbase.metadata._references import (
    CodeReference,
    LocalFileCodeReference,
    UrlCodeReference,
)
from tagbase.metadata._standard import StandardMetadataKeys
from tagbase.metadata._tables import (
    TableCell,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableConstraints,
    TableRecord,
    TableSchema,
)
from tagbase.metadata._values import (
    AssetMetadataValue,
    BoolMetadataValue,
    CodeReferencesMetadataValue,
    DtypeMetadataValue,
    FloatMetadataValue,
    IntMetadataValue,
    JobMetadataValue,
    JsonMetadataValue,
    MarkdownMetadataValue,
    MetadataValue,
    NotebookMetadataValue,
    NullMetadataValue,
    PathMetadataValue,
    StorageSizeMetadataValue,
    TableColumnLineageMetadataValue,
    TableMetadataValue,
    TableSchemaMetadataValue,
    TextMetadataValue,
    TimestampMetadataValue,
    UriMetadataValue,
    UrlMetadataValue,
)

__all__ = [
    "METADATA_VALUE_TYPES",
    "AssetKey",
    "AssetMetadataValue",
    "BoolMetadataValue",
    "CodeReference",
    "CodeReferencesMetadataValue",
    "DtypeMetadataValue",
    "EncodedMetadata",
    "FloatMetadataValue",
    "IntMetadataValue",
    "JobMetadataValue",
    "JsonMetadataValue",
    "LocalFileCodeReference",
    "MarkdownMetadataValue",
    "MetadataValue",
    "NotebookMetadataValue",
    "NullMetadataValue",
    "PathMetadataValue",
    "StandardMetadataKeys",
    "StorageSizeMetadataValue",
    "TableCell",
    "TableColumn",
    "TableColumnConstraints",
    "TableColumnDep",
    "TableColumnLineage",
    "TableColumnLineageMetadataValue",
    "TableConstraints",
    "TableMetadataValue",
    "TableRecord",
    "TableSchema",
    "TableSchemaMetadataValue",
    "TextMetadataValue",
    "TimestampMetadataValue",
    "UriMetadataValue",
    "UrlCodeReference",
    "UrlMetadataValue",
    "decode_metadata_value",
    "encode_metadata_value",
    "normalize_metadata",
    "validate_owners",
]
