"""The tag dictionary: every (key, value) pair stored once, found by a digest of the pair."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tagbase._tags import tag_string
from tagbase.store._schema import tag, tag_key
from tagbase.store._sql import (
    CHUNK,
    add_named,
    bound_list,
    chunks,
    fetch,
    in_bound_list,
    insert_new,
    on_driver,
)

Pair = tuple[str, str]


@functools.lru_cache(maxsize=65536)  # a write hashes each pair to find it, then to add it
def pair_digest(key: str, value: str) -> bytes:
    """16 bytes standing for the pair in the unique `digest` index (keys hold no NUL). A lone
    surrogate hashes too, so a lookup of one meets the text rule (`_text_guard`), not a crash."""
    text = f"{key}\x00{value}".encode(errors="surrogatepass")
    return hashlib.blake2b(text, digest_size=16).digest()


def pair_condition(key: str, value: str) -> sa.ColumnElement[bool]:
    """The dictionary row of key=value, found through the unique index."""
    return (tag.c.digest == pair_digest(key, value)) & (tag.c.key == key) & (tag.c.value == value)


@dataclass(frozen=True, slots=True)
class TagRow:
    id: int
    key_id: int
    key: str
    value: str
    exclusive: bool
    multi_valued: bool

    @property
    def name(self) -> str:
        return tag_string(self.key, self.value)


def find_tags(
    connection: sa.Connection, pairs: Iterable[Pair]
) -> tuple[dict[Pair, TagRow], dict[str, tuple[int, bool]]]:
    """Dictionary rows for the pairs that exist, and (id, multi-valued) for their keys that
    exist: what adding the missing pairs needs, read in the same statement."""
    wanted = sorted(set(pairs))
    found: dict[Pair, TagRow] = {}
    keys: dict[str, tuple[int, bool]] = {}
    for part in chunks(wanted):
        given: dict[str, Any] = {f"d{i}": pair_digest(*pair) for i, pair in enumerate(part)}
        given["values"] = bound_list(connection, sorted({key for key, _ in part}))
        statement = _find(connection.dialect.name, len(part))
        for tag_id, key_id, key, value, exclusive, multi_valued in fetch(
            connection, statement, given
        ):
            keys[key] = (key_id, bool(multi_valued))
            if tag_id is not None:
                found[(key, value)] = TagRow(
                    tag_id, key_id, key, value, bool(exclusive), bool(multi_valued)
                )
    return found, keys


@functools.lru_cache(maxsize=2 * CHUNK)
def _find(dialect: str, count: int) -> sa.CompoundSelect[Any]:
    """The lookup of `count` digests and of the keys bound as `values`, built once per count:
    run through the driver, it costs less than an expanding IN that SQLAlchemy renders anew on
    every call. Key rows come with a NULL tag id."""
    digests = [sa.bindparam(f"d{i}", type_=sa.LargeBinary) for i in range(count)]
    tags = (
        sa.select(
            tag.c.id, tag.c.key_id, tag.c.key, tag.c.value, tag.c.exclusive, tag_key.c.multi_valued
        )
        .join(tag_key, tag_key.c.id == tag.c.key_id)
        .where(tag.c.digest.in_(digests))
    )
    keys = sa.select(
        sa.null(), tag_key.c.id, tag_key.c.key, sa.null(), sa.null(), tag_key.c.multi_valued
    ).where(in_bound_list(tag_key.c.key, dialect, element=sa.Text))
    return sa.union_all(tags, keys)


def ensure_tags(connection: sa.Connection, pairs: Iterable[Pair], now: int) -> dict[Pair, TagRow]:
    """Dictionary rows for the pairs, adding the missing ones."""
    wanted = set(pairs)
    if connection.dialect.name == "postgresql" and wanted:
        found = _ensure_at_once(connection, sorted(wanted), now)
        unreturned = wanted - found.keys()  # a racing writer added their key or tag meanwhile
        return found | _ensure(connection, unreturned, now) if unreturned else found
    return _ensure(connection, wanted, now)


def _ensure(connection: sa.Connection, wanted: set[Pair], now: int) -> dict[Pair, TagRow]:
    """`ensure_tags` a statement at a time: look up, add missing keys, add missing tags."""
    found, keys = find_tags(connection, wanted)
    missing = sorted(wanted - found.keys())
    if not missing:
        return found
    new_keys = sorted({key for key, _ in missing} - keys.keys())
    for key, (key_id, multi_valued) in add_named(
        connection, tag_key, "key", new_keys, ("id", "multi_valued")
    ).items():
        keys[key] = (key_id, bool(multi_valued))
    rows = [
        {
            "key_id": keys[key][0],
            "key": key,
            "value": value,
            "digest": pair_digest(key, value),
            "created_ms": now,
            "updated_ms": now,
        }
        for key, value in missing
    ]
    added = insert_new(connection, tag, rows, ["digest"], _NEW_TAG)
    for tag_id, key, value in added:
        found[(key, value)] = TagRow(tag_id, keys[key][0], key, value, False, keys[key][1])
    _index_string_forms(connection, [tag_id for tag_id, _, _ in added])
    unreturned = wanted - found.keys()  # added by a racing writer meanwhile
    return found | find_tags(connection, unreturned)[0] if unreturned else found


_NEW_TAG = ("id", "key", "value")


def _ensure_at_once(connection: sa.Connection, wanted: list[Pair], now: int) -> dict[Pair, TagRow]:
    """`ensure_tags` in one PostgreSQL statement (a round trip costs more than its work): the
    rows of the pairs that exist, and of those it adds with their new keys. A pair whose key or
    tag a racing writer adds meanwhile is left out (its insert does nothing, and this
    statement's snapshot does not see it); the caller looks it up again."""
    keys = [key for key, _ in wanted]
    values = [value for _, value in wanted]
    digests = [pair_digest(key, value) for key, value in wanted]
    rows = on_driver(connection, _ENSURE_AT_ONCE, (keys, values, digests, now, now))
    return {
        (key, value): TagRow(tag_id, key_id, key, value, bool(exclusive), bool(multi_valued))
        for tag_id, key_id, key, value, exclusive, multi_valued in rows
    }


# Keys and tags are inserted only where missing (an insert that conflicts still spends an id of
# the sequence), in a fixed order so that concurrent writers take row locks alike.
_ENSURE_AT_ONCE = """
WITH wanted (key, value, digest) AS (
    SELECT * FROM unnest(%s::text[], %s::text[], %s::bytea[])
), found AS (
    SELECT tag.id, tag.key_id, tag.key, tag.value, tag.exclusive, tag_key.multi_valued, tag.digest
    FROM tag JOIN tag_key ON tag_key.id = tag.key_id
    WHERE tag.digest IN (SELECT digest FROM wanted)
), missing AS (
    SELECT * FROM wanted WHERE digest NOT IN (SELECT digest FROM found)
), old_keys AS (
    SELECT id, key, multi_valued FROM tag_key WHERE key IN (SELECT key FROM missing)
), new_keys AS (
    INSERT INTO tag_key (key)
    SELECT DISTINCT key FROM missing WHERE key NOT IN (SELECT key FROM old_keys) ORDER BY key
    ON CONFLICT (key) DO NOTHING
    RETURNING id, key, multi_valued
), keys AS (
    SELECT * FROM old_keys UNION ALL SELECT * FROM new_keys
), new_tags AS (
    INSERT INTO tag (key_id, key, value, digest, created_ms, updated_ms)
    SELECT keys.id, missing.key, missing.value, missing.digest, %s, %s
    FROM missing JOIN keys USING (key) ORDER BY missing.key, missing.value
    ON CONFLICT (digest) DO NOTHING
    RETURNING id, key_id, key, value
)
SELECT id, key_id, key, value, exclusive, multi_valued FROM found
UNION ALL
SELECT new_tags.id, new_tags.key_id, new_tags.key, new_tags.value, false, keys.multi_valued
FROM new_tags JOIN keys ON keys.id = new_tags.key_id
"""


# SQLite's FTS5 trigram table over tag string forms (revision 0005), where it could be made.
TAG_SEARCH = sa.table("tag_search", sa.column("rowid"), sa.column("string_form"))


def has_tag_search(connection: sa.Connection) -> bool:
    """Whether this SQLite catalog has the FTS5 table; found once per database connection."""
    if connection.dialect.name != "sqlite":
        return False
    info = connection.connection.info
    if "tag_search" not in info:
        found = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tag_search'"
        ).first()
        info["tag_search"] = found is not None
    return bool(info["tag_search"])


def _index_string_forms(connection: sa.Connection, tag_ids: list[int]) -> None:
    """Put new tags into SQLite's trigram table, in one statement: a trigger firing per row
    cost ten times as much (revision 0008). PostgreSQL's trigram index keeps itself."""
    if tag_ids and has_tag_search(connection):
        fetch(connection, _INDEX_STRING_FORMS, {"values": bound_list(connection, tag_ids)})


_INDEX_STRING_FORMS = sa.insert(TAG_SEARCH).from_select(
    ["rowid", "string_form"],
    sa.select(tag.c.id, tag.c.string_form).where(in_bound_list(tag.c.id, "sqlite")),
)
