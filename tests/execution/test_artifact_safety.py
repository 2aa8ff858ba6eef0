"""tagbase reads back only what it wrote: a `tagbase/uri` set by any client is never followed,
and a stored file whose bytes changed is refused before anything is deserialised."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tagbase import (
    ArtifactIntegrityError,
    Client,
    MaterializeResult,
    NotFoundError,
    asset,
    materialize,
)
from tagbase.cli import cli
from tagbase.execution import ArtifactStore


@asset
def up() -> tuple[int, int]:
    return (1, 2)  # a tuple: tagbase pickles it


@asset
def down(up: tuple[int, int]) -> MaterializeResult:
    return MaterializeResult(value=list(up), metadata={"got": str(up)})


class _Payload:
    """Unpickling this runs code: it writes the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "pwned"


@pytest.fixture
def crafted(tmp_path: Path, marker: Path) -> str:
    """A malicious pickle inside the artifact store itself, where tagbase writes its own."""
    folder = tmp_path / "home" / "artifacts" / "assets" / "up"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "crafted.pickle"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    return f"file://{path}"


def _stored_file(client: Client, asset_name: str, version: int) -> Path:
    uri = client.get_artifact_version(asset_name, version).uri
    assert uri is not None
    return Path(uri.removeprefix("file://"))


def test_a_uri_logged_by_a_client_is_not_followed(
    client: Client, crafted: str, marker: Path
) -> None:
    materialize([up])
    client.log_metadata("asset_version", "1", {"tagbase/uri": crafted}, scope="up")
    assert client.get_artifact_version("up", 1).uri == crafted  # kept, for people
    result = materialize([up, down], selection="down")
    assert result.asset_value("down") == [1, 2]
    assert client.get_artifact_version("up", 1).load() == (1, 2)
    assert client.load_artifact("up") == (1, 2)
    assert not marker.exists()


def test_the_cli_materializing_downstream_reads_the_true_value(
    client: Client, crafted: str, marker: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project.py"
    project.write_text(
        "from tagbase import asset\n\n"
        "@asset\ndef up():\n    return (1, 2)\n\n"
        "@asset\ndef down(up):\n    return sum(up)\n"
    )
    first = CliRunner().invoke(cli, ["materialize", "--select", "up", "-f", str(project)])
    assert first.exit_code == 0, first.output
    client.log_metadata("asset_version", "1", {"tagbase/uri": crafted}, scope="up")
    second = CliRunner().invoke(cli, ["materialize", "--select", "down", "-f", str(project)])
    assert second.exit_code == 0, second.output
    assert client.load_artifact("down") == 3
    assert not marker.exists()


def test_a_tampered_file_is_refused_naming_the_version(client: Client, marker: Path) -> None:
    materialize([up])
    version = client.get_artifact_version("up", 1)
    _stored_file(client, "up", 1).write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ArtifactIntegrityError, match=f"artifact version up:1 \\({version.id}\\)"):
        version.load()
    failed = materialize([up, down], selection="down", raise_on_error=False)
    assert not failed.success
    error = client.get_run(failed.run_id).metadata["tagbase/error"].value
    assert "ArtifactIntegrityError" in error
    assert "asset version up:1" in error
    assert not marker.exists()


def test_a_file_changed_to_other_valid_data_is_refused(client: Client) -> None:
    @asset(name="numbers")
    def numbers() -> list[int]:
        return [1, 2, 3]

    materialize([numbers])
    _stored_file(client, "numbers", 1).write_text("[1, 2, 4]")  # same size, other bytes
    with pytest.raises(ArtifactIntegrityError, match="is not what tagbase wrote"):
        client.load_artifact("numbers")


def test_a_version_without_a_stored_record_is_refused_not_unpickled(
    client: Client, crafted: str, marker: Path
) -> None:
    """As a version recorded before revision 0011 is: only `tagbase/uri` says where it is."""
    client.create_artifact("up")
    client.create_artifact_version("up", metadata={"tagbase/uri": crafted})
    with pytest.raises(NotFoundError, match="before tagbase kept digests"):
        client.load_artifact("up")
    with pytest.raises(NotFoundError, match="no version whose value tagbase stored"):
        materialize([up, down], selection="down")
    assert not marker.exists()


def test_every_executor_verifies_what_it_reads(client: Client, marker: Path) -> None:
    from tagbase import multiprocess_executor

    materialize([up])
    _stored_file(client, "up", 1).write_bytes(pickle.dumps(_Payload(marker)))
    result = materialize(
        [up, down], selection="down", executor=multiprocess_executor, raise_on_error=False
    )
    assert not result.success
    assert "ArtifactIntegrityError" in str(result.steps["down"].error)
    assert not marker.exists()


def test_a_run_result_reads_its_outputs_verified(client: Client, tmp_path: Path) -> None:
    from tagbase import multiprocess_executor

    result = materialize([up, down], executor=multiprocess_executor)
    assert result.asset_value("up") == (1, 2)  # values came back through the store
    _stored_file(client, "up", 1).write_bytes(b"\x80\x05N.")
    with pytest.raises(ArtifactIntegrityError, match=f"output 'result' of run {result.run_id}"):
        result.asset_value("up")


def test_the_store_is_the_configured_one(client: Client, tmp_path: Path) -> None:
    materialize([up])
    stored = client.get_artifact_version("up", 1).stored
    assert stored is not None
    assert stored.format == "pickle"
    elsewhere = ArtifactStore(str(tmp_path / "elsewhere"))
    with pytest.raises(Exception, match="is gone"):
        elsewhere.load(stored, "up:1")
