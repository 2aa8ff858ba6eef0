"""The database schema: one table set for SQLite and PostgreSQL.

Integer surrogate keys join everything; UUIDs are only the public face of entities. Times are
integer milliseconds since the epoch. Tag strings live once in `tag_key` and `tag`; assignments
point at them and are indexed both ways ("entities with this tag", "tags of this entity").
The current state lives in `tag_assignment` and `metadata_latest`; what was replaced or removed
lives in `tag_history` and `metadata_entry`, so "as of time T" questions have an answer;
`deleted_entity` keeps the names of deleted entities that history still mentions.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata_obj = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# Tags and tag keys are numbered in 4 bytes (two billion of each), which makes every assignment
# row and by-tag index entry 8 bytes smaller on PostgreSQL (revision 0009). Entities and the
# rest keep 8-byte ids. (SQLite stores any integer in as few bytes as its value needs.)
TagId = sa.Integer
Millis = sa.BigInteger
# An entity's public id: 16 bytes as PostgreSQL's `uuid` instead of 37 as text (revision 0010),
# the same 36 characters on SQLite. It reaches Python as text on both (see `use_text_uuids`).
EntityUuid = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")


def bytewise_text(length: int | None = None) -> sa.types.TypeEngine[str]:
    """Text compared byte by byte on both databases, so that prefix matches can use an index
    and sort orders agree (SQLite compares bytes; PostgreSQL needs the C collation)."""
    plain = sa.String(length) if length else sa.Text()
    collated = sa.String(length, collation="C") if length else sa.Text(collation="C")
    return plain.with_variant(collated, "postgresql")


actor = sa.Table(
    "actor",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
)

entity = sa.Table(
    "entity",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("uuid", EntityUuid, nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("name", bytewise_text(255), nullable=False),
    # The parent: the asset of an asset version, the job of a run... 0 for top-level kinds,
    # so that (kind, scope_id, name) can be unique on both databases.
    sa.Column("scope_id", Id, nullable=False),
    sa.Column("number", sa.Integer, nullable=True),  # version sequence within the scope
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("status", sa.String(32), nullable=True),
    sa.Column("created_ms", Millis, nullable=False),
    sa.Column("updated_ms", Millis, nullable=False),
    sa.Index(None, "uuid", unique=True),
    # Unique within a scope; led by (kind, name), it also finds a name across scopes (0009).
    sa.Index(None, "kind", "name", "scope_id", unique=True),
    sa.Index(None, "kind", "id"),  # newest entities of a kind first
    sa.Index(None, "scope_id", "kind", "id"),  # newest versions, runs... of a parent first
    # An id is never used twice (SQLite would reuse a deleted newest one), so history, queue
    # leases and tombstones that name an id never name another entity later (0011).
    sqlite_autoincrement=True,
)

# What the tag history still says of a deleted entity that held tags: its name and its
# parent's, kept under its own (never reused) id by the delete, in the same transaction (0011).
deleted_entity = sa.Table(
    "deleted_entity",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=False),
    sa.Column("uuid", EntityUuid, nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("name", bytewise_text(255), nullable=False),
    sa.Column("scope_name", bytewise_text(255), nullable=True),
    sa.Column("deleted_ms", Millis, nullable=False),
)

owner = sa.Table(
    "owner",
    metadata_obj,
    sa.Column("entity_id", Id, sa.ForeignKey("entity.id", ondelete="CASCADE"), nullable=False),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.PrimaryKeyConstraint("entity_id", "owner"),
    sa.Index(None, "owner", "entity_id"),
    sqlite_with_rowid=False,
)

tag_key = sa.Table(
    "tag_key",
    metadata_obj,
    sa.Column("id", TagId, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(255), nullable=False, unique=True),
    sa.Column("multi_valued", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("color", sa.String(32), nullable=True),
)

STRING_FORM = "CASE WHEN value = '' THEN key ELSE key || '=' || value END"

tag = sa.Table(
    "tag",
    metadata_obj,
    sa.Column("id", TagId, primary_key=True, autoincrement=True),
    sa.Column("key_id", TagId, sa.ForeignKey("tag_key.id"), nullable=False),
    sa.Column("key", bytewise_text(255), nullable=False),  # copied from tag_key for cheap reads
    sa.Column("value", bytewise_text(), nullable=False),
    # A digest of (key, value) makes the pair unique and findable in one probe, even for values
    # too long for an index entry (PostgreSQL refuses btree rows over ~2.7 kB; values reach 8 KiB).
    sa.Column("digest", sa.LargeBinary(16), nullable=False),
    # The tag registry: a registered tag has a description, a colour and behaviours.
    sa.Column("registered", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("exclusive", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("cascade", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("color", sa.String(32), nullable=True),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("created_ms", Millis, nullable=False),
    sa.Column("updated_ms", Millis, nullable=False),
    # The string form, `key` or `key=value`, trigram-indexed for contains matches (0005).
    sa.Column("string_form", bytewise_text(), sa.Computed(STRING_FORM)),
    sa.Index(None, "digest", unique=True),
    # The few registered tags, without a scan of a dictionary of millions (0007).
    sa.Index(
        "ix_tag_registered",
        "id",
        sqlite_where=sa.text("registered = 1"),
        postgresql_where=sa.text("registered"),
    ),
    sa.Index(None, "key"),
)

tag_usage = sa.Table(
    "tag_usage",
    metadata_obj,
    sa.Column("tag_id", TagId, sa.ForeignKey("tag.id"), nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("tag_id", "kind"),
    sqlite_with_rowid=False,
)

# How many entities each (kind, scope) holds, kept with every create and delete: an unfiltered
# count is a lookup here, not a walk over a million index entries (0006).
entity_count = sa.Table(
    "entity_count",
    metadata_obj,
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("scope_id", Id, nullable=False),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("kind", "scope_id"),
    sqlite_with_rowid=False,
)

SOURCES = ("definition", "launch", "user", "system", "cascade", "api")
REMOVAL_REASONS = ("removed", "replaced", "moved", "deleted")

tag_assignment = sa.Table(
    "tag_assignment",
    metadata_obj,
    # No foreign keys: they doubled the cost of tagging. The store removes an entity's or a
    # tag's assignments itself, before deleting it (revision 0003).
    sa.Column("entity_id", Id, nullable=False),
    sa.Column("tag_id", TagId, nullable=False),
    # Set only while the tag's key takes one value per entity: the key's id, unique per entity
    # (a partial index). One column, not a flag and the key id: PostgreSQL's row header holds
    # one null bit a column, and 8 columns keep it 24 bytes where 9 make it 32 (0010).
    sa.Column("single_key_id", TagId, nullable=True),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    # Set only while the tag is exclusive: the scope in which just one entity may hold it.
    sa.Column("exclusive_scope", Id, nullable=True),
    sa.Column("source", sa.SmallInteger, nullable=False),
    sa.Column("actor_id", Id, nullable=True),
    sa.Column("added_ms", Millis, nullable=False),
    sa.PrimaryKeyConstraint("entity_id", "tag_id"),
    sa.Index("ix_tag_assignment_by_tag", "tag_id", "kind", "entity_id"),
    sa.Index(
        "uq_tag_assignment_exclusive",
        "tag_id",
        "kind",
        "exclusive_scope",
        unique=True,
        sqlite_where=sa.text("exclusive_scope IS NOT NULL"),
        postgresql_where=sa.text("exclusive_scope IS NOT NULL"),
    ),
    sa.Index(
        "uq_tag_assignment_single_value",
        "entity_id",
        "single_key_id",
        unique=True,
        sqlite_where=sa.text("single_key_id IS NOT NULL"),
        postgresql_where=sa.text("single_key_id IS NOT NULL"),
    ),
    sqlite_with_rowid=False,
)

tag_history = sa.Table(
    "tag_history",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("entity_id", Id, nullable=False),
    sa.Column("tag_id", TagId, sa.ForeignKey("tag.id"), nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("scope_id", Id, nullable=False),
    sa.Column("added_ms", Millis, nullable=False),
    sa.Column("added_source", sa.SmallInteger, nullable=False),
    sa.Column("added_actor_id", Id, nullable=True),
    sa.Column("removed_ms", Millis, nullable=False),
    sa.Column("removed_source", sa.SmallInteger, nullable=False),
    sa.Column("removed_actor_id", Id, nullable=True),
    sa.Column("reason", sa.SmallInteger, nullable=False),
    sa.Column("successor_id", Id, nullable=True),  # the entity an exclusive tag moved to
    sa.Index(None, "entity_id", "removed_ms"),
    sa.Index(None, "tag_id", "kind", "scope_id", "removed_ms"),
)

metadata_key = sa.Table(
    "metadata_key",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(255), nullable=False, unique=True),
)

metadata_entry = sa.Table(
    "metadata_entry",
    metadata_obj,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("entity_id", Id, sa.ForeignKey("entity.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key_id", Id, sa.ForeignKey("metadata_key.id"), nullable=False),
    sa.Column("type", sa.String(24), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("number", sa.Float, nullable=True),
    sa.Column("source", sa.SmallInteger, nullable=False),
    sa.Column("actor_id", Id, nullable=True),
    sa.Column("at_ms", Millis, nullable=False),
    sa.Index(None, "entity_id", "key_id", "id"),
)

metadata_latest = sa.Table(
    "metadata_latest",
    metadata_obj,
    sa.Column("entity_id", Id, sa.ForeignKey("entity.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key_id", Id, nullable=False),
    sa.Column("entry_id", Id, nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("number", sa.Float, nullable=True),
    sa.Column("text", bytewise_text(1024), nullable=True),
    sa.PrimaryKeyConstraint("entity_id", "key_id"),
    sa.Index(None, "key_id", "kind", "number"),
    sa.Index(None, "key_id", "kind", "text"),
    sqlite_with_rowid=False,
)
