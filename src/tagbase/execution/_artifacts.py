"""The artifact store: step outputs written to files, through fsspec, and read back.

The store lives under `$TAGBASE_HOME/artifacts` unless `TAGBASE_ARTIFACT_STORE` (or
`artifact_store` in tagbase.yaml) names another folder or any fsspec URL (`s3://bucket/x`,
`memory://x`...). pandas DataFrames and pyarrow tables are written as parquet when pyarrow is
installed, and get their row count and column schema recorded; anything else is pickled.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec
import yaml

from tagbase._errors import InvalidInputError, StoreError
from tagbase._metadata import MetadataValue, StandardMetadataKeys, TableColumn, TableSchema

_PANDAS = ".pandas.parquet"
_ARROW = ".arrow.parquet"
_PICKLE = ".pickle"


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a value went, and what was learnt about it on the way."""

    uri: str
    metadata: Mapping[str, MetadataValue]


def _configured_base(home: Path) -> str:
    given = os.environ.get("TAGBASE_ARTIFACT_STORE")
    if not given:
        settings_file = home / "tagbase.yaml"
        if settings_file.exists():
            settings = yaml.safe_load(settings_file.read_text()) or {}
            given = settings.get("artifact_store") if isinstance(settings, dict) else None
    return str(given or home / "artifacts")


class ArtifactStore:
    """Reads and writes step outputs under one base folder or URL."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.base)

    @classmethod
    def from_environment(cls) -> ArtifactStore:
        home = Path(os.environ.get("TAGBASE_HOME") or Path.home() / ".tagbase")
        return cls(_configured_base(home))

    def save(self, value: Any, *parts: str) -> Stored:
        """Write `value` at base/parts...; its URI and the table metadata it carries."""
        kind = _table_kind(value)
        suffix = {"pandas": _PANDAS, "arrow": _ARROW}.get(kind or "", _PICKLE)
        if suffix != _PICKLE and not _has_pyarrow():
            suffix = _PICKLE
        path = "/".join([self.root, *(_safe(part) for part in parts)]) + suffix
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            _write(value, suffix, handle)
        uri = self.fs.unstrip_protocol(path)
        metadata: dict[str, MetadataValue] = {StandardMetadataKeys.URI: MetadataValue.uri(uri)}
        metadata.update(table_metadata(value))
        return Stored(uri, metadata)

    def load(self, uri: str) -> Any:
        fs, path = fsspec.core.url_to_fs(uri)
        if not fs.exists(path):
            raise StoreError(
                f"the artifact at {uri} is gone. Fix: restore the artifact store, or "
                "materialize the asset again"
            )
        with fs.open(path, "rb") as handle:
            if path.endswith(_PANDAS):
                import pandas as pd

                return pd.read_parquet(handle)
            if path.endswith(_ARROW):
                import pyarrow.parquet as pq

                return pq.read_table(handle)
            return pickle.load(handle)


def _safe(part: str) -> str:
    return part.replace("::", "__").replace(":", "_")


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _write(value: Any, suffix: str, handle: Any) -> None:
    if suffix == _PANDAS:
        value.to_parquet(handle)
    elif suffix == _ARROW:
        import pyarrow.parquet as pq

        pq.write_table(value, handle)
    else:
        try:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            raise InvalidInputError(
                f"output value of type {type(value).__name__} cannot be stored: {error}. "
                "Fix: return a picklable value (plain data, a DataFrame, an arrow table)"
            ) from error


def _table_kind(value: Any) -> str | None:
    module = type(value).__module__.split(".")[0]
    name = type(value).__name__
    if module == "pandas" and name == "DataFrame":
        return "pandas"
    if module == "pyarrow" and name == "Table":
        return "arrow"
    return None


def table_metadata(value: Any) -> dict[str, MetadataValue]:
    """Row count and column schema of a pandas DataFrame or pyarrow table; {} otherwise."""
    kind = _table_kind(value)
    if kind is None:
        return {}
    if kind == "pandas":
        columns = [(str(name), str(dtype)) for name, dtype in value.dtypes.items()]
    else:
        columns = [(field.name, str(field.type)) for field in value.schema]
    metadata: dict[str, MetadataValue] = {
        StandardMetadataKeys.ROW_COUNT: MetadataValue.int(len(value))
    }
    if len({name for name, _ in columns}) == len(columns):  # a schema needs unique names
        schema = TableSchema(columns=[TableColumn(name, kind) for name, kind in columns])
        metadata[StandardMetadataKeys.COLUMN_SCHEMA] = MetadataValue.table_schema(schema)
    return metadata
