"""names of deleted holders

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

The tag history keeps naming an entity after it is deleted ("who held `production` on date
T" answers with a name, not "(deleted #2)"):

- `deleted_entity` holds the id, uuid, kind, name and parent's name of each deleted entity that
  the history mentions; the delete writes it in its own transaction. Moves and other writes do
  no more than before.
- On SQLite, `entity` is made anew with AUTOINCREMENT: SQLite otherwise gives the id of a
  deleted newest entity to the next one, and the history of the deleted entity (and its
  tombstone) would then name the new one. PostgreSQL's sequences never reuse an id.

The downgrade drops `deleted_entity` and leaves AUTOINCREMENT in place: revision 0011's code
works the same with it, and making the table anew once more would give ids out twice again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tagbase._errors import StoreError

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UUID = sa.String(36).with_variant(sa.dialects.postgresql.UUID(as_uuid=False), "postgresql")
_NAME = sa.String(255).with_variant(sa.String(255, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "deleted_entity",
        sa.Column("id", _ID, autoincrement=False, nullable=False),
        sa.Column("uuid", _UUID, nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("scope_name", _NAME, nullable=True),
        sa.Column("deleted_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deleted_entity"),
    )
    if op.get_bind().dialect.name == "sqlite":
        _check_foreign_keys_off()
        with op.batch_alter_table(
            "entity", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    op.drop_table("deleted_entity")


def _check_foreign_keys_off() -> None:
    """Making `entity` anew drops the old table, which with foreign keys enforced deletes every
    owner and metadata entry: refuse unless the upgrade turned enforcement off."""
    if op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise StoreError(
            "revision 0012 makes the entity table anew, which SQLite can do only with foreign "
            "keys off; nothing was changed. Fix: upgrade with `tagbase db upgrade`"
        )
