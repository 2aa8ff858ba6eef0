"""users, tokens, tag policies and the audit list

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

A team server authenticates people and service accounts by token: `tagbase_user` (a role,
teams in `team_member`), `api_token` (a SHA-256 digest per token, never the token). Governed
tags keep their rules in `tag_policy` (allowed values, who may assign, required kinds), and
every attempt a policy or a permission refused is kept in `audit_entry`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _bytewise(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "tagbase_user",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("name", _bytewise(255), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("role", sa.SmallInteger(), nullable=False),
        sa.Column("service", sa.Boolean(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tagbase_user")),
        sa.UniqueConstraint("name", name=op.f("uq_tagbase_user_name")),
    )
    op.create_table(
        "team_member",
        sa.Column("team", _bytewise(255), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["tagbase_user.id"],
            name=op.f("fk_team_member_user_id_tagbase_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team", "user_id", name=op.f("pk_team_member")),
    )
    op.create_index(op.f("ix_team_member_user_id"), "team_member", ["user_id"])
    op.create_table(
        "api_token",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("label", sa.String(255), nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=True),
        sa.Column("revoked_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_used_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["tagbase_user.id"],
            name=op.f("fk_api_token_user_id_tagbase_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_token_digest")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"])
    op.create_table(
        "tag_policy",
        sa.Column("target", _bytewise(255), nullable=False),
        sa.Column("allowed_values", sa.Text(), nullable=True),
        sa.Column("allowed_pattern", sa.Text(), nullable=True),
        sa.Column("assignable_by", sa.Text(), nullable=False),
        sa.Column("required_on", sa.Text(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("target", name=op.f("pk_tag_policy")),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index(op.f("ix_audit_entry_at_ms"), "audit_entry", ["at_ms"])


def downgrade() -> None:
    for table in ("audit_entry", "tag_policy", "api_token", "team_member", "tagbase_user"):
        op.drop_table(table)
