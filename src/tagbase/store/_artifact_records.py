"""Where tagbase wrote each asset version's value, and the digest of what it wrote.

One row per stored version, beside the catalog rather than in its metadata: the run recorder
writes it in the transaction that creates the version, and no public write (Client updates,
`log_metadata`, the REST API, the CLI) reaches this table. The artifact loader follows only
these rows, so a client that rewrites `tagbase/uri` changes what people read, never what
tagbase deserialises (revision 0011).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from tagbase._errors import InvalidInputError
from tagbase._kinds import Kind
from tagbase._records import EntityRef, StoredArtifact
from tagbase.store._schema import Id, entity, metadata_obj, tag, tag_assignment
from tagbase.store._sql import execute_many

stored_artifact = sa.Table(
    "stored_artifact",
    metadata_obj,
    sa.Column(
        "entity_id",
        Id,
        sa.ForeignKey("entity.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("location", sa.Text, nullable=False),  # relative to the artifact store's root
    sa.Column("sha256", sa.String(64), nullable=False),  # hex
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)

_COLUMNS = (
    stored_artifact.c.location,
    stored_artifact.c.sha256,
    stored_artifact.c.format,
    stored_artifact.c.size,
)


def check(kinds: Sequence[Kind | str], stored: Sequence[StoredArtifact | None]) -> None:
    """One record (or None) per entity to create, and records for asset versions only."""
    if len(stored) != len(kinds):
        raise InvalidInputError(f"{len(kinds)} versions but {len(stored)} stored records")
    for kind, item in zip(kinds, stored, strict=True):
        if item is not None and Kind.parse(kind) is not Kind.ASSET_VERSION:
            raise InvalidInputError(f"a {kind} holds no stored value; only versions do")


def add(
    connection: sa.Connection, entity_ids: Sequence[int], stored: Sequence[StoredArtifact | None]
) -> None:
    """Keep what was written for each new version (None: a version without a stored value)."""
    rows = [
        {
            "entity_id": entity_id,
            "location": item.location,
            "sha256": item.sha256,
            "format": item.format,
            "size": item.size,
        }
        for entity_id, item in zip(entity_ids, stored, strict=True)
        if item is not None
    ]
    if rows:
        execute_many(connection, stored_artifact.insert(), rows)


def find(connection: sa.Connection, version_uuid: str) -> StoredArtifact | None:
    """What tagbase stored for the asset version with this public id, if anything."""
    row = connection.execute(
        sa.select(*_COLUMNS)
        .select_from(stored_artifact.join(entity, entity.c.id == stored_artifact.c.entity_id))
        .where(entity.c.uuid == version_uuid, entity.c.kind == Kind.ASSET_VERSION.code)
    ).first()
    return None if row is None else StoredArtifact(*row)


def latest(
    connection: sa.Connection,
    asset_id: int,
    asset_name: str,
    partition: tuple[str, str] | None = None,
) -> tuple[EntityRef, StoredArtifact] | None:
    """The newest version of an asset that tagbase stored a value for, and that value's record:
    versions made by hand (a client's `create_artifact_version`) hold none and are passed over.
    One probe of the (scope_id, kind, id) index, newest first. With `partition` (the partition
    tag's key and value), only versions of that partition count."""
    statement = (
        sa.select(entity.c.uuid, entity.c.name, *_COLUMNS)
        .select_from(entity.join(stored_artifact, stored_artifact.c.entity_id == entity.c.id))
        .where(entity.c.scope_id == asset_id, entity.c.kind == Kind.ASSET_VERSION.code)
        .order_by(entity.c.id.desc())
        .limit(1)
    )
    if partition is not None:
        of_partition = (
            sa.select(tag_assignment.c.entity_id)
            .join(tag, tag.c.id == tag_assignment.c.tag_id)
            .where(
                tag.c.key == partition[0],
                tag.c.value == partition[1],
                tag_assignment.c.kind == Kind.ASSET_VERSION.code,
            )
        )
        statement = statement.where(entity.c.id.in_(of_partition))
    row = connection.execute(statement).first()
    if row is None:
        return None
    version = EntityRef(str(row[0]), Kind.ASSET_VERSION, row[1], asset_name)
    return version, StoredArtifact(*row[2:])
