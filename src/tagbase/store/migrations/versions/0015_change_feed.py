"""the change feed's outbox

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

`change_event` holds every catalog change, written in the transaction that makes it, its id
in commit order (see `store/_outbox.py`). Rows are ids and small integers, with compact JSON
only where needed. Deleted entities now all leave a tombstone, since the feed names each.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "change_event",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", _ID, nullable=True),
        sa.Column("entity_id", _ID, nullable=True),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column("other_id", _ID, nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_event")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("change_event")
