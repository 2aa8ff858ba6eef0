"""The schema the migrations build is the schema the code declares, and old ones are refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tagbase import SchemaVersionError
from tagbase.store import Store
from tagbase.store._engine import create_engine, head_revision
from tagbase.store._schema import metadata_obj


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata_obj)
    assert differences == []


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
