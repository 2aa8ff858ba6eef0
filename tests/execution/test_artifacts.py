"""The artifact store: local by default, any fsspec URL by configuration; logs as events."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tagbase import AssetExecutionContext, Client, StoreError, asset, materialize
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
