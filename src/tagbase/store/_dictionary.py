"""How a tag's (key, value) pair is found in the tag dictionary."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from tagbase.store._schema import tag


def value_digest(value: str) -> bytes:
    """16 bytes standing for a value in the unique (key, value_digest) index."""
    return hashlib.blake2b(value.encode(), digest_size=16).digest()


def pair_condition(key: str, value: str) -> sa.ColumnElement[bool]:
    """The dictionary row of key=value, found through the unique index."""
    return (tag.c.key == key) & (tag.c.value_digest == value_digest(value)) & (tag.c.value == value)
