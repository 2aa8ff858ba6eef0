"""The catalog query language: one syntax tree, several front-ends, SQL and in-memory back-ends."""

from tagbase.query._ast import (
    And,
    Compare,
    CreatedCompare,
    Everything,
    HasKey,
    Match,
    MetadataCompare,
    MetadataMatch,
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
    all_of,
)
from tagbase.query._evaluate import Candidate, matches
from tagbase.query._parser import parse
from tagbase.query._tag_filters import from_name_filter, from_operator_strings, from_tag_dict

__all__ = [
    "And",
    "Candidate",
    "Compare",
    "CreatedCompare",
    "Everything",
    "HasKey",
    "Match",
    "MetadataCompare",
    "MetadataMatch",
    "NameMatch",
    "Node",
    "Not",
    "Or",
    "OwnerIs",
    "ScopeIs",
    "StatusIn",
    "TagIs",
    "TagMatch",
    "TagValueIn",
    "all_of",
    "from_name_filter",
    "from_operator_strings",
    "from_tag_dict",
    "matches",
    "parse",
]
