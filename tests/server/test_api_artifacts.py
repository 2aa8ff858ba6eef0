"""A `tagbase/uri` written through the REST API never makes tagbase unpickle a file."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tagbase import Client, NotFoundError, asset, materialize


@asset
def up() -> tuple[int, int]:
    return (1, 2)  # a tuple: tagbase pickles it


@asset
def down(up: tuple[int, int]) -> list[int]:
    return list(up)


class _Payload:
    """Unpickling this runs code: it writes the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


def test_a_uri_set_through_the_rest_api_is_not_followed(
    api: TestClient, client: Client, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    crafted = tmp_path / "home" / "artifacts" / "crafted.pickle"  # inside the store, even
    crafted.parent.mkdir(parents=True, exist_ok=True)
    crafted.write_bytes(pickle.dumps(_Payload(marker)))
    materialize([up])
    version = client.get_artifact_version("up", 1)
    metadata = {"metadata": {"tagbase/uri": f"file://{crafted}"}}
    sent = api.post(f"/api/asset_versions/{version.id}/metadata", json=metadata)
    assert sent.status_code == 200, sent.text
    made = api.post("/api/asset_versions", json={"scope": "up", **metadata})  # newer, by hand
    assert made.status_code == 201, made.text
    assert materialize([up, down], selection="down").asset_value("down") == [1, 2]
    assert client.get_artifact_version("up", 1).load() == (1, 2)
    with pytest.raises(NotFoundError, match=r"set by hand.*materialize 'up' again"):
        client.get_artifact_version("up", 2).load()
    assert not marker.exists()
