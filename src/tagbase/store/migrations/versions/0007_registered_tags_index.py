"""registered tags index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21

The few registered tags, found without reading the whole tag dictionary: the web UI reads them
on every page (for the chips' colours), and a dictionary holds a tag per run when runs carry
their own ids as tags.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tag_registered",
        "tag",
        ["id"],
        sqlite_where=sa.text("registered = 1"),
        postgresql_where=sa.text("registered"),
    )


def downgrade() -> None:
    op.drop_index("ix_tag_registered", table_name="tag")
