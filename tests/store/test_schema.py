"""The schema the migrations build is the schema the code declares, and old ones are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tagbase import ConflictError, EntitySpec, SchemaVersionError, StoreError
from tagbase._tag_settings import TagSettings
from tagbase.query import from_operator_strings, parse
from tagbase.store import Store
from tagbase.store._engine import create_engine, current_revision, head_revision, upgrade
from tagbase.store._schema import metadata_obj


def _declared(name: str | None, type_: str, _parents: object) -> bool:
    """The trigram index of tag strings is made with raw SQL where the database offers one (an
    FTS5 virtual table with shadow tables on SQLite, a pg_trgm index on PostgreSQL), so it is
    not declared; the next test checks it."""
    if type_ == "table" and name is not None and name.startswith("tag_search"):
        return False
    return not (type_ == "index" and name == "ix_tag_string_form_trigram")


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _declared})
        differences = compare_metadata(context, metadata_obj)
    assert differences == []


def test_tag_strings_have_a_trigram_index(store: Store) -> None:
    with store.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert sa.inspect(connection).has_table("tag_search")
        else:
            indexes = sa.inspect(connection).get_indexes("tag")
            assert "ix_tag_string_form_trigram" in {index["name"] for index in indexes}


def test_the_trigram_index_holds_every_tag_however_it_was_added(store: Store) -> None:
    """SQLite's FTS5 table is filled by the store, not by a trigger (revision 0008): tags added
    one at a time, in bulk and by retagging are all found; deleted ones are gone."""
    store.add(EntitySpec("job", "j"))
    store.add(EntitySpec("run", scope="j", tags={"single": "alpha"}))
    store.add_many([EntitySpec("run", scope="j", tags={"bulk": f"beta-{n}"}) for n in range(200)])
    store.retag("run", query=parse("tag:bulk=beta-1*"), add=["gamma=delta"])
    store.delete_tag("bulk=beta-7")
    for pattern, expected in (("lph", 1), ("eta-1", 111), ("mma=del", 111), ("eta-7", 10)):
        assert store.count("run", query=from_operator_strings([f"contains:{pattern}"])) == expected
    if store.engine.dialect.name == "sqlite":
        with store.engine.begin() as connection:  # FTS5 compares index and tag table
            connection.exec_driver_sql(
                "INSERT INTO tag_search (tag_search, rank) VALUES ('integrity-check', 1)"
            )


def test_a_new_database_gets_the_newest_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        revision = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert revision.scalar_one() == head_revision()


def test_an_old_schema_is_refused_with_the_upgrade_command(store_url: str) -> None:
    Store(store_url).close()
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0000'"))
    engine.dispose()
    try:
        with pytest.raises(SchemaVersionError) as raised:
            Store(store_url)
    finally:
        with engine.begin() as connection:
            connection.execute(
                sa.text(f"UPDATE alembic_version SET version_num = '{head_revision()}'")
            )
        engine.dispose()
    assert "tagbase db upgrade" in str(raised.value)
    assert "0000" in str(raised.value)


def test_the_trigram_index_is_built_for_tags_that_existed_before_it(store_url: str) -> None:
    from alembic import command

    from tagbase import Client, Kind
    from tagbase.store._engine import alembic_config

    store = Store(store_url)
    Client(store).create(Kind.MODEL, "m", tags={"note": "before-the-index"})
    with store.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0004")
    upgrade(store.engine)
    store.close()
    store = Store(store_url)  # a fresh engine: nothing remembered from before the upgrade
    try:
        found = Client(store).list(Kind.MODEL, tags=["contains:the-index"])
        assert [model.name for model in found] == ["m"]
    finally:
        store.close()


def _downgrade(engine: sa.Engine, revision: str) -> None:
    from alembic import command

    from tagbase.store._engine import alembic_config

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def test_a_catalog_made_before_4_byte_tag_ids_answers_the_same_after(store_url: str) -> None:
    """Revision 0009 rewrites the tag tables (4-byte ids on PostgreSQL) and reorders the unique
    name index; tags, names and new writes work as before on a catalog that holds data."""
    store = Store(store_url)
    store.add(EntitySpec("job", "j"))
    runs = [
        EntitySpec("run", scope="j", tags={"env": f"e{n % 3}", f"run-{n}": ""}) for n in range(30)
    ]
    store.add_many(runs)
    _downgrade(store.engine, "0008")
    upgrade(store.engine)
    store.close()
    store = Store(store_url)
    try:
        store.add(EntitySpec("run", scope="j", tags={"env": "e1"}))
        assert store.count("run", query=parse("tag:env=e1")) == 11
        assert store.count("run", query=parse("tag:run-7=")) == 1
        assert store.get("run", "j-7").name == store.get("run", "j-7", scope="j").name == "j-7"
    finally:
        store.close()


def _assert_upgrade_refused(
    url: str, revision: str, breaking: str, mending: str, message: str
) -> None:
    """From `revision`, data made unfit by `breaking` stops the next upgrade with `message`
    before it changes anything; `mending` undoes it and the catalog upgrades after all."""
    engine = create_engine(url)
    try:
        _downgrade(engine, revision)
        with engine.begin() as connection:
            connection.exec_driver_sql(breaking)
        with pytest.raises(StoreError, match=message):
            upgrade(engine)
        with engine.connect() as connection:
            assert current_revision(connection) == revision
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(mending)
        upgrade(engine)
        engine.dispose()


def test_tag_ids_beyond_4_bytes_stop_the_upgrade_before_it_changes_anything(
    postgresql_url_clean: str,
) -> None:
    Store(postgresql_url_clean).close()
    used = "SELECT setval(pg_get_serial_sequence('tag', 'id'), {})"
    _assert_upgrade_refused(
        postgresql_url_clean, "0008", used.format(2**31), used.format(1), "4 bytes"
    )


def test_a_catalog_made_before_uuid_ids_and_8_column_assignments_answers_the_same_after(
    store_url: str,
) -> None:
    """Revision 0010 makes entity ids PostgreSQL uuids and rebuilds `tag_assignment` with
    `single_key_id` for `single` and `key_id` (its downgrade rebuilds those): ids, one value
    per key, multi-valued keys and exclusive tags work as before on a catalog holding data."""
    store = Store(store_url)
    store.add(EntitySpec("job", "j"))
    store.register_tag("label", TagSettings(multi_valued=True))
    store.register_tag("best", TagSettings(exclusive=True))
    specs = [
        EntitySpec("run", scope="j", tags={"env": f"e{n % 3}", "label": f"l{n % 2}", f"r{n}": ""})
        for n in range(30)
    ]
    ids = store.add_many(specs)
    store.add_tags("run", "j-1", "j", tags={"best": "", "label": "extra"})
    _downgrade(store.engine, "0009")
    with store.engine.connect() as connection:
        single = "SELECT count(*) FROM tag_assignment WHERE single"  # env, r<n> and best
        assert connection.exec_driver_sql(single).scalar_one() == 61
    upgrade(store.engine)
    store.close()
    store = Store(store_url)
    try:
        assert store.get("run", ids[7]).name == "j-8"
        assert store.get("run", "j-8", "j").id == ids[7]
        store.add(EntitySpec("run", scope="j", tags={"env": "e1"}))
        store.add_tags("run", "j-2", "j", tags={"env": "e2", "label": "extra", "best": ""})
        held = sorted(tag.name for tag in store.get("run", "j-2", "j").tags.assigned)
        assert held == ["best", "env=e2", "label=extra", "label=l1", "r1"]
        assert store.count("run", query=parse("tag:env=e1")) == 10
        assert store.count("run", query=parse("tag:label=extra")) == 2
        assert [run.name for run in store.list("run", query=parse("tag:best"))] == ["j-2"]
        with pytest.raises(ConflictError, match="j-1 \\(2 values\\)"):
            store.register_tag("label", TagSettings(multi_valued=False))
    finally:
        store.close()


def test_an_entity_id_postgresql_would_rewrite_stops_the_upgrade_before_it_changes_anything(
    postgresql_url_clean: str,
) -> None:
    store = Store(postgresql_url_clean)
    made = store.add(EntitySpec("job", "j")).id
    uppercase = "UPDATE entity SET uuid = upper(uuid)"
    lowercase = "UPDATE entity SET uuid = lower(uuid)"
    _assert_upgrade_refused(
        postgresql_url_clean, "0009", uppercase, lowercase, "not a lowercase uuid"
    )
    assert store.get("job", made).name == "j"
    store.close()


def test_versions_stored_before_digests_are_refused_until_materialized_again(
    store_url: str,
) -> None:
    """Revision 0011 adds `stored_artifact`, what the loader follows. A version stored before
    it has only its `tagbase/uri`, which any client could have set: it is not read back (nor
    passed to a downstream asset) until the asset is materialized again. The downgrade drops
    the table and leaves the catalog as it was."""
    from tagbase import Client, NotFoundError, asset, materialize

    @asset
    def numbers() -> list[int]:
        return [1, 2, 3]

    @asset
    def total(numbers: list[int]) -> int:
        return sum(numbers)

    store = Store(store_url)
    materialize([numbers], store=store)
    assert Client(store).load_artifact("numbers") == [1, 2, 3]
    _downgrade(store.engine, "0010")
    with store.engine.connect() as connection:
        assert not sa.inspect(connection).has_table("stored_artifact")
    upgrade(store.engine)
    store.close()
    store = Store(store_url)
    try:
        client = Client(store)
        assert client.get_artifact_version("numbers", 1).uri is not None  # kept, for people
        with pytest.raises(NotFoundError, match=r"before tagbase kept digests.*'numbers' again"):
            client.load_artifact("numbers")
        with pytest.raises(NotFoundError, match="Fix: materialize 'numbers' first"):
            materialize([numbers, total], selection="total", store=store)
        materialize([numbers], store=store)
        assert materialize([numbers, total], selection="total", store=store).success
        assert client.load_artifact("total") == 6
        assert client.get_artifact_version("numbers", 2).load() == [1, 2, 3]
    finally:
        store.close()


def _entity_table_sql(engine: sa.Engine) -> str:
    with engine.connect() as connection:
        found = "SELECT sql FROM sqlite_master WHERE name = 'entity'"
        return str(connection.exec_driver_sql(found).scalar_one())


def test_a_catalog_made_before_tombstones_keeps_its_data_and_names_deleted_holders_after(
    store_url: str,
) -> None:
    """Revision 0012 adds `deleted_entity` and, on SQLite, makes `entity` anew with
    AUTOINCREMENT (foreign keys off, so no owner or metadata row goes with the old table); its
    downgrade drops the tombstones. Owners, metadata, tags and ids are as before."""
    from tagbase import Client, Kind

    store = Store(store_url)
    client = Client(store)
    client.create_tag("production", exclusive=True)
    client.create_model("m", owners=["team:ml"], metadata={"accuracy": 0.9})
    first = client.create_model_version("m", "1", tags=["production"], metadata={"n": 1})
    client.create_model_version("m", "2", tags=["production"])
    client.delete_model_version("m", "1")
    _downgrade(store.engine, "0011")
    with store.engine.connect() as connection:
        assert not sa.inspect(connection).has_table("deleted_entity")
    upgrade(store.engine)
    store.close()
    store = Store(store_url)
    client = Client(store)
    try:
        model = client.get_model("m")
        assert (model.owners, model.metadata["accuracy"].value) == (("team:ml",), 0.9)
        assert client.get_model_version("m", "2").has_tag("production")
        client.delete_model_version("m", "2")
        named = {e.entity.display_name for e in client.tag_history(tag="production")}
        # Version 1 was deleted before tombstones were kept; version 2 after.
        [unnamed] = named - {"m:2"}
        assert unnamed.startswith("#")
        assert first.id not in unnamed
        newer = client.create_model_version("m", "3")
        assert client.tag_history(Kind.MODEL_VERSION, newer.id) == []
    finally:
        store.close()


def test_sqlite_entity_ids_are_never_reused_after_the_upgrade(tmp_path: Path) -> None:
    from alembic import command

    from tagbase.store._engine import alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with engine.begin() as connection:  # revisions before 0012 make no table anew
            command.upgrade(alembic_config(connection), "0011")
        assert "AUTOINCREMENT" not in _entity_table_sql(engine)
        upgrade(engine)
        assert "AUTOINCREMENT" in _entity_table_sql(engine)
    finally:
        engine.dispose()


def test_revision_0012_refuses_to_run_with_sqlite_foreign_keys_on(tmp_path: Path) -> None:
    """Made anew with enforcement on, `entity` would take every owner and metadata row with
    it: the migration refuses unless run through `upgrade` (`tagbase db upgrade`)."""
    from alembic import command

    from tagbase.store._engine import alembic_config

    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    store = Store(url)
    store.add(EntitySpec("model", "m", owners=["team:ml"]))
    _downgrade(store.engine, "0011")
    refused = pytest.raises(StoreError, match="tagbase db upgrade")
    with refused, store.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with store.engine.connect() as connection:
        assert current_revision(connection) == "0011"
    upgrade(store.engine)
    assert store.get("model", "m").owners == ("team:ml",)
    store.close()


def test_runs_queued_before_step_tags_are_claimed_after_the_upgrade(store_url: str) -> None:
    """Revision 0013 adds `step_tags` (the tags of a run's ops and assets, which limits read)
    to `run_queue` and `run_lease`; runs queued before hold none, and its downgrade drops it."""
    from tagbase import Client, job, op
    from tagbase._concurrency import TagConcurrencyLimit

    @op(tags={"database": "redshift"})
    def load() -> int:
        return 1

    @job
    def warehouse() -> None:
        load()

    store = Store(store_url)
    client = Client(store)
    before = client.launch_run(warehouse)
    _downgrade(store.engine, "0012")
    with store.engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("run_queue")}
    assert "step_tags" not in columns
    upgrade(store.engine)
    store.close()
    store = Store(store_url)
    try:
        after = Client(store).launch_run(warehouse)
        limits = (TagConcurrencyLimit("database", 0, "redshift"),)  # never a redshift run
        lease = store.claim("w", None, limits, 0)
        assert lease is not None
        assert (lease.run_uuid, lease.step_tags) == (before.id, ())
        assert store.claim("w", None, limits, 0) is None  # `after` holds the op's tag
        assert after.status == "queued"
    finally:
        store.close()
