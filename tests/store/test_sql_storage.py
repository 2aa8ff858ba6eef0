"""How the SQL store keeps the catalog: constraints the database itself enforces, locks,
planner statistics and derived columns — details of this implementation, not the contract."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tagbase import (
    Client,
    EntitySpec,
    Kind,
    MetadataValue,
    Tag,
)
from tagbase.store import Store
from tagbase.store._schema import (
    deleted_entity,
    entity,
    metadata_key,
    metadata_latest,
    tag,
    tag_assignment,
)
from tests.store.contract.test_tags import holders


def test_a_bulk_load_on_postgresql_leaves_the_planner_fresh_statistics(
    postgresql_url_clean: str,
) -> None:
    """Plans made with the statistics of a near-empty table scan every row of a big one; a
    bulk create analyzes the tables it grew (autovacuum may be off, as on this machine)."""
    store = Store(postgresql_url_clean)
    try:
        store.add(EntitySpec("job", "load"))
        store.add_many([EntitySpec("run", scope="load", tags={"n": str(n)}) for n in range(6000)])
        with store.engine.connect() as connection:
            counted = connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = 'entity'::regclass"
            ).scalar_one()
        assert counted >= 6000
    finally:
        store.close()


def test_every_deleted_entity_leaves_a_tombstone_for_the_feed_to_name_it(client: Client) -> None:
    client.create_pipeline("p")
    client.bulk_create([EntitySpec(Kind.RUN, scope="p", name=f"r{n}") for n in range(3)])
    client.create_run("p", "tagged", tags=["x"])
    client.delete(Kind.JOB, "p", recursive=True)
    with client.store.engine.connect() as connection:
        kept = connection.execute(sa.select(deleted_entity.c.name)).scalars().all()
    assert sorted(kept) == ["p", "r0", "r1", "r2", "tagged"]


def latest_numbers(store: Store, entity_name: str) -> dict[str, float | None]:
    """The `number` column of the latest-value view, by key."""
    query = (
        sa.select(metadata_key.c.key, metadata_latest.c.number)
        .join(metadata_key, metadata_key.c.id == metadata_latest.c.key_id)
        .join(entity, entity.c.id == metadata_latest.c.entity_id)
        .where(entity.c.name == entity_name)
    )
    with store.engine.connect() as connection:
        return dict(connection.execute(query).all())


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (1000, 1000.0),
        (0.25, 0.25),
        (-3, -3.0),
        (MetadataValue.int(7), 7.0),
        (MetadataValue.float(1.5), 1.5),
        ("1000", None),
        (True, None),
        ({"rows": 3}, None),
        (None, None),
    ],
)
def test_numeric_values_are_stored_as_numbers(
    store: Store, client: Client, value: object, number: float | None
) -> None:
    client.create_artifact("orders", metadata={"value": value})
    assert latest_numbers(store, "orders") == {"value": number}


def test_the_number_column_follows_the_latest_value(store: Store, client: Client) -> None:
    client.create_artifact("orders", metadata={"rows": 10})
    client.log_metadata(Kind.ASSET, "orders", {"rows": 20})
    assert latest_numbers(store, "orders") == {"rows": 20.0}
    client.log_metadata(Kind.ASSET, "orders", {"rows": "unknown"})
    assert latest_numbers(store, "orders") == {"rows": None}


def internal_id(store: Store, entity_uuid: str) -> int:
    with store.engine.connect() as connection:
        query = sa.select(entity.c.id).where(entity.c.uuid == entity_uuid)
        return int(connection.execute(query).scalar_one())


def insert_assignment(store: Store, entity_uuid: str, tag_name: str, **columns: object) -> None:
    entity_id = internal_id(store, entity_uuid)
    with store.engine.begin() as connection:
        row = connection.execute(
            sa.select(tag.c.id, tag.c.key_id).where(tag.c.key == tag_name, tag.c.value == "")
        ).one()
        kind = connection.execute(
            sa.select(entity.c.kind).where(entity.c.id == entity_id)
        ).scalar_one()
        values = {
            "entity_id": entity_id,
            "tag_id": row.id,
            "single_key_id": row.key_id,
            "kind": kind,
            "exclusive_scope": None,
            "source": 0,
            "actor_id": None,
            "added_ms": 0,
        }
        connection.execute(tag_assignment.insert().values(values | columns))


def test_the_database_refuses_a_second_holder_of_an_exclusive_tag(
    store: Store, client: Client
) -> None:
    client.create_model("m")
    client.create_model_version("m", "1", tags=[Tag("champion", exclusive=True)])
    second = client.create_model_version("m", "2")
    scope_id = internal_id(store, client.get_model("m").id)
    with pytest.raises(sa.exc.IntegrityError):
        insert_assignment(store, second.id, "champion", exclusive_scope=scope_id)
    assert holders(client, Kind.MODEL_VERSION, "champion") == ["1"]


def test_the_database_refuses_a_second_value_of_a_single_valued_key(
    store: Store, client: Client
) -> None:
    client.create_model("m", tags=["stage=dev"])
    client.create_model("other", tags=["stage"])
    with pytest.raises(sa.exc.IntegrityError):
        insert_assignment(store, client.get_model("m").id, "stage")


@contextmanager
def tag_locked(store: Store, tag_name: str) -> Iterator[None]:
    """Hold the lock a writer of `tag_name` needs: its row on PostgreSQL, the file on SQLite."""
    writer = store.engine.connect().execution_options(tagbase_write=True)
    with writer as connection, connection.begin():
        lock = sa.select(tag.c.id).where(tag.c.key == tag_name).with_for_update()
        connection.execute(lock if connection.dialect.name == "postgresql" else sa.select(1))
        yield


def test_a_move_that_waited_for_a_lock_is_dated_when_it_happened(
    store: Store, client: Client
) -> None:
    client.create_model("m")
    client.create_model_version("m", "1", tags=[Tag("champion", exclusive=True)])
    client.create_model_version("m", "2")
    with tag_locked(store, "champion"):
        mover = threading.Thread(
            target=client.update_model_version, args=("m", "2"), kwargs={"add_tags": ["champion"]}
        )
        mover.start()
        time.sleep(0.3)  # the mover now waits for the lock
        released = datetime.now(UTC)
    mover.join(timeout=30)
    [moved, added] = client.tag_history(tag="champion")[:2]
    assert (moved.reason, added.entity.name) == ("moved", "2")
    assert moved.at >= released.replace(microsecond=released.microsecond // 1000 * 1000)
    assert added.at == moved.at
    [held] = client.get_model_version("m", "2").tags.assigned
    assert held.added_at == moved.at
