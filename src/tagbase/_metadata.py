"""Metadata: typed values, normalisation of plain Python values, owners, and the stored form.

A metadata value is an instance of one of the `MetadataValue` subclasses below, usually built
with a static constructor such as `MetadataValue.url(...)`; `normalize_metadata` turns plain
Python values (str, int, datetime, dict, ...) into them. Every value class has a stored type
name (`type_name`) that never depends on the class name, and a compact JSON payload, so
`encode_metadata_value` and `decode_metadata_value` round-trip exactly. The encoded form also
carries a `number` (for range filters and time series) and a short `text` (for equality and
prefix filters).

Structured values (TableSchema, TableColumnLineage, ...) accept lists and dicts but keep
tuples and read-only mappings, so every value is immutable and hashable.

This module is pure: no I/O.
"""

from __future__ import annotations

import builtins
import json
import math
import numbers
import os
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final, NamedTuple, Self, TypeAlias

from tagbase import _limits
from tagbase._errors import MetadataValidationError, OwnerValidationError, Problem
from tagbase._tags import strict_problems

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

TEXT_COLUMN_LIMIT: Final = 1024
MAX_KEY_LENGTH: Final = 255

TableCell: TypeAlias = str | int | float | bool | None

_NON_FINITE: Final[Mapping[str, float]] = MappingProxyType(
    {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
)


# --- small helpers ------------------------------------------------------------------------------


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error(subject: str, rule: str, fix: str) -> MetadataValidationError:
    """A one-problem error, for constructors that meet a single broken rule."""
    return MetadataValidationError([Problem(subject, rule, fix)])


def _type_error(what: str, value: object, wanted: str) -> MetadataValidationError:
    subject = f"{what} {_short(value)} (type {type(value).__name__})"
    return _error(subject, f"must be {wanted}", f"pass {wanted}")


def _check(
    what: str, value: object, expected: type[object] | tuple[type[object], ...], wanted: str
) -> None:
    """Raise unless `value` is an `expected` instance; a bool never passes for a number."""
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise _type_error(what, value, wanted)


def _set(instance: object, name: str, value: object) -> None:
    """Assign to a frozen dataclass during `__post_init__` (to store a normalised form)."""
    object.__setattr__(instance, name, value)


def _tuple_of(
    what: str, items: object, kind: type[object] | tuple[type[object], ...], wanted: str
) -> tuple[Any, ...]:
    """`items` (a list or tuple of `kind`) as a tuple, so the owner stays immutable."""
    if not isinstance(items, list | tuple):
        raise _type_error(what, items, f"a list of {wanted}")
    for index, item in enumerate(items):
        _check(f"{what}[{index}]", item, kind, wanted)
    return tuple(items)


def _str_mapping(what: str, mapping: object) -> MappingProxyType[str, str]:
    """A read-only copy of a str-to-str mapping."""
    if not isinstance(mapping, Mapping):
        raise _type_error(what, mapping, "a dict of str to str")
    for key, value in mapping.items():
        _check(f"{what} key", key, str, "a str")
        _check(f"{what}[{key!r}]", value, str, "a str")
    return MappingProxyType(dict(mapping))


def _dumps(data: object) -> str:
    """Compact, canonical JSON text: the stored payload format."""
    return json.dumps(
        data, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False
    )


def _int_number(value: int) -> float | None:
    """`value` as a float for the number column, or None when a float cannot hold it."""
    try:
        return float(value)
    except OverflowError:
        return None


def _utc_seconds(moment: datetime) -> float:
    """Seconds since the epoch; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _asset_key(value: object) -> AssetKey:
    if isinstance(value, AssetKey):
        return value
    if isinstance(value, str | list | tuple):
        return AssetKey(value)
    raise _type_error("asset key", value, "an AssetKey, a str or a list of str")


# --- structured building blocks -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, init=False)
class AssetKey:
    """The name of an asset: a path of one or more parts, written joined by '/'.

    `AssetKey("a")` has one part; `AssetKey(["a", "b"])` is the key 'a/b'. A part may not
    contain '/', so the written form is never ambiguous.
    """

    path: tuple[str, ...]

    def __init__(self, key: str | Sequence[str] | AssetKey) -> None:
        parts: object = key.path if isinstance(key, AssetKey) else key
        path = _tuple_of("AssetKey", (parts,) if isinstance(parts, str) else parts, str, "str")
        if not path or any(not part or "/" in part for part in path):
            raise _error(
                f"AssetKey {list(path)!r}",
                "an asset key is one or more non-empty parts, none containing '/'",
                "pass the parts as a list, e.g. AssetKey(['a', 'b']), "
                "or use AssetKey.from_user_string('a/b')",
            )
        object.__setattr__(self, "path", path)

    @classmethod
    def from_user_string(cls, text: str) -> AssetKey:
        """Read the written form 'a/b'."""
        return cls(text.split("/"))

    def to_user_string(self) -> str:
        """The written form, parts joined by '/'."""
        return "/".join(self.path)


@dataclass(frozen=True, slots=True)
class TableColumnConstraints:
    """What a column guarantees: nullability, uniqueness, and free-text other constraints."""

    nullable: bool = True
    unique: bool = False
    other: Sequence[str] = ()

    def __post_init__(self) -> None:
        _check("TableColumnConstraints.nullable", self.nullable, bool, "a bool")
        _check("TableColumnConstraints.unique", self.unique, bool, "a bool")
        _set(self, "other", _tuple_of("TableColumnConstraints.other", self.other, str, "str"))

    def _to_json(self) -> dict[str, Any]:
        return {"nullable": self.nullable, "unique": self.unique, "other": list(self.other)}

    @classmethod
    def _from_json(cls, data: Any) -> Self:
        return cls(nullable=data["nullable"], unique=data["unique"], other=data["other"])


@dataclass(frozen=True, slots=True)
class TableConstraints:
    """Table-wide constraints, as free text (e.g. "primary key (id)")."""

    other: Sequence[str] = ()

    def __post_init__(self) -> None:
        _set(self, "other", _tuple_of("TableConstraints.other", self.other, str, "str"))


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One column of a table schema. Tags follow the strict tag rule of definition tags."""

    name: str
    type: str = "string"
    description: str | None = None
    constraints: TableColumnConstraints | None = None
    tags: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        _check("TableColumn.name", self.name, str, "a str")
        where = f"column {self.name!r}"
        _check(f"{where} type", self.type, str, "a str such as 'string' or 'int'")
        _check(f"{where} description", self.description, (str, type(None)), "a str or None")
        constraints = self.constraints or TableColumnConstraints()
        _check(
            f"{where} constraints", constraints, TableColumnConstraints, "TableColumnConstraints"
        )
        tags = _str_mapping(f"{where} tags", self.tags or {})
        problems = [
            Problem(f"{where} {problem.subject}", problem.rule, problem.fix)
            for key, value in tags.items()
            for problem in strict_problems(key, value)
        ]
        if problems:
            raise MetadataValidationError(problems)
        _set(self, "constraints", constraints)
        _set(self, "tags", tags)

    def __hash__(self) -> int:
        tags = frozenset((self.tags or {}).items())
        return hash((self.name, self.type, self.description, self.constraints, tags))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle through the constructor: a read-only mapping cannot be pickled itself."""
        tags = dict(self.tags or {})
        return (type(self), (self.name, self.type, self.description, self.constraints, tags))

    def _to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "constraints": (self.constraints or TableColumnConstraints())._to_json(),
            "tags": dict(self.tags or {}),
        }

    @classmethod
    def _from_json(cls, data: Any) -> Self:
        constraints = TableColumnConstraints._from_json(data["constraints"])
        return cls(data["name"], data["type"], data["description"], constraints, data["tags"])


@dataclass(frozen=True, slots=True)
class TableSchema:
    """The columns of a table (names unique) and its table-wide constraints."""

    columns: Sequence[TableColumn]
    constraints: TableConstraints | None = None

    def __post_init__(self) -> None:
        columns = _tuple_of("TableSchema.columns", self.columns, TableColumn, "TableColumn")
        constraints = self.constraints or TableConstraints()
        _check("TableSchema.constraints", constraints, TableConstraints, "TableConstraints")
        counts = Counter(column.name for column in columns)
        problems = [
            Problem(
                f"column {name!r}",
                f"column names in a TableSchema must be unique, but this one appears {count} times",
                "rename or remove the duplicate columns",
            )
            for name, count in counts.items()
            if count > 1
        ]
        if problems:
            raise MetadataValidationError(problems)
        _set(self, "columns", columns)
        _set(self, "constraints", constraints)

    @classmethod
    def from_name_type_dict(cls, name_type_dict: Mapping[str, str]) -> TableSchema:
        """A schema of plain columns, from {"name": "type", ...}."""
        return cls(columns=[TableColumn(name, kind) for name, kind in name_type_dict.items()])

    def _to_json(self) -> dict[str, Any]:
        other = (self.constraints or TableConstraints()).other
        return {
            "columns": [column._to_json() for column in self.columns],
            "constraints": {"other": list(other)},
        }

    @classmethod
    def _from_json(cls, data: Any) -> Self:
        columns = [TableColumn._from_json(column) for column in data["columns"]]
        return cls(columns, TableConstraints(data["constraints"]["other"]))


@dataclass(frozen=True, slots=True)
class TableRecord:
    """One row of a table value: column name to a str, int, finite float, bool or None."""

    data: Mapping[str, TableCell]

    def __post_init__(self) -> None:
        _check("TableRecord.data", self.data, Mapping, "a dict of column name to value")
        for key, cell in self.data.items():
            _check("TableRecord column name", key, str, "a str")
            wanted = "a str, int, float, bool or None"
            _check(f"TableRecord[{key!r}]", cell, (str, int, float, bool, type(None)), wanted)
            if isinstance(cell, float) and not math.isfinite(cell):
                raise _error(f"TableRecord[{key!r}] {cell!r}", "must be finite", "use None")
        _set(self, "data", MappingProxyType(dict(self.data)))

    def __hash__(self) -> int:
        return hash(frozenset(self.data.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self.data),))


@dataclass(frozen=True, slots=True)
class TableColumnDep:
    """One upstream column a column is derived from."""

    asset_key: AssetKey
    column_name: str

    def __post_init__(self) -> None:
        _set(self, "asset_key", _asset_key(self.asset_key))
        _check("TableColumnDep.column_name", self.column_name, str, "a str")

    def _to_json(self) -> dict[str, Any]:
        return {"asset_key": list(self.asset_key.path), "column_name": self.column_name}

    @classmethod
    def _from_json(cls, data: Any) -> Self:
        return cls(AssetKey(data["asset_key"]), data["column_name"])


@dataclass(frozen=True, slots=True)
class TableColumnLineage:
    """For each column of a table, the upstream columns it is derived from."""

    deps_by_column: Mapping[str, Sequence[TableColumnDep]]

    def __post_init__(self) -> None:
        wanted = "a dict of column name to a list of TableColumnDep"
        _check("TableColumnLineage.deps_by_column", self.deps_by_column, Mapping, wanted)
        frozen: dict[str, tuple[TableColumnDep, ...]] = {}
        for column, deps in self.deps_by_column.items():
            _check("TableColumnLineage column name", column, str, "a str")
            what = f"TableColumnLineage[{column!r}]"
            frozen[column] = _tuple_of(what, deps, TableColumnDep, "TableColumnDep")
        _set(self, "deps_by_column", MappingProxyType(frozen))

    def __hash__(self) -> int:
        return hash(frozenset(self.deps_by_column.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self.deps_by_column),))

    def _to_json(self) -> list[Any]:
        """Pairs, not an object, so the column order survives the sorted-keys payload."""
        return [
            [column, [dep._to_json() for dep in deps]]
            for column, deps in self.deps_by_column.items()
        ]

    @classmethod
    def _from_json(cls, data: Any) -> Self:
        return cls({column: [TableColumnDep._from_json(d) for d in deps] for column, deps in data})


@dataclass(frozen=True, slots=True)
class LocalFileCodeReference:
    """A place in a local source file (line numbers start at 1)."""

    kind: ClassVar[str] = "local_file"
    file_path: str
    line_number: int | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        _check("LocalFileCodeReference.file_path", self.file_path, str, "a str")
        line = self.line_number
        _check("LocalFileCodeReference.line_number", line, (int, type(None)), "an int or None")
        if line is not None and line < 1:
            raise _error(f"LocalFileCodeReference.line_number {line}", "must be >= 1", "pass 1+")
        _check("LocalFileCodeReference.label", self.label, (str, type(None)), "a str or None")


@dataclass(frozen=True, slots=True)
class UrlCodeReference:
    """Source code at a URL, e.g. a line on GitHub or GitLab."""

    kind: ClassVar[str] = "url"
    url: str
    label: str | None = None

    def __post_init__(self) -> None:
        _check("UrlCodeReference.url", self.url, str, "a str")
        _check("UrlCodeReference.label", self.label, (str, type(None)), "a str or None")


CodeReference: TypeAlias = LocalFileCodeReference | UrlCodeReference
_CODE_REFERENCE_KINDS: Final[Mapping[str, type[CodeReference]]] = MappingProxyType(
    {kind.kind: kind for kind in (LocalFileCodeReference, UrlCodeReference)}
)


def _code_reference_to_json(reference: CodeReference) -> dict[str, Any]:
    names = reference.__dataclass_fields__
    return {"kind": reference.kind, **{name: getattr(reference, name) for name in names}}


def _code_reference_from_json(data: Any) -> CodeReference:
    fields = {name: value for name, value in data.items() if name != "kind"}
    return _CODE_REFERENCE_KINDS[data["kind"]](**fields)


# --- metadata values ----------------------------------------------------------------------------


class MetadataValue(ABC):
    """A typed metadata value. Build one with a static constructor, e.g. `MetadataValue.url(s)`.

    `type_name` is the stored type name; `value` is the plain Python payload (for table, job and
    code-reference values, the value itself).
    """

    __slots__ = ()
    type_name: ClassVar[str]

    if TYPE_CHECKING:

        @property
        @abstractmethod
        def value(self) -> Any:
            """The plain Python payload."""

    @abstractmethod
    def _payload(self) -> Any:
        """JSON data from which `_from_payload` rebuilds an equal value."""

    @classmethod
    @abstractmethod
    def _from_payload(cls, payload: Any) -> Self:
        """The value whose `_payload()` is `payload`."""

    def _number(self) -> builtins.float | None:
        """The value for the number column (range filters, time series), if it is a number."""
        return None

    def _text(self) -> str | None:
        """The value for the text column (equality and prefix filters), if it is text."""
        return None

    @staticmethod
    def text(text: str) -> TextMetadataValue:
        return TextMetadataValue(text)

    @staticmethod
    def url(url: str) -> UrlMetadataValue:
        return UrlMetadataValue(url)

    @staticmethod
    def path(path: str | os.PathLike[str]) -> PathMetadataValue:
        return PathMetadataValue(os.fspath(path))

    @staticmethod
    def notebook(path: str | os.PathLike[str]) -> NotebookMetadataValue:
        return NotebookMetadataValue(os.fspath(path))

    @staticmethod
    def md(md_str: str) -> MarkdownMetadataValue:
        return MarkdownMetadataValue(md_str)

    @staticmethod
    def uri(uri: str) -> UriMetadataValue:
        return UriMetadataValue(uri)

    @staticmethod
    def dtype(dtype: str) -> DtypeMetadataValue:
        """The name of a data type, e.g. 'int64' or 'timestamp[us]'."""
        return DtypeMetadataValue(dtype)

    @staticmethod
    def json(data: object) -> JsonMetadataValue:
        return JsonMetadataValue(data)

    @staticmethod
    def int(value: builtins.int) -> IntMetadataValue:
        return IntMetadataValue(value)

    @staticmethod
    def float(value: builtins.float) -> FloatMetadataValue:
        return FloatMetadataValue(value)

    @staticmethod
    def bool(value: builtins.bool) -> BoolMetadataValue:
        return BoolMetadataValue(value)

    @staticmethod
    def null() -> NullMetadataValue:
        return NullMetadataValue()

    @staticmethod
    def timestamp(value: builtins.float | datetime) -> TimestampMetadataValue:
        """A point in time, from a datetime or seconds since the epoch.

        A naive datetime is taken as UTC: pipelines mostly produce naive UTC times, and
        rejecting them (as Dagster does) pushes everyone to write the same conversion.
        """
        seconds = _utc_seconds(value) if isinstance(value, datetime) else value
        return TimestampMetadataValue(seconds)

    @staticmethod
    def storage_size(num_bytes: builtins.int) -> StorageSizeMetadataValue:
        return StorageSizeMetadataValue(num_bytes)

    @staticmethod
    def table(
        records: Sequence[TableRecord], schema: TableSchema | None = None
    ) -> TableMetadataValue:
        return TableMetadataValue(records, schema)

    @staticmethod
    def table_schema(schema: TableSchema) -> TableSchemaMetadataValue:
        return TableSchemaMetadataValue(schema)

    @staticmethod
    def column_lineage(lineage: TableColumnLineage) -> TableColumnLineageMetadataValue:
        return TableColumnLineageMetadataValue(lineage)

    @staticmethod
    def code_references(
        code_references: Sequence[CodeReference],
    ) -> CodeReferencesMetadataValue:
        return CodeReferencesMetadataValue(code_references)

    @staticmethod
    def asset(asset_key: AssetKey | str | Sequence[str]) -> AssetMetadataValue:
        return AssetMetadataValue(_asset_key(asset_key))

    @staticmethod
    def job(job_name: str, location_name: str | None = None) -> JobMetadataValue:
        return JobMetadataValue(job_name, location_name)


@dataclass(frozen=True, slots=True)
class _Single(MetadataValue):
    """A value with one field, `value`, which is also its JSON payload unless overridden."""

    value: Any

    def _payload(self) -> Any:
        return self.value

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(payload)


@dataclass(frozen=True, slots=True)
class _StringValue(_Single):
    """A str value that also fills the text column."""

    value: str

    def __post_init__(self) -> None:
        _check(f"MetadataValue.{self.type_name}", self.value, str, "a str")
        _set(self, "value", str(self.value))

    def _text(self) -> str:
        return self.value[:TEXT_COLUMN_LIMIT]


@dataclass(frozen=True, slots=True)
class TextMetadataValue(_StringValue):
    type_name: ClassVar[str] = "text"


@dataclass(frozen=True, slots=True)
class UrlMetadataValue(_StringValue):
    type_name: ClassVar[str] = "url"


@dataclass(frozen=True, slots=True)
class PathMetadataValue(_StringValue):
    type_name: ClassVar[str] = "path"


@dataclass(frozen=True, slots=True)
class NotebookMetadataValue(_StringValue):
    type_name: ClassVar[str] = "notebook"


@dataclass(frozen=True, slots=True)
class MarkdownMetadataValue(_StringValue):
    type_name: ClassVar[str] = "md"


@dataclass(frozen=True, slots=True)
class UriMetadataValue(_StringValue):
    type_name: ClassVar[str] = "uri"


@dataclass(frozen=True, slots=True)
class DtypeMetadataValue(_StringValue):
    """The name of a data type, e.g. 'int64'."""

    type_name: ClassVar[str] = "dtype"


@dataclass(frozen=True, slots=True)
class IntMetadataValue(_Single):
    type_name: ClassVar[str] = "int"
    value: int

    def __post_init__(self) -> None:
        _check("MetadataValue.int", self.value, numbers.Integral, "an int")
        _set(self, "value", int(self.value))

    def _number(self) -> float | None:
        return _int_number(self.value)


@dataclass(frozen=True, slots=True)
class FloatMetadataValue(_Single):
    """A float. NaN and infinities are allowed: their payload is the JSON string "NaN",
    "Infinity" or "-Infinity", they leave the number column empty, and NaN equals NaN here so
    that a stored NaN decodes to an equal value.
    """

    type_name: ClassVar[str] = "float"
    value: float

    def __post_init__(self) -> None:
        _check("MetadataValue.float", self.value, numbers.Real, "a float")
        _set(self, "value", float(self.value))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FloatMetadataValue):
            return NotImplemented
        both_nan = math.isnan(self.value) and math.isnan(other.value)
        return both_nan or self.value == other.value

    def __hash__(self) -> int:
        return hash("NaN") if math.isnan(self.value) else hash(self.value)

    def _payload(self) -> float | str:
        if math.isfinite(self.value):
            return self.value
        return "NaN" if math.isnan(self.value) else ("Infinity" if self.value > 0 else "-Infinity")

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(_NON_FINITE[payload] if isinstance(payload, str) else payload)

    def _number(self) -> float | None:
        return self.value if math.isfinite(self.value) else None


@dataclass(frozen=True, slots=True)
class BoolMetadataValue(_Single):
    """A bool. It leaves the number column empty: true/false is not a quantity."""

    type_name: ClassVar[str] = "bool"
    value: bool

    def __post_init__(self) -> None:
        _check("MetadataValue.bool", self.value, bool, "a bool")


@dataclass(frozen=True, slots=True)
class NullMetadataValue(_Single):
    type_name: ClassVar[str] = "null"
    value: None = None

    def __post_init__(self) -> None:
        _check("MetadataValue.null", self.value, type(None), "None")


@dataclass(frozen=True, slots=True)
class TimestampMetadataValue(_Single):
    """A point in time as seconds since the Unix epoch (UTC)."""

    type_name: ClassVar[str] = "timestamp"
    value: float

    def __post_init__(self) -> None:
        _check("MetadataValue.timestamp", self.value, numbers.Real, "seconds as a float")
        if not math.isfinite(self.value):
            raise _error(f"MetadataValue.timestamp {self.value!r}", "must be finite", "pass a time")
        _set(self, "value", float(self.value))

    def as_datetime(self) -> datetime:
        """The time as a timezone-aware UTC datetime."""
        return datetime.fromtimestamp(self.value, UTC)

    def _number(self) -> float:
        return self.value


@dataclass(frozen=True, slots=True)
class StorageSizeMetadataValue(_Single):
    """A size in bytes; `human_readable` renders it with a binary unit."""

    type_name: ClassVar[str] = "storage_size"
    value: int

    def __post_init__(self) -> None:
        _check("MetadataValue.storage_size", self.value, numbers.Integral, "an int of bytes")
        if self.value < 0:
            raise _error(f"MetadataValue.storage_size {self.value}", "must be >= 0", "pass 0+")
        _set(self, "value", int(self.value))

    @property
    def human_readable(self) -> str:
        """E.g. '512 B', '1.5 KiB', '3.0 GiB'."""
        size, unit = float(self.value), "B"
        for larger in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
            if size < 1024:
                break
            size, unit = size / 1024, larger
        return f"{self.value} B" if unit == "B" else f"{size:.1f} {unit}"

    def _number(self) -> float | None:
        return _int_number(self.value)


@dataclass(frozen=True, slots=True)
class AssetMetadataValue(_Single):
    """A reference to an asset."""

    type_name: ClassVar[str] = "asset"
    value: AssetKey

    def __post_init__(self) -> None:
        _set(self, "value", _asset_key(self.value))

    def _payload(self) -> list[str]:
        return list(self.value.path)

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(AssetKey(payload))


@dataclass(frozen=True, slots=True)
class TableSchemaMetadataValue(_Single):
    type_name: ClassVar[str] = "table_schema"
    value: TableSchema

    def __post_init__(self) -> None:
        _check("MetadataValue.table_schema", self.value, TableSchema, "a TableSchema")

    def _payload(self) -> dict[str, Any]:
        return self.value._to_json()

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(TableSchema._from_json(payload))


@dataclass(frozen=True, slots=True)
class TableColumnLineageMetadataValue(_Single):
    type_name: ClassVar[str] = "column_lineage"
    value: TableColumnLineage

    def __post_init__(self) -> None:
        wanted = "a TableColumnLineage"
        _check("MetadataValue.column_lineage", self.value, TableColumnLineage, wanted)

    def _payload(self) -> list[Any]:
        return self.value._to_json()

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(TableColumnLineage._from_json(payload))


@dataclass(frozen=True, slots=True, init=False, repr=False)
class JsonMetadataValue(MetadataValue):
    """JSON data (dict, list, str, number, bool or None).

    The data is kept as canonical JSON text, so the value is immutable: `value` returns a fresh
    copy, and equality means equal JSON (so 1 and 1.0 differ, as they do once stored).
    """

    type_name: ClassVar[str] = "json"
    json_text: str

    def __init__(self, data: object) -> None:
        problems = _json_problems(data, "$", frozenset())
        if problems:
            raise MetadataValidationError(problems)
        object.__setattr__(self, "json_text", _dumps(data))

    @property
    def value(self) -> Any:
        return json.loads(self.json_text)

    def __repr__(self) -> str:
        return f"JsonMetadataValue({self.value!r})"

    def _payload(self) -> Any:
        return self.value

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(payload)


def _json_problems(data: object, where: str, parents: frozenset[int]) -> list[Problem]:
    """Every reason `data` is not JSON that round-trips exactly; `where` is its path."""
    subject = f"JSON value at {where} (type {type(data).__name__})"
    if isinstance(data, float) and not math.isfinite(data):
        return [Problem(subject, f"{data!r} is not valid JSON", "use None or a string instead")]
    if data is None or isinstance(data, str | int | float):
        return []
    if id(data) in parents:
        return [Problem(subject, "it contains itself", "remove the cycle")]
    inside = parents | {id(data)}
    if isinstance(data, list | tuple):
        return [
            problem
            for index, item in enumerate(data)
            for problem in _json_problems(item, f"{where}[{index}]", inside)
        ]
    if isinstance(data, dict):
        bad_keys = [
            Problem(f"JSON key {_short(key)} at {where}", "object keys must be str", "use str keys")
            for key in data
            if not isinstance(key, str)
        ]
        return bad_keys + [
            problem
            for key, item in data.items()
            for problem in _json_problems(item, f"{where}[{key!r}]", inside)
        ]
    fix = "convert it to a str, number, bool, None, list or dict"
    return [Problem(subject, "it is not JSON-serialisable", fix)]


@dataclass(frozen=True, slots=True)
class TableMetadataValue(MetadataValue):
    """Rows of a small table, with an optional schema naming their columns."""

    type_name: ClassVar[str] = "table"
    records: Sequence[TableRecord]
    schema: TableSchema | None = None

    def __post_init__(self) -> None:
        records = _tuple_of("MetadataValue.table records", self.records, TableRecord, "TableRecord")
        wanted = "a TableSchema or None"
        _check("MetadataValue.table schema", self.schema, (TableSchema, type(None)), wanted)
        if self.schema is not None:
            columns = {column.name for column in self.schema.columns}
            problems = [
                Problem(f"table record {index} column {key!r}", "is not in the schema", "add it")
                for index, record in enumerate(records)
                for key in record.data
                if key not in columns
            ]
            if problems:
                raise MetadataValidationError(problems)
        _set(self, "records", records)

    @property
    def value(self) -> Self:
        return self

    def _payload(self) -> dict[str, Any]:
        """Records as [column, cell] pairs, so their column order survives sorted keys."""
        return {
            "records": [list(record.data.items()) for record in self.records],
            "schema": None if self.schema is None else self.schema._to_json(),
        }

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        schema = payload["schema"]
        return cls(
            [TableRecord(dict(pairs)) for pairs in payload["records"]],
            None if schema is None else TableSchema._from_json(schema),
        )


@dataclass(frozen=True, slots=True)
class JobMetadataValue(MetadataValue):
    """A reference to a job, optionally in a named code location."""

    type_name: ClassVar[str] = "job"
    job_name: str
    location_name: str | None = None

    def __post_init__(self) -> None:
        _check("MetadataValue.job job_name", self.job_name, str, "a str")
        wanted = "a str or None"
        _check("MetadataValue.job location_name", self.location_name, (str, type(None)), wanted)

    @property
    def value(self) -> Self:
        return self

    def _payload(self) -> dict[str, Any]:
        return {"job_name": self.job_name, "location_name": self.location_name}

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(payload["job_name"], payload["location_name"])


@dataclass(frozen=True, slots=True)
class CodeReferencesMetadataValue(MetadataValue):
    """Where a definition's source code lives: local files and/or URLs."""

    type_name: ClassVar[str] = "code_references"
    # field() keeps dataclass from taking the inherited constructor of this name as a default.
    code_references: Sequence[CodeReference] = field()  # type: ignore[assignment]

    def __post_init__(self) -> None:
        kinds = (LocalFileCodeReference, UrlCodeReference)
        wanted = "LocalFileCodeReference or UrlCodeReference"
        references = _tuple_of("code_references", self.code_references, kinds, wanted)
        _set(self, "code_references", references)

    @property
    def value(self) -> Self:
        return self

    def _payload(self) -> list[dict[str, Any]]:
        return [_code_reference_to_json(reference) for reference in self.code_references]

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls([_code_reference_from_json(reference) for reference in payload])


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


# --- standard keys ------------------------------------------------------------------------------


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


def _as_standard(key: str, value: MetadataValue) -> MetadataValue:
    """`value` checked (and retyped) for a standard key; other keys pass unchanged."""
    expected = _STANDARD.get(key)
    if expected is None:
        return value
    if expected.from_text is not None and isinstance(value, TextMetadataValue):
        value = expected.from_text(value.value)
    negative = expected.non_negative and isinstance(value, IntMetadataValue) and value.value < 0
    if value.type_name not in expected.type_names or negative:
        subject = f"{value.type_name} value {_short(value.value)}"
        raise _error(subject, f"the standard key {key} holds {expected.wanted}", expected.fix)
    return value


# --- normalisation ------------------------------------------------------------------------------

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
    raise _error(
        f"value {_short(raw)} (type {type(raw).__name__})",
        "is not a metadata value; accepted are str, int, float, bool, None, datetime, dict, "
        "list, numpy numbers, TableSchema, TableColumnLineage, AssetKey and MetadataValue",
        "wrap JSON data in MetadataValue.json(...), or convert the value to str",
    )


def _key_problems(key: object) -> list[Problem]:
    subject = f"metadata key {_short(key)}"
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
        value = _as_standard(key, _to_metadata_value(raw))
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
    return _limits.stored_metadata_problems(key, value._payload(), _dumps)


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
        raise _type_error("metadata", metadata, "a dict of str keys to values")
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


# --- stored form --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EncodedMetadata:
    """A value as stored: type name, JSON payload, and the number and text filter columns."""

    type_name: str
    payload: str
    number: float | None
    text: str | None


def encode_metadata_value(value: MetadataValue) -> EncodedMetadata:
    """The stored form of `value`; `decode_metadata_value` rebuilds an equal value from it."""
    return EncodedMetadata(
        value.type_name, _dumps(value._payload()), value._number(), value._text()
    )


def decode_metadata_value(type_name: str, payload: str) -> MetadataValue:
    """The value stored as (`type_name`, `payload`)."""
    kind = METADATA_VALUE_TYPES.get(type_name)
    if kind is None:
        raise _error(
            f"stored metadata type {type_name!r}",
            "is not a type this version of tagbase knows",
            "upgrade tagbase, or use one of: " + ", ".join(sorted(METADATA_VALUE_TYPES)),
        )
    try:
        return kind._from_payload(json.loads(payload))
    except MetadataValidationError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise _error(
            f"stored {type_name} metadata {_short(payload)}",
            f"the payload does not match the type ({error!r})",
            "rewrite the entry; the stored row is damaged or from an incompatible version",
        ) from error


# --- owners -------------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_TEAM = re.compile(r"team:[A-Za-z0-9_.-]{1,63}")
_MAX_EMAIL = 254


def _owner_problem(owner: object) -> Problem | None:
    rule = "an owner is an email address or 'team:<name>' (1-63 characters of A-Z a-z 0-9 _ . -)"
    if not isinstance(owner, str):
        return Problem(f"owner {_short(owner)} (type {type(owner).__name__})", rule, "pass a str")
    if owner.startswith("team:"):
        ok, fix = bool(_TEAM.fullmatch(owner)), "shorten the team name or replace other characters"
    else:
        ok = len(owner) <= _MAX_EMAIL and bool(_EMAIL.fullmatch(owner))
        fix = "give an email address such as 'ana@example.com', or prefix a team with 'team:'"
    return None if ok else Problem(f"owner {_short(owner)}", rule, fix)


def validate_owners(owners: Iterable[str] | None) -> tuple[str, ...]:
    """The owners, duplicates removed in order, after checking each (all problems at once).

    A single str is taken as one owner, not as an iterable of characters.
    """
    if owners is None:
        return ()
    items: list[object] = [owners] if isinstance(owners, str) else list(owners)
    problems = [problem for owner in items if (problem := _owner_problem(owner)) is not None]
    if problems:
        raise OwnerValidationError(problems)
    return tuple(dict.fromkeys(str(owner) for owner in items))
