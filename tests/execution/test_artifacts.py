"""The artifact store: local by default, any fsspec URL by configuration; logs as events;
formats, digests, and locations that no name can move out of the store."""

from __future__ import annotations

import enum
import hashlib
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagbase import (
    ArtifactConfig,
    ArtifactIntegrityError,
    AssetExecutionContext,
    Client,
    StoreError,
    asset,
    materialize,
    pipeline,
    step,
)
from tagbase._records import StoredArtifact
from tagbase.execution import ArtifactStore
from tagbase.execution._artifacts import table_metadata


@asset
def greeting(context: AssetExecutionContext) -> str:
    context.log.info("saying hello")
    return "hello"


def test_outputs_go_under_the_home_folder_by_default(client: Client, tmp_path: Path) -> None:
    result = materialize([greeting])
    uri = str(client.get_artifact_version("greeting", 1).uri)
    assert uri.startswith(f"file://{tmp_path / 'home' / 'artifacts'}")
    logs = [e.message for e in client.list_run_events(result.run_id) if e.event == "log"]
    assert logs == ["INFO: saying hello"]


def test_any_fsspec_url_can_hold_them(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGBASE_ARTIFACT_STORE", "memory://tagbase-test")
    materialize([greeting])
    version = client.get_artifact_version("greeting", 1)
    assert str(version.uri).startswith("memory://")
    assert "tagbase-test/assets/greeting/" in str(version.uri)
    assert version.load() == "hello"


def test_the_home_configuration_file_names_the_store(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "tagbase.yaml").write_text(f"artifact_store: {tmp_path / 'elsewhere'}\n")
    assert ArtifactStore.from_environment().base == str(tmp_path / "elsewhere")


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    store = ArtifactStore(str(tmp_path))
    stored = store.save([1], "assets", "x", "v1")
    Path(stored.uri.removeprefix("file://")).unlink()
    with pytest.raises(StoreError, match="the stored value of v1 is gone"):
        store.load(stored.artifact, "v1")


def test_tables_with_duplicate_columns_get_a_row_count_only() -> None:
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    assert set(table_metadata(frame)) == {"tagbase/row_count"}
    assert table_metadata([1, 2]) == {}


# -- formats: JSON for what JSON holds exactly, Parquet for tables, pickle for the rest ------

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_json_values)
def test_json_values_are_stored_as_json_and_read_back_equal(tmp_path: Path, value: Any) -> None:
    store = ArtifactStore(str(tmp_path))
    stored = store.save(value, "assets", "v")
    assert stored.artifact.format == "json"
    assert stored.artifact.location.endswith(".json")
    assert store.load(stored.artifact, "v") == value


