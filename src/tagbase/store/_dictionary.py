"""How a tag's (key, value) pair is found in the tag dictionary: by a digest of the pair."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from tagbase.store._schema import tag


def pair_digest(key: str, value: str) -> bytes:
    """16 bytes standing for the pair in the unique `digest` index (keys hold no NUL)."""
    return hashlib.blake2b(f"{key}\x00{value}".encode(), digest_size=16).digest()


def pair_condition(key: str, value: str) -> sa.ColumnElement[bool]:
    """The dictionary row of key=value, found through the unique index."""
    return (tag.c.digest == pair_digest(key, value)) & (tag.c.key == key) & (tag.c.value == value)
