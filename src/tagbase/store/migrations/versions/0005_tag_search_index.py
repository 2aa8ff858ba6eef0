"""tag search index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21

A tag's string form (`key` for a label, `key=value` otherwise) becomes a generated column with a
trigram index, so that contains and suffix matches over the whole tag dictionary read an index
instead of every tag: an FTS5 trigram table kept by triggers on SQLite, a pg_trgm GIN index on
PostgreSQL. Where the database lacks them (SQLite built without FTS5, PostgreSQL without the
pg_trgm extension) the column is still added and matching scans, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STRING_FORM = "CASE WHEN value = '' THEN key ELSE key || '=' || value END"


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        _upgrade_postgresql(connection)
    else:
        _upgrade_sqlite(connection)


def _upgrade_postgresql(connection: sa.Connection) -> None:
    op.execute(
        'ALTER TABLE tag ADD COLUMN string_form TEXT COLLATE "C" '
        f"GENERATED ALWAYS AS ({STRING_FORM}) STORED"
    )
    schema = _trigram_schema(connection)
    if schema is not None:
        op.execute(
            "CREATE INDEX ix_tag_string_form_trigram ON tag "
            f"USING gin (string_form {schema}.gin_trgm_ops)"
        )


def _trigram_schema(connection: sa.Connection) -> str | None:
    """The schema holding pg_trgm, installing it (into public) when it is available."""
    installed = (
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    schema = connection.exec_driver_sql(installed).scalar()
    if schema is not None:
        return str(schema)
    available = connection.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).scalar()
    if not available:
        return None
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except sa.exc.DBAPIError:  # no right to create extensions here: match by scanning
        return None
    return "public"


def _upgrade_sqlite(connection: sa.Connection) -> None:
    op.execute(
        f"ALTER TABLE tag ADD COLUMN string_form TEXT GENERATED ALWAYS AS ({STRING_FORM}) VIRTUAL"
    )
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(
                "CREATE VIRTUAL TABLE tag_search USING fts5(string_form, content='tag', "
                "content_rowid='id', tokenize='trigram case_sensitive 1')"
            )
    except sa.exc.OperationalError:  # this SQLite has no FTS5 trigram tokenizer
        return
    op.execute(
        "CREATE TRIGGER tag_search_added AFTER INSERT ON tag BEGIN "
        "INSERT INTO tag_search (rowid, string_form) VALUES (new.id, new.string_form); END"
    )
    op.execute(
        "CREATE TRIGGER tag_search_removed AFTER DELETE ON tag BEGIN "
        "INSERT INTO tag_search (tag_search, rowid, string_form) "
        "VALUES ('delete', old.id, old.string_form); END"
    )
    op.execute("INSERT INTO tag_search (tag_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tag_string_form_trigram")
    else:
        for trigger in ("tag_search_added", "tag_search_removed"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS tag_search")
    op.drop_column("tag", "string_form")  # SQLite drops a column in place since 3.35
