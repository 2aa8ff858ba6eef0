"""`MetadataValue` and its typed subclasses, one per stored type name.

Each class has a stored `type_name` that never depends on the class name, and a compact JSON
payload (`_payload` / `_from_payload`); `_number` and `_text` fill the filter columns. The
static constructors (`MetadataValue.url(...)`) need every subclass, so all live here.
"""

from __future__ import annotations

import builtins
import json
import math
import numbers
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Final, Self

from tagbase.metadata._asset_key import AssetKey, as_asset_key
from tagbase.metadata._checks import (
    canonical_json,
    check_type,
    float_from_payload,
    float_payload,
    int_number,
    invalid,
    set_field,
    utc_seconds,
)
from tagbase.metadata._references import (
    CodeReference,
    reference_from_json,
    reference_to_json,
    reference_tuple,
)
from tagbase.metadata._tables import (
    TableColumnLineage,
    TableRecord,
    TableSchema,
    table_from_json,
    table_records,
    table_to_json,
)

TEXT_COLUMN_LIMIT: Final = 1024


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
        seconds = utc_seconds(value) if isinstance(value, datetime) else value
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
    def code_references(code_references: Sequence[CodeReference]) -> CodeReferencesMetadataValue:
        return CodeReferencesMetadataValue(code_references)

    @staticmethod
    def asset(asset_key: AssetKey | str | Sequence[str]) -> AssetMetadataValue:
        return AssetMetadataValue(as_asset_key(asset_key))

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
        check_type(f"MetadataValue.{self.type_name}", self.value, str, "a str")
        set_field(self, "value", str(self.value))

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
        check_type("MetadataValue.int", self.value, numbers.Integral, "an int")
        set_field(self, "value", int(self.value))

    def _number(self) -> float | None:
        return int_number(self.value)


@dataclass(frozen=True, slots=True)
class FloatMetadataValue(_Single):
    """A float. NaN and infinities are allowed: their payload is the JSON string "NaN",
    "Infinity" or "-Infinity", they leave the number column empty, and NaN equals NaN here so
    that a stored NaN decodes to an equal value.
    """

    type_name: ClassVar[str] = "float"
    value: float

    def __post_init__(self) -> None:
        check_type("MetadataValue.float", self.value, numbers.Real, "a float")
        set_field(self, "value", float(self.value))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FloatMetadataValue):
            return NotImplemented
        both_nan = math.isnan(self.value) and math.isnan(other.value)
        return both_nan or self.value == other.value

    def __hash__(self) -> int:
        return hash("NaN") if math.isnan(self.value) else hash(self.value)

    def _payload(self) -> float | str:
        return float_payload(self.value)

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(float_from_payload(payload))

    def _number(self) -> float | None:
        return self.value if math.isfinite(self.value) else None


@dataclass(frozen=True, slots=True)
class BoolMetadataValue(_Single):
    """A bool. It leaves the number column empty: true/false is not a quantity."""

    type_name: ClassVar[str] = "bool"
    value: bool

    def __post_init__(self) -> None:
        check_type("MetadataValue.bool", self.value, bool, "a bool")


@dataclass(frozen=True, slots=True)
class NullMetadataValue(_Single):
    type_name: ClassVar[str] = "null"
    value: None = None

    def __post_init__(self) -> None:
        check_type("MetadataValue.null", self.value, type(None), "None")


@dataclass(frozen=True, slots=True)
class TimestampMetadataValue(_Single):
    """A point in time as seconds since the Unix epoch (UTC)."""

    type_name: ClassVar[str] = "timestamp"
    value: float

    def __post_init__(self) -> None:
        check_type("MetadataValue.timestamp", self.value, numbers.Real, "seconds as a float")
        if not math.isfinite(self.value):
            subject = f"MetadataValue.timestamp {self.value!r}"
            raise invalid(subject, "must be finite", "pass a time")
        set_field(self, "value", float(self.value))

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
        check_type("MetadataValue.storage_size", self.value, numbers.Integral, "an int of bytes")
        if self.value < 0:
            raise invalid(f"MetadataValue.storage_size {self.value}", "must be >= 0", "pass 0+")
        set_field(self, "value", int(self.value))

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
        return int_number(self.value)


