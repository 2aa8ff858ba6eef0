"""The record of what tagbase stored for a version: written with it, by the recorder only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tagbase import AlreadyExistsError, EntitySpec, InvalidInputError
from tagbase._records import StoredArtifact
from tagbase.store import Store

A = StoredArtifact("assets/a/r/s/o.json", "ab" * 32, "json", 7)
B = StoredArtifact("assets/a/r2/s/o.json", "cd" * 32, "json", 9)


def _rows(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM stored_artifact").scalar_one())


def test_versions_are_recorded_with_what_was_stored(store: Store) -> None:
    store.add(EntitySpec("asset", "a"))
    first, made_by_hand, second, _newest_by_hand = store.add_asset_versions(
        [EntitySpec("asset_version", scope="a") for _ in range(4)], [A, None, B, None]
    )
    assert store.find_stored_artifact(first) == A
    assert store.find_stored_artifact(made_by_hand) is None
    latest = store.find_latest_stored("a")
    assert latest is not None
    assert (latest[0].id, latest[0].display_name, latest[1]) == (second, "a:3", B)
    assert store.find_latest_stored("no-such-asset") is None


def test_the_record_is_written_in_the_version_transaction(store: Store) -> None:
    store.add(EntitySpec("asset", "a"))
    store.add_asset_versions([EntitySpec("asset_version", "v1", scope="a")], [A])
    with pytest.raises(AlreadyExistsError):
        store.add_asset_versions(
            [
                EntitySpec("asset_version", "v2", scope="a"),
                EntitySpec("asset_version", "v1", scope="a"),
            ],
            [B, B],
        )
    assert _rows(store) == 1
    assert store.find("asset_version", "v2", "a") is None


def test_public_writes_cannot_change_the_record(store: Store) -> None:
    store.add(EntitySpec("asset", "a"))
    (version,) = store.add_asset_versions([EntitySpec("asset_version", scope="a")], [A])
    forged = {"tagbase/uri": "file:///tmp/evil.pickle", "stored_artifact": B.location}
    store.log_metadata("asset_version", version, metadata=forged)
    store.update("asset_version", version, name="renamed", metadata=forged)
    store.add_many([EntitySpec("asset_version", scope="a", metadata=forged)])
    assert store.find_stored_artifact(version) == A
    latest = store.find_latest_stored("a")
    assert latest is not None
    assert latest[1] == A


def test_only_asset_versions_hold_a_record(store: Store) -> None:
    with pytest.raises(InvalidInputError, match="only versions"):
        store.add_asset_versions([EntitySpec("model", "m")], [A])
    with pytest.raises(InvalidInputError, match="2 versions but 1"):
        store.add_asset_versions([EntitySpec("model", "m"), EntitySpec("model", "n")], [None])


def test_deleting_a_version_deletes_its_record(store: Store) -> None:
    store.add(EntitySpec("asset", "a"))
    store.add_asset_versions([EntitySpec("asset_version", scope="a")] * 2, [A, B])
    store.delete("asset_version", 2, "a")
    assert _rows(store) == 1
    store.delete("asset", "a", recursive=True)
    assert _rows(store) == 0
    with store.engine.connect() as connection:
        assert sa.inspect(connection).has_table("stored_artifact")
