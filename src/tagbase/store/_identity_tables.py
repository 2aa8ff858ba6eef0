"""Users, their teams and tokens, tag policies and the audit list of refused attempts
(revision 0014). Tokens are stored as a SHA-256 digest only."""

from __future__ import annotations

import sqlalchemy as sa

from tagbase.store._schema import Id, Millis, bytewise_text, metadata_obj

tagbase_user = sa.Table(
    "tagbase_user",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("name", bytewise_text(255), nullable=False, unique=True),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("role", sa.SmallInteger, nullable=False),  # a `Role`
    sa.Column("service", sa.Boolean, nullable=False),
    sa.Column("created_ms", Millis, nullable=False),
)

team_member = sa.Table(
    "team_member",
    metadata_obj,
    sa.Column("team", bytewise_text(255), primary_key=True),
    sa.Column(
        "user_id",
        Id,
        sa.ForeignKey("tagbase_user.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Index(None, "user_id"),
)

api_token = sa.Table(
    "api_token",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("user_id", Id, sa.ForeignKey("tagbase_user.id", ondelete="CASCADE"), nullable=False),
    sa.Column("label", sa.String(255), nullable=True),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),  # hex SHA-256
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("created_ms", Millis, nullable=False),
    sa.Column("expires_ms", Millis, nullable=True),
    sa.Column("revoked_ms", Millis, nullable=True),
    sa.Column("last_used_ms", Millis, nullable=True),
    sa.Index(None, "user_id"),
)

tag_policy = sa.Table(
    "tag_policy",
    metadata_obj,
    sa.Column("target", bytewise_text(255), primary_key=True),  # `key` or `key=value`
    sa.Column("allowed_values", sa.Text, nullable=True),  # a JSON list
    sa.Column("allowed_pattern", sa.Text, nullable=True),
    sa.Column("assignable_by", sa.Text, nullable=False),  # a JSON list
    sa.Column("required_on", sa.Text, nullable=False),  # a JSON list of kind names
    sa.Column("updated_ms", Millis, nullable=False),
    sa.Column("actor", sa.String(255), nullable=True),
)

audit_entry = sa.Table(
    "audit_entry",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("at_ms", Millis, nullable=False),
    sa.Column("actor", sa.String(255), nullable=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Index(None, "at_ms"),
)
