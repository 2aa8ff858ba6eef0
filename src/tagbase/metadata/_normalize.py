"""`normalize_metadata`: plain Python values to typed values, every bad entry in one error."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from tagbase import _limits
from tagbase._errors import MetadataValidationError, Problem
from tagbase.metadata._asset_key import AssetKey
from tagbase.metadata._checks import dumps, invalid, short, type_error
from tagbase.metadata._standard import as_standard
from tagbase.metadata._tables import TableColumnLineage, TableSchema
from tagbase.metadata._values import (
    AssetMetadataValue,
    BoolMetadataValue,
    FloatMetadataValue,
    IntMetadataValue,
    JsonMetadataValue,
    MetadataValue,
    NullMetadataValue,
    PathMetadataValue,
    TableColumnLineageMetadataValue,
    TableSchemaMetadataValue,
    TextMetadataValue,
)

MAX_KEY_LENGTH: Final = 255


_PLAIN_VALUES: Final[tuple[tuple[type[Any], Callable[[Any], MetadataValue]], ...]] = (
    (MetadataValue, lambda value: value),
    (bool, BoolMetadataValue),
    (str, TextMetadataValue),
    (int, IntMetadataValue),
    (float, FloatMetadataValue),
    (type(None), lambda _: NullMetadataValue()),
    (datetime, MetadataValue.timestamp),
    (dict, JsonMetadataValue),
    (list, JsonMetadataValue),
    (tuple, JsonMetadataValue),
    (TableSchema, TableSchemaMetadataValue),
    (TableColumnLineage, TableColumnLineageMetadataValue),
    (AssetKey, AssetMetadataValue),
    (os.PathLike, lambda value: PathMetadataValue(os.fspath(value))),
)
"""Plain Python types and how each becomes a value; the first match wins, so bool precedes int."""


def _is_numpy_scalar(value: object) -> bool:
    """Duck-typed, so numpy need not be installed: a 0-d numpy object with `.item()`."""
    kind = type(value)
    return kind.__module__ == "numpy" and getattr(value, "ndim", None) == 0


def _to_metadata_value(raw: object) -> MetadataValue:
    if _is_numpy_scalar(raw):
        plain = raw.item()  # type: ignore[attr-defined]
        if isinstance(plain, bool | int | float | str):
            return _to_metadata_value(plain)
    else:
        for kind, build in _PLAIN_VALUES:
            if isinstance(raw, kind):
                return build(raw)
    raise invalid(
        f"value {short(raw)} (type {type(raw).__name__})",
        "is not a metadata value; accepted are str, int, float, bool, None, datetime, dict, "
        "list, numpy numbers, TableSchema, TableColumnLineage, AssetKey and MetadataValue",
        "wrap JSON data in MetadataValue.json(...), or convert the value to str",
    )


def _key_problems(key: object) -> list[Problem]:
    subject = f"metadata key {short(key)}"
    if not isinstance(key, str):
        return [
            Problem(f"{subject} (type {type(key).__name__})", "keys must be str", "use a str key")
        ]
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        rule = f"a key is 1-{MAX_KEY_LENGTH} characters long, this one has {len(key)}"
        return [Problem(subject, rule, "use a non-empty, shorter key")]
    broken = _limits.text_problem(key, name=True)
    if broken is not None:
        fix = "remove NUL, newlines, tabs and other control characters, and lone surrogates"
        return [Problem(subject, broken, fix)]
    return []


def _normalize_entry(key: str, raw: object) -> MetadataValue:
    """The typed value of one entry, or an error with every problem of the entry."""
    problems = _key_problems(key)
    too_deep = _limits.raw_metadata_problems(str(key), raw)  # before building: no recursion
    if too_deep:
        raise MetadataValidationError(problems + too_deep)
    try:
        value = as_standard(key, _to_metadata_value(raw))
    except MetadataValidationError as error:
        problems += [
            Problem(f"metadata {key!r}: {p.subject}", p.rule, p.fix) for p in error.problems
        ]
    else:
        problems += _storable_problems(key, value)
    if problems:
        raise MetadataValidationError(problems)
    return value


def _storable_problems(key: str, value: MetadataValue) -> list[Problem]:
    """What no database should be given (`tagbase._limits`): too deep, too big, an integer
    beyond 64 bits, NUL or a lone surrogate anywhere."""
    return _limits.stored_metadata_problems(key, value._payload(), dumps)


def normalize_metadata(metadata: Mapping[str, object] | None) -> dict[str, MetadataValue]:
    """Typed values for `metadata`, reporting every bad entry in one error.

    Plain values become: str -> text, bool -> bool, int -> int, float -> float (NaN and
    infinities allowed), None -> null, datetime -> timestamp (a naive datetime is taken as UTC),
    dict/list/tuple -> json, numpy scalars -> int/float/bool, os.PathLike -> path, TableSchema
    -> table_schema, TableColumnLineage -> column_lineage, AssetKey -> asset. MetadataValue
    instances are kept. The standard keys (`StandardMetadataKeys`) must hold their documented
    type; a plain str under `tagbase/uri` becomes a `uri` value.
    """
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise type_error("metadata", metadata, "a dict of str keys to values")
    normalized: dict[str, MetadataValue] = {}
    problems: list[Problem] = []
    for key, raw in metadata.items():
        try:
            normalized[key] = _normalize_entry(key, raw)
        except MetadataValidationError as error:
            problems += error.problems
    if problems:
        raise MetadataValidationError(problems)
    return normalized
