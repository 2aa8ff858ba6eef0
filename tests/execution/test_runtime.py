"""The runtime: what is installed is what runs, syncs and clients use; nothing opens early."""

from __future__ import annotations

from pathlib import Path

from tagbase import Client, Kind, asset, materialize
from tagbase._config import Config
from tagbase.execution import ArtifactStore
from tagbase.execution._runtime import Runtime, current_runtime, use_runtime
from tagbase.store import Store


@asset
def answer() -> int:
    return 42


@asset
def who_runs_me() -> str:
    return str(Client().store.url)  # a step's own client: of the run's catalog


def test_a_runtime_from_a_configuration_opens_nothing_until_used(tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    runtime = Runtime(config=Config.load(home=home))
    assert not home.exists()
    assert runtime.artifacts.base == str(home / "artifacts")
    assert not home.exists()
    assert runtime.store.url == f"sqlite:///{home / 'tagbase.db'}"
    assert (home / "tagbase.db").exists()
    runtime.close()


def test_what_is_installed_is_what_clients_and_runs_use(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'other.db'}", actor="tester")
    runtime = Runtime(store, ArtifactStore(str(tmp_path / "things")))
    outside = current_runtime()
    with use_runtime(runtime):
        assert current_runtime() is runtime
        assert Client().store is store
        result = materialize([answer, who_runs_me])
    assert current_runtime() is outside
    assert result.output_for_node("who_runs_me") == store.url
    assert result.artifact_base == str(tmp_path / "things")
    assert store.count(Kind.ASSET_VERSION) == 2
    assert Client().store is not store
    assert Client().count(Kind.ASSET_VERSION) == 0
    store.close()


def test_runtimes_nest(tmp_path: Path) -> None:
    first = Runtime(config=Config.load(home=tmp_path / "a"))
    second = Runtime(config=Config.load(home=tmp_path / "b"))
    with use_runtime(first):
        with use_runtime(second):
            assert current_runtime() is second
        assert current_runtime() is first
