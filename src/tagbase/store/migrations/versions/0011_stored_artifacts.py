"""stored artifacts

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24

`stored_artifact`: for each asset version whose value tagbase wrote, the location of that
value inside the artifact store, the sha256 of its bytes, their format and size. The run
recorder writes the row with the version; no public write path reaches the table, and the
artifact loader follows only it (no longer the `tagbase/uri` metadata, which any client can
set). Versions recorded before this revision get no row: their files' bytes were never
digested, so tagbase refuses to read them back rather than trust them; materializing the
asset again stores a verifiable version.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_artifact",
        sa.Column(
            "entity_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entity.id"],
            name=op.f("fk_stored_artifact_entity_id_entity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_stored_artifact")),
    )


def downgrade() -> None:
    op.drop_table("stored_artifact")
