"""run steps and events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _bytewise(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length=length).with_variant(
        sa.String(length=length, collation="C"), "postgresql"
    )


def upgrade() -> None:
    op.create_table(
        "run_step",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("step_key", _bytewise(255), nullable=False),
        sa.Column("op_name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("started_ms", sa.BigInteger(), nullable=True),
        sa.Column("ended_ms", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("stack", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["entity.id"],
            name=op.f("fk_run_step_run_id_entity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_step")),
    )
    op.create_index(
        op.f("ix_run_step_run_id_step_key"), "run_step", ["run_id", "step_key"], unique=True
    )
    op.create_table(
        "run_event",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("step_key", sa.String(length=255), nullable=True),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["entity.id"],
            name=op.f("fk_run_event_run_id_entity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_event")),
    )
    op.create_index(op.f("ix_run_event_run_id_id"), "run_event", ["run_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_run_event_run_id_id"), table_name="run_event")
    op.drop_table("run_event")
    op.drop_index(op.f("ix_run_step_run_id_step_key"), table_name="run_step")
    op.drop_table("run_step")
