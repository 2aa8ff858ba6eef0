"""step tags in the run queue

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

Tag concurrency limits and priority read the tags of the ops and assets a run executes, as
well as the run's own: `run_queue` and `run_lease` keep them (`step_tags`, a JSON list of
[key, value] pairs). Runs queued before hold none (`[]`), as they had none before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_TABLES = ("run_queue", "run_lease")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("step_tags", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("step_tags")
