"""entity counts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21

How many entities each (kind, scope) holds, kept by the store with every create and delete, so
that an unfiltered count (the total of a runs page) is a lookup instead of a walk over every
index entry of the kind.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_count",
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("scope_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "scope_id", name=op.f("pk_entity_count")),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO entity_count (kind, scope_id, count) "
        "SELECT kind, scope_id, count(*) FROM entity GROUP BY kind, scope_id"
    )


def downgrade() -> None:
    op.drop_table("entity_count")
