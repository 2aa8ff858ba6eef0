"""The standard metadata keys tagbase gives a meaning to, and the type each must hold."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

from tagbase.metadata._checks import invalid, short
from tagbase.metadata._values import (
    IntMetadataValue,
    MetadataValue,
    TextMetadataValue,
    UriMetadataValue,
)


class StandardMetadataKeys:
    """Metadata keys tagbase gives a meaning to; `normalize_metadata` checks their types."""

    URI: Final = "tagbase/uri"
    COLUMN_SCHEMA: Final = "tagbase/column_schema"
    COLUMN_LINEAGE: Final = "tagbase/column_lineage"
    ROW_COUNT: Final = "tagbase/row_count"
    PARTITION_ROW_COUNT: Final = "tagbase/partition_row_count"
    RELATION_IDENTIFIER: Final = "tagbase/relation_identifier"
    CODE_REFERENCES: Final = "tagbase/code_references"


class _Expected(NamedTuple):
    """What a standard key holds. `from_text` retypes a plain str (e.g. a URI as `uri`)."""

    type_names: frozenset[str]
    wanted: str
    fix: str
    non_negative: bool = False
    from_text: Callable[[str], MetadataValue] | None = None


_ROW_COUNT = _Expected(
    frozenset({"int"}), "a non-negative int", "pass an int such as len(df)", non_negative=True
)
_STANDARD: Final[Mapping[str, _Expected]] = MappingProxyType(
    {
        StandardMetadataKeys.URI: _Expected(
            frozenset({"uri", "url", "path", "text"}),
            "a URI string",
            "pass a str such as 's3://bucket/key'",
            from_text=UriMetadataValue,
        ),
        StandardMetadataKeys.COLUMN_SCHEMA: _Expected(
            frozenset({"table_schema"}),
            "a TableSchema",
            "pass TableSchema(columns=[TableColumn(...), ...])",
        ),
        StandardMetadataKeys.COLUMN_LINEAGE: _Expected(
            frozenset({"column_lineage"}),
            "a TableColumnLineage",
            "pass TableColumnLineage(deps_by_column={...})",
        ),
        StandardMetadataKeys.ROW_COUNT: _ROW_COUNT,
        StandardMetadataKeys.PARTITION_ROW_COUNT: _ROW_COUNT,
        StandardMetadataKeys.RELATION_IDENTIFIER: _Expected(
            frozenset({"text"}), "a str", "pass a str such as 'my_db.my_schema.my_table'"
        ),
        StandardMetadataKeys.CODE_REFERENCES: _Expected(
            frozenset({"code_references"}),
            "a CodeReferencesMetadataValue",
            "pass CodeReferencesMetadataValue(code_references=[...])",
        ),
    }
)


def as_standard(key: str, value: MetadataValue) -> MetadataValue:
    """`value` checked (and retyped) for a standard key; other keys pass unchanged."""
    expected = _STANDARD.get(key)
    if expected is None:
        return value
    if expected.from_text is not None and isinstance(value, TextMetadataValue):
        value = expected.from_text(value.value)
    negative = expected.non_negative and isinstance(value, IntMetadataValue) and value.value < 0
    if value.type_name not in expected.type_names or negative:
        subject = f"{value.type_name} value {short(value.value)}"
        raise invalid(subject, f"the standard key {key} holds {expected.wanted}", expected.fix)
    return value
