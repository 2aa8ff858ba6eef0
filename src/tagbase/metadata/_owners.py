"""Owners of a catalog entity: email addresses or 'team:<name>'."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tagbase._errors import OwnerValidationError, Problem
from tagbase.metadata._checks import short

_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_TEAM = re.compile(r"team:[A-Za-z0-9_.-]{1,63}")
_MAX_EMAIL = 254


def _owner_problem(owner: object) -> Problem | None:
    rule = "an owner is an email address or 'team:<name>' (1-63 characters of A-Z a-z 0-9 _ . -)"
    if not isinstance(owner, str):
        return Problem(f"owner {short(owner)} (type {type(owner).__name__})", rule, "pass a str")
    if owner.startswith("team:"):
        ok, fix = bool(_TEAM.fullmatch(owner)), "shorten the team name or replace other characters"
    else:
        ok = len(owner) <= _MAX_EMAIL and bool(_EMAIL.fullmatch(owner))
        fix = "give an email address such as 'ana@example.com', or prefix a team with 'team:'"
    return None if ok else Problem(f"owner {short(owner)}", rule, fix)


def validate_owners(owners: Iterable[str] | None) -> tuple[str, ...]:
    """The owners, duplicates removed in order, after checking each (all problems at once).

    A single str is taken as one owner, not as an iterable of characters.
    """
    if owners is None:
        return ()
    items: list[object] = [owners] if isinstance(owners, str) else list(owners)
    problems = [problem for owner in items if (problem := _owner_problem(owner)) is not None]
    if problems:
        raise OwnerValidationError(problems)
    return tuple(dict.fromkeys(str(owner) for owner in items))