class Colour(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize(
    "value",
    [(1, 2), {1: "a"}, Colour.RED, [Colour.RED], {"x": (1,)}, [float("inf")], {"a": {1, 2}}],
    ids=["tuple", "int-keys", "intenum", "nested-intenum", "nested-tuple", "infinity", "set"],
)
def test_values_json_would_change_are_pickled_and_keep_their_types(
    tmp_path: Path, value: Any
) -> None:
    store = ArtifactStore(str(tmp_path))
    stored = store.save(value, "assets", "v")
    assert stored.artifact.format == "pickle"
    back = store.load(stored.artifact, "v")
    assert repr(back) == repr(value)
    assert type(back) is type(value)


def test_tables_are_stored_as_parquet(tmp_path: Path) -> None:
    store = ArtifactStore(str(tmp_path))
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    table = pa.table({"score": [0.5, 0.7]})
    saved_frame, saved_table = store.save(frame, "f"), store.save(table, "t")
    assert (saved_frame.artifact.format, saved_table.artifact.format) == (
        "pandas-parquet",
        "arrow-parquet",
    )
    written = (tmp_path / saved_frame.artifact.location).read_bytes()
    assert written[:4] == written[-4:] == b"PAR1"  # a Parquet file, not a pickle
    pd.testing.assert_frame_equal(store.load(saved_frame.artifact, "f"), frame)
    assert store.load(saved_table.artifact, "t").equals(table)


def test_the_digest_and_size_are_those_of_the_bytes_written(tmp_path: Path) -> None:
    store = ArtifactStore(str(tmp_path))
    stored = store.save({"a": [1, 2]}, "assets", "v").artifact
    written = (tmp_path / stored.location).read_bytes()
    assert stored.sha256 == hashlib.sha256(written).hexdigest()
    assert stored.size == len(written)


def test_bytes_appended_to_a_file_are_refused(tmp_path: Path) -> None:
    store = ArtifactStore(str(tmp_path))
    stored = store.save([1], "v").artifact
    with (tmp_path / stored.location).open("ab") as handle:
        handle.write(b" ")
    with pytest.raises(ArtifactIntegrityError, match=r"of 4 bytes read, .* of 3 recorded"):
        store.load(stored, "v1")


@pytest.mark.parametrize(
    "location",
    ["../outside.json", "/etc/passwd", "a/../../b", "a\\..\\b", "a\x00b", "", "a//b",
     "file:///etc/passwd", ".hidden", "a/./b"],
)  # fmt: skip
def test_a_location_tagbase_would_not_write_is_refused(tmp_path: Path, location: str) -> None:
    store = ArtifactStore(str(tmp_path / "store"))
    (tmp_path / "outside.json").write_text("[1]")
    forged = StoredArtifact(location, hashlib.sha256(b"[1]").hexdigest(), "json", 3)
    with pytest.raises(ArtifactIntegrityError, match="is not one tagbase writes"):
        store.load(forged, "version v1")


def test_a_format_tagbase_does_not_write_is_refused(tmp_path: Path) -> None:
    store = ArtifactStore(str(tmp_path))
    stored = store.save([1], "v").artifact
    with pytest.raises(ArtifactIntegrityError, match="format 'yaml'"):
        store.load(replace(stored, format="yaml"), "v")


# -- names never become paths ----------------------------------------------------------------

HOSTILE_NAMES = ["../../x", "..", ".", "/abs/olute", "a\\..\\b", "nul\x00byte", "n" * 1000, ""]


def _files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_names_stay_inside_a_local_store(tmp_path: Path, name: str) -> None:
    root = tmp_path / "deep" / "store"
    store = ArtifactStore(str(root))
    before = _files(tmp_path)
    stored = store.save([1], "assets", name, name, name)
    (made,) = _files(tmp_path) - before
    assert made.resolve().is_relative_to(root.resolve())
    assert all(len(part) <= 255 for part in made.parts)
    assert store.load(stored.artifact, name) == [1]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_names_stay_inside_a_memory_store(name: str) -> None:
    from fsspec.implementations.memory import MemoryFileSystem

    root = f"/tagbase-{uuid.uuid4().hex}"
    store = ArtifactStore(f"memory://{root}")
    before = set(MemoryFileSystem.store)
    stored = store.save([1], "assets", name, name)
    (made,) = set(MemoryFileSystem.store) - before
    assert made.startswith(f"{root}/assets/")
    assert "/../" not in made
    assert store.load(stored.artifact, name) == [1]


@pytest.mark.parametrize("name", ["../../escaped", "/abs/x", "a\\b", "x/../../y", ".."])
@pytest.mark.parametrize("where", ["local", "memory"])
def test_artifact_names_of_steps_stay_inside_the_store(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, where: str
) -> None:
    from fsspec.implementations.memory import MemoryFileSystem

    root = f"/tagbase-{uuid.uuid4().hex}"
    if where == "memory":
        monkeypatch.setenv("TAGBASE_ARTIFACT_STORE", f"memory://{root}")
    before, memory_before = _files(tmp_path), set(MemoryFileSystem.store)

    def make() -> list[int]:
        return [1, 2]

    make.__annotations__["return"] = Annotated[list[int], ArtifactConfig(name=name)]

    @pipeline
    def hostile() -> None:
        step(make)()

    hostile()
    assert client.get_artifact_version(name).load() == [1, 2]
    if where == "local":
        made = {path for path in _files(tmp_path) - before if "catalog.db" not in path.name}
        (written,) = made
        assert written.resolve().is_relative_to((tmp_path / "home" / "artifacts").resolve())
    else:
        (made_key,) = set(MemoryFileSystem.store) - memory_before
        assert made_key.startswith(f"{root}/assets/")
