"""The stored form: a value as (type name, JSON payload, number, text), and back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from tagbase._errors import MetadataValidationError
from tagbase.metadata._checks import dumps, invalid, short
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

METADATA_VALUE_TYPES: Final[Mapping[str, type[MetadataValue]]] = MappingProxyType(
    {
        kind.type_name: kind
        for kind in (
            TextMetadataValue,
            UrlMetadataValue,
            PathMetadataValue,
            NotebookMetadataValue,
            MarkdownMetadataValue,
            UriMetadataValue,
            DtypeMetadataValue,
            JsonMetadataValue,
            IntMetadataValue,
            FloatMetadataValue,
            BoolMetadataValue,
            NullMetadataValue,
            TimestampMetadataValue,
            StorageSizeMetadataValue,
            TableMetadataValue,
            TableSchemaMetadataValue,
            TableColumnLineageMetadataValue,
            CodeReferencesMetadataValue,
            AssetMetadataValue,
            JobMetadataValue,
        )
    }
)
"""Every metadata value class by its stored type name."""


@dataclass(frozen=True, slots=True)
class EncodedMetadata:
    """A value as stored: type name, JSON payload, and the number and text filter columns."""

    type_name: str
    payload: str
    number: float | None
    text: str | None


def encode_metadata_value(value: MetadataValue) -> EncodedMetadata:
    """The stored form of `value`; `decode_metadata_value` rebuilds an equal value from it."""
    return EncodedMetadata(value.type_name, dumps(value._payload()), value._number(), value._text())


def decode_metadata_value(type_name: str, payload: str) -> MetadataValue:
    """The value stored as (`type_name`, `payload`)."""
    kind = METADATA_VALUE_TYPES.get(type_name)
    if kind is None:
        raise invalid(
            f"stored metadata type {type_name!r}",
            "is not a type this version of tagbase knows",
            "upgrade tagbase, or use one of: " + ", ".join(sorted(METADATA_VALUE_TYPES)),
        )
    try:
        return kind._from_payload(json.loads(payload))
    except MetadataValidationError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise invalid(
            f"stored {type_name} metadata {short(payload)}",
            f"the payload does not match the type ({error!r})",
            "rewrite the entry; the stored row is damaged or from an incompatible version",
        ) from error