@dataclass(frozen=True, slots=True)
class _Block(_Single):
    """A value holding one building block (`block`); its payload is the block's JSON form."""

    block: ClassVar[type[Any]]

    def __post_init__(self) -> None:
        wanted = f"a {self.block.__name__}"
        check_type(f"MetadataValue.{self.type_name}", self.value, self.block, wanted)

    def _payload(self) -> Any:
        return self.value._to_json()

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(cls.block._from_json(payload))


@dataclass(frozen=True, slots=True)
class AssetMetadataValue(_Block):
    """A reference to an asset (given as an AssetKey, a str or a list of str)."""

    type_name: ClassVar[str] = "asset"
    block: ClassVar[type[Any]] = AssetKey
    value: AssetKey

    def __post_init__(self) -> None:
        set_field(self, "value", as_asset_key(self.value))


@dataclass(frozen=True, slots=True)
class TableSchemaMetadataValue(_Block):
    type_name: ClassVar[str] = "table_schema"
    block: ClassVar[type[Any]] = TableSchema
    value: TableSchema


@dataclass(frozen=True, slots=True)
class TableColumnLineageMetadataValue(_Block):
    type_name: ClassVar[str] = "column_lineage"
    block: ClassVar[type[Any]] = TableColumnLineage
    value: TableColumnLineage


class _Whole(MetadataValue):
    """A value of several fields; `value` is the value itself."""

    __slots__ = ()

    @property
    def value(self) -> Self:
        return self


@dataclass(frozen=True, slots=True, init=False, repr=False)
class JsonMetadataValue(MetadataValue):
    """JSON data (dict, list, str, number, bool or None).

    The data is kept as canonical JSON text, so the value is immutable: `value` returns a fresh
    copy, and equality means equal JSON (so 1 and 1.0 differ, as they do once stored).
    """

    type_name: ClassVar[str] = "json"
    json_text: str

    def __init__(self, data: object) -> None:
        object.__setattr__(self, "json_text", canonical_json(data))

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


@dataclass(frozen=True, slots=True)
class TableMetadataValue(_Whole):
    """Rows of a small table, with an optional schema naming their columns."""

    type_name: ClassVar[str] = "table"
    records: Sequence[TableRecord]
    schema: TableSchema | None = None

    def __post_init__(self) -> None:
        set_field(self, "records", table_records(self.records, self.schema))

    def _payload(self) -> dict[str, Any]:
        return table_to_json(self.records, self.schema)

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(*table_from_json(payload))


@dataclass(frozen=True, slots=True)
class JobMetadataValue(_Whole):
    """A reference to a job, optionally in a named code location."""

    type_name: ClassVar[str] = "job"
    job_name: str
    location_name: str | None = None

    def __post_init__(self) -> None:
        check_type("MetadataValue.job job_name", self.job_name, str, "a str")
        wanted = "a str or None"
        check_type("MetadataValue.job location_name", self.location_name, (str, type(None)), wanted)

    def _payload(self) -> dict[str, Any]:
        return {"job_name": self.job_name, "location_name": self.location_name}

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls(payload["job_name"], payload["location_name"])


@dataclass(frozen=True, slots=True)
class CodeReferencesMetadataValue(_Whole):
    """Where a definition's source code lives: local files and/or URLs."""

    type_name: ClassVar[str] = "code_references"
    # field() keeps dataclass from taking the inherited constructor of this name as a default.
    code_references: Sequence[CodeReference] = field()  # type: ignore[assignment]

    def __post_init__(self) -> None:
        set_field(self, "code_references", reference_tuple(self.code_references))

    def _payload(self) -> list[dict[str, Any]]:
        return [reference_to_json(reference) for reference in self.code_references]

    @classmethod
    def _from_payload(cls, payload: Any) -> Self:
        return cls([reference_from_json(reference) for reference in payload])
