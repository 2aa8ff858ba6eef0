"""The in-memory evaluator: the reference semantics the SQL compiler is tested against."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from tagbase._tags import tag_string
from tagbase.metadata import EncodedMetadata
from tagbase.query._ast import (
    And,
    AssetIs,
    CreatedCompare,
    Everything,
    HasKey,
    MadeByRun,
    MetadataCompare,
    MetadataHasKey,
    MetadataIs,
    MetadataMatch,
    MetadataTimeCompare,
    NameMatch,
    Node,
    Not,
    Or,
    OwnerIs,
    ScopeIs,
    StatusIn,
    TagIs,
    TagMatch,
    TagValueIn,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the evaluator needs to know of an entity: its latest metadata in the stored form
    (the number and text columns SQL compares), the assets it relates to (that a run
    materialized; the asset of a version) and the run that made it."""

    name: str
    tags: Collection[tuple[str, str]]
    owners: Collection[str] = ()
    status: str | None = None
    scope_name: str | None = None
    created_ms: int = 0
    metadata: Mapping[str, EncodedMetadata] = field(default_factory=dict)
    assets: Collection[str] = ()
    run: Candidate | None = None


BOOL_STORED = {True: ("bool", "true"), False: ("bool", "false")}  # type name and payload


def matches(node: Node, entity: Candidate) -> bool:
    match node:
        case Everything():
            return True
        case TagIs(key, value):
            return (key, value) in entity.tags
        case HasKey(key):
            return any(tag_key == key for tag_key, _ in entity.tags)
        case TagValueIn(key, values):
            return any(k == key and v in values for k, v in entity.tags)
        case TagMatch(key, match, pattern):
            texts = (
                [tag_string(k, v) for k, v in entity.tags]
                if key is None
                else [v for k, v in entity.tags if k == key]
            )
            return any(match.test(text, pattern) for text in texts)
        case NameMatch(match, pattern):
            return match.test(entity.name, pattern)
        case OwnerIs(owner):
            return owner in entity.owners
        case StatusIn(values):
            return entity.status in values
        case ScopeIs(name):
            return entity.scope_name == name
        case CreatedCompare(op, millis):
            return op.test(entity.created_ms, millis)
        case MetadataCompare(key, op, number):
            found = entity.metadata.get(key)
            return found is not None and found.number is not None and op.test(found.number, number)
        case MetadataMatch(key, match, pattern):
            found = entity.metadata.get(key)
            return found is not None and found.text is not None and match.test(found.text, pattern)
        case MetadataHasKey(key):
            return key in entity.metadata
        case MetadataIs(key, flag):
            found = entity.metadata.get(key)
            return found is not None and (found.type_name, found.payload) == BOOL_STORED[flag]
        case MetadataTimeCompare(key, op, seconds):
            found = entity.metadata.get(key)
            return (
                found is not None
                and found.type_name == "timestamp"
                and found.number is not None
                and op.test(found.number, seconds)
            )
        case AssetIs(name):
            return name in entity.assets
        case MadeByRun(condition):
            return entity.run is not None and matches(condition, entity.run)
        case Not(operand):
            return not matches(operand, entity)
        case And(operands):
            return all(matches(operand, entity) for operand in operands)
        case Or(operands):
            return any(matches(operand, entity) for operand in operands)
    raise TypeError(f"unknown query node {node!r}")
