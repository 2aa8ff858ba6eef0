"""run queue, workers and daemon state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Waiting runs (`run_queue`, claimed through its `(rank, id)` index), claimed runs
(`run_lease`), workers with their heartbeats (`queue_worker`), and what the daemon remembers:
cursors of schedules and sensors (`daemon_cursor`) and launched run keys (`run_request`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["run_id"], ["entity.id"], name=op.f(f"fk_{table}_run_id_entity"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "run_queue",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("run_uuid", sa.String(length=36), nullable=False),
        sa.Column("job_name", sa.String(length=255), nullable=False),
        sa.Column("rank", sa.BigInteger(), nullable=False),
        sa.Column("queued_ms", sa.BigInteger(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        _run_fk("run_queue"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_queue")),
    )
    op.create_index(op.f("ix_run_queue_run_id"), "run_queue", ["run_id"], unique=True)
    op.create_index(op.f("ix_run_queue_rank_id"), "run_queue", ["rank", "id"], unique=False)
    op.create_table(
        "run_lease",
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("run_uuid", sa.String(length=36), nullable=False),
        sa.Column("job_name", sa.String(length=255), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("worker_id", sa.String(length=36), nullable=False),
        sa.Column("queued_ms", sa.BigInteger(), nullable=False),
        sa.Column("claimed_ms", sa.BigInteger(), nullable=False),
        sa.Column("deadline_ms", sa.BigInteger(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        _run_fk("run_lease"),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_lease")),
    )
    op.create_index(op.f("ix_run_lease_worker_id"), "run_lease", ["worker_id"], unique=False)
    op.create_table(
        "queue_worker",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("started_ms", sa.BigInteger(), nullable=False),
        sa.Column("heartbeat_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_worker")),
    )
    op.create_table(
        "daemon_cursor",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("last_tick_ms", sa.BigInteger(), nullable=True),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_daemon_cursor")),
    )
    op.create_table(
        "run_request",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("run_key", sa.String(length=255), nullable=False),
        sa.Column("run_uuid", sa.String(length=36), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_request")),
    )
    op.create_index(
        op.f("ix_run_request_origin_run_key"), "run_request", ["origin", "run_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_run_request_origin_run_key"), table_name="run_request")
    op.drop_table("run_request")
    op.drop_table("daemon_cursor")
    op.drop_table("queue_worker")
    op.drop_index(op.f("ix_run_lease_worker_id"), table_name="run_lease")
    op.drop_table("run_lease")
    op.drop_index(op.f("ix_run_queue_rank_id"), table_name="run_queue")
    op.drop_index(op.f("ix_run_queue_run_id"), table_name="run_queue")
    op.drop_table("run_queue")
