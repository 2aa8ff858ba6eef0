"""Dagster's run tag keys, read as tagbase's own: `dagster/priority` is `tagbase/priority`.

Code written for Dagster says `dagster/max_runtime` or `dagster/priority`; stored as plain
tags they would do nothing, silently. Every `dagster/` key whose `tagbase/` twin is one of
tagbase's run keys is recorded under that twin (and checked as it is), and the run notes the
alias it was given as (`tagbase/tag_aliases`). A twin given as well wins over its alias.
"""

from __future__ import annotations

from collections.abc import Sequence

from tagbase._errors import Problem, TagValidationError
from tagbase._kinds import Kind
from tagbase._tags import RESERVED_PREFIX, SYSTEM_TAG_KEYS, Tag, TagPolicy, tag_problems

ALIAS_PREFIX = "dagster/"
ALIASES_METADATA = "tagbase/tag_aliases"  # on a run: {canonical key: the alias given}


def canonical_key(key: str) -> str | None:
    """The `tagbase/` key an alias stands for, or None if `key` is no alias."""
    if not key.startswith(ALIAS_PREFIX):
        return None
    twin = RESERVED_PREFIX + key.removeprefix(ALIAS_PREFIX)
    return twin if twin in SYSTEM_TAG_KEYS else None


def resolve_aliases(tags: Sequence[Tag]) -> tuple[tuple[Tag, ...], dict[str, str]]:
    """`tags` with every alias under its canonical key (checked as that key is), and the
    aliases met: {canonical key: alias}. All bad values are reported in one error."""
    given = {tag.key for tag in tags}
    resolved: list[Tag] = []
    aliases: dict[str, str] = {}
    problems: list[Problem] = []
    for tag in tags:
        twin = canonical_key(tag.key)
        if twin is None:
            resolved.append(tag)
            continue
        aliases[twin] = tag.key
        if twin in given:  # the canonical key, given too, wins
            continue
        renamed = Tag(twin, tag.value, exclusive=tag.exclusive, cascade=tag.cascade)
        problems += [
            Problem(f"{p.subject} (given as {tag.key!r})", p.rule, p.fix)
            for p in tag_problems(renamed, kind=Kind.RUN, policy=TagPolicy.DEFAULT)
        ]
        resolved.append(renamed)
    if problems:
        raise TagValidationError(problems)
    return tuple(resolved), aliases
