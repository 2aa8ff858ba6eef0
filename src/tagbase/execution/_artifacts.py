"""The artifact store: step outputs written to files, through fsspec, and read back verified.

The store lives under `$TAGBASE_HOME/artifacts` unless `TAGBASE_ARTIFACT_STORE` (or
`artifact_store` in tagbase.yaml) names another folder or any fsspec URL (`s3://bucket/x`,
`memory://x`...). Values that JSON holds exactly are written as JSON; pandas DataFrames and
pyarrow tables as Parquet (when pyarrow is installed), with their row count and column schema
recorded; anything else is pickled.

Writing hashes the bytes as they stream out and returns a `StoredArtifact` (the location
relative to the store's root, the sha256, the format, the size), which the run recorder keeps
beside the version. Reading takes only such a record: it checks that the location lies inside
the store, reads the bytes, and decodes them only if their digest is the one recorded, so
tagbase never deserialises a file it did not write (`tagbase/uri` is for people, not followed).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import fsspec
import yaml

from tagbase._errors import ArtifactIntegrityError, InvalidInputError, StoreError
from tagbase._records import StoredArtifact
from tagbase.execution._artifact_paths import checked_location, location_of
from tagbase.metadata import MetadataValue, StandardMetadataKeys, TableColumn, TableSchema

JSON, PANDAS, ARROW, PICKLE = "json", "pandas-parquet", "arrow-parquet", "pickle"
_SUFFIXES = {JSON: ".json", PANDAS: ".pandas.parquet", ARROW: ".arrow.parquet", PICKLE: ".pickle"}
_JSON_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a value went, what was written, and what was learnt about it on the way."""

    uri: str
    artifact: StoredArtifact
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
        self.fs, root = fsspec.core.url_to_fs(self.base)
        self.root = root.rstrip("/")

    @classmethod
    def from_environment(cls) -> ArtifactStore:
        home = Path(os.environ.get("TAGBASE_HOME") or Path.home() / ".tagbase")
        return cls.for_home(home)

    @classmethod
    def for_home(cls, home: Path) -> ArtifactStore:
        """The store a tagbase home folder configures (see the module)."""
        return cls(_configured_base(home))

    def save(self, value: Any, *names: str) -> Stored:
        """Write `value` at a location derived from `names` (each encoded, so none leaves the
        store); what was written, its URI (for people) and the table metadata it carries."""
        chosen, write = _writer(value)
        location = location_of(names, _SUFFIXES[chosen])
        path = f"{self.root}/{location}"
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            digesting = _Digesting(handle)
            write(digesting)
        artifact = StoredArtifact(location, digesting.hexdigest(), chosen, digesting.size)
        uri = self.fs.unstrip_protocol(path)
        metadata: dict[str, MetadataValue] = {StandardMetadataKeys.URI: MetadataValue.uri(uri)}
        metadata.update(table_metadata(value))
        return Stored(uri, artifact, metadata)

    def load(self, artifact: StoredArtifact, what: str) -> Any:
        """The value tagbase stored as `artifact` (for `what`, named in errors): refused with an
        ArtifactIntegrityError, before anything is decoded, unless the location lies inside
        this store and the bytes there have the recorded size and sha256."""
        path = f"{self.root}/{checked_location(artifact.location, what)}"
        uri = self.fs.unstrip_protocol(path)
        try:
            with self.fs.open(path, "rb") as handle:
                data = handle.read(artifact.size + 1)  # enough to tell that it grew
        except FileNotFoundError:
            raise StoreError(
                f"the stored value of {what} is gone from {uri}. Fix: restore the artifact "
                "store, or materialize the asset again"
            ) from None
        digest = hashlib.sha256(data).hexdigest()
        if len(data) != artifact.size or digest != artifact.sha256:
            raise ArtifactIntegrityError(
                f"the stored value of {what} at {uri} is not what tagbase wrote (sha256 "
                f"{digest} of {len(data)} bytes read, {artifact.sha256} of {artifact.size} "
                "recorded); it was not read. Fix: restore the file from a backup, or "
                "materialize the asset again"
            )
        decode = _DECODERS.get(artifact.format)
        if decode is None:
            raise ArtifactIntegrityError(
                f"the stored value of {what} has format {artifact.format!r}, which tagbase does "
                f"not write ({', '.join(_DECODERS)}). Fix: materialize the asset again"
            )
        return decode(data)


class _Digesting:
    """A write-only file that hashes and counts the bytes on their way to another."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._sha256 = hashlib.sha256()
        self.size = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        view = memoryview(data).cast("B")
        self._sha256.update(view)
        self.size += len(view)
        self._handle.write(view)
        return len(view)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._handle.flush()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def hexdigest(self) -> str:
        return self._sha256.hexdigest()


def _writer(value: Any) -> tuple[str, Callable[[_Digesting], object]]:
    """How a value is written: tables as Parquet, what JSON holds exactly as JSON, else pickle."""
    kind = _table_kind(value)
    if kind == "pandas" and _has_pyarrow():
        return PANDAS, value.to_parquet
    if kind == "arrow" and _has_pyarrow():
        import pyarrow.parquet as pq

        return ARROW, lambda handle: pq.write_table(value, handle)
    text = json_bytes(value)
    if text is not None:
        return JSON, lambda handle: handle.write(text)
    return PICKLE, lambda handle: _write_pickle(value, handle)


def json_bytes(value: Any) -> bytes | None:
    """The value as JSON, if JSON gives it back equal and of the same types: dicts with str
    keys, lists, str, int, float, bool and None, of exactly those types (a tuple would come
    back a list, an IntEnum an int), with finite floats only; else None."""
    try:
        return json.dumps(value, allow_nan=False).encode() if _plain(value) else None
    except (ValueError, RecursionError):  # NaN or infinity, an int too long, or too deep
        return None


def _plain(value: Any) -> bool:
    if type(value) in _JSON_SCALARS:
        return True
    if type(value) is list:
        return all(_plain(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    return False


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _write_pickle(value: Any, handle: _Digesting) -> None:
    try:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise InvalidInputError(
            f"output value of type {type(value).__name__} cannot be stored: {error}. "
            "Fix: return a picklable value (plain data, a DataFrame, an arrow table)"
        ) from error


def _read_pandas(data: bytes) -> Any:
    import pandas as pd

    return pd.read_parquet(io.BytesIO(data))


def _read_arrow(data: bytes) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data))


# Only ever given bytes whose sha256 is the one recorded when tagbase wrote them.
_DECODERS: dict[str, Callable[[bytes], Any]] = {
    JSON: json.loads,
    PANDAS: _read_pandas,
    ARROW: _read_arrow,
    PICKLE: pickle.loads,
}


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
