"""The structured building blocks of table values: schemas, columns, records, column lineage.

They accept lists and dicts but keep tuples and read-only mappings, so every one is immutable
and hashable; `_to_json` / `_from_json` give the payload the value classes store.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Self, TypeAlias

from tagbase._errors import MetadataValidationError, Problem
from tagbase._tags import strict_problems
from tagbase.metadata._asset_key import AssetKey, as_asset_key
from tagbase.metadata._checks import check_type, invalid, set_field, str_mapping, tuple_of

TableCell: TypeAlias = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class TableColumnConstraints:
    """What a column guarantees: nullability, uniqueness, and free-text other constraints."""

    nullable: bool = True
    unique: bool = False
    other: Sequence[str] = ()

    def __post_init__(self) -> None:
        check_type("TableColumnConstraints.nullable", self.nullable, bool, "a bool")
        check_type("TableColumnConstraints.unique", self.unique, bool, "a bool")
        set_field(self, "other", tuple_of("TableColumnConstraints.other", self.other, str, "str"))

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
        set_field(self, "other", tuple_of("TableConstraints.other", self.other, str, "str"))


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One column of a table schema. Tags follow the strict tag rule of definition tags."""

    name: str
    type: str = "string"
    description: str | None = None
    constraints: TableColumnConstraints | None = None
    tags: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        check_type("TableColumn.name", self.name, str, "a str")
        where = f"column {self.name!r}"
        check_type(f"{where} type", self.type, str, "a str such as 'string' or 'int'")
        check_type(f"{where} description", self.description, (str, type(None)), "a str or None")
        constraints = self.constraints or TableColumnConstraints()
        check_type(
            f"{where} constraints", constraints, TableColumnConstraints, "TableColumnConstraints"
        )
        tags = str_mapping(f"{where} tags", self.tags or {})
        problems = [
            Problem(f"{where} {problem.subject}", problem.rule, problem.fix)
            for key, value in tags.items()
            for problem in strict_problems(key, value)
        ]
        if problems:
            raise MetadataValidationError(problems)
        set_field(self, "constraints", constraints)
        set_field(self, "tags", tags)

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
        columns = tuple_of("TableSchema.columns", self.columns, TableColumn, "TableColumn")
        constraints = self.constraints or TableConstraints()
        check_type("TableSchema.constraints", constraints, TableConstraints, "TableConstraints")
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
        set_field(self, "columns", columns)
        set_field(self, "constraints", constraints)

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
        check_type("TableRecord.data", self.data, Mapping, "a dict of column name to value")
        for key, cell in self.data.items():
            check_type("TableRecord column name", key, str, "a str")
            wanted = "a str, int, float, bool or None"
            check_type(f"TableRecord[{key!r}]", cell, (str, int, float, bool, type(None)), wanted)
            if isinstance(cell, float) and not math.isfinite(cell):
                raise invalid(f"TableRecord[{key!r}] {cell!r}", "must be finite", "use None")
        set_field(self, "data", MappingProxyType(dict(self.data)))

    def __hash__(self) -> int:
        return hash(frozenset(self.data.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self.data),))

    def _to_json(self) -> list[list[Any]]:
        """[column, cell] pairs, so the column order survives the sorted-keys payload."""
        return [list(pair) for pair in self.data.items()]

    @classmethod
    def _from_json(cls, data: Any) -> Self:
        return cls(dict(data))


def table_records(
    records: Sequence[TableRecord], schema: TableSchema | None
) -> tuple[TableRecord, ...]:
    """The records of a table value as a tuple, checked against its schema (if any)."""
    rows = tuple_of("MetadataValue.table records", records, TableRecord, "TableRecord")
    wanted = "a TableSchema or None"
    check_type("MetadataValue.table schema", schema, (TableSchema, type(None)), wanted)
    if schema is None:
        return rows
    columns = {column.name for column in schema.columns}
    problems = [
        Problem(f"table record {index} column {key!r}", "is not in the schema", "add it")
        for index, record in enumerate(rows)
        for key in record.data
        if key not in columns
    ]
    if problems:
        raise MetadataValidationError(problems)
    return rows


@dataclass(frozen=True, slots=True)
class TableColumnDep:
    """One upstream column a column is derived from."""

    asset_key: AssetKey
    column_name: str

    def __post_init__(self) -> None:
        set_field(self, "asset_key", as_asset_key(self.asset_key))
        check_type("TableColumnDep.column_name", self.column_name, str, "a str")

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
        check_type("TableColumnLineage.deps_by_column", self.deps_by_column, Mapping, wanted)
        frozen: dict[str, tuple[TableColumnDep, ...]] = {}
        for column, deps in self.deps_by_column.items():
            check_type("TableColumnLineage column name", column, str, "a str")
            what = f"TableColumnLineage[{column!r}]"
            frozen[column] = tuple_of(what, deps, TableColumnDep, "TableColumnDep")
        set_field(self, "deps_by_column", MappingProxyType(frozen))

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


def table_to_json(records: Sequence[TableRecord], schema: TableSchema | None) -> dict[str, Any]:
    """The payload of a table value: its records and its schema (or None)."""
    return {
        "records": [record._to_json() for record in records],
        "schema": None if schema is None else schema._to_json(),
    }


def table_from_json(data: Any) -> tuple[list[TableRecord], TableSchema | None]:
    schema = data["schema"]
    records = [TableRecord._from_json(pairs) for pairs in data["records"]]
    return records, None if schema is None else TableSchema._from_json(schema)
