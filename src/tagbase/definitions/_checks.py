"""Checks run when a decorator runs: every bad tag, metadata entry and owner in one error."""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TypeVar

from tagbase._errors import (
    DefinitionError,
    MetadataValidationError,
    OwnerValidationError,
    Problem,
    TagValidationError,
    _ProblemsError,
)
from tagbase._kinds import Kind
from tagbase._tag_aliases import resolve_aliases
from tagbase._tags import KIND_TAG_PREFIX, Tag, TagsInput, normalize_tags
from tagbase.metadata import MetadataValue, normalize_metadata, validate_owners

T = TypeVar("T")
GROUP_TAG = "tagbase/group"
_ERRORS: tuple[type[_ProblemsError], ...] = (
    TagValidationError,
    MetadataValidationError,
    OwnerValidationError,
)


def _aliases_checked(tags: tuple[Tag, ...]) -> tuple[Tag, ...]:
    resolve_aliases(tags)
    return tags


class Checks:
    """Collects the problems of one definition, then raises them together."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.problems: list[tuple[type[_ProblemsError], Problem]] = []

    def run(self, check: Callable[[], T], fallback: T) -> T:
        """The check's result, or `fallback` after noting its problems."""
        try:
            return check()
        except _ERRORS as error:
            self.problems.extend((type(error), problem) for problem in error.problems)
            return fallback

    def tags(self, tags: TagsInput, kind: Kind) -> tuple[Tag, ...]:
        """The tags as written; a `dagster/` alias's value is checked as its `tagbase/` key's
        now, not at the first launch."""
        return self.run(lambda: _aliases_checked(normalize_tags(tags, kind=kind)), ())

    def metadata(self, metadata: Mapping[str, object] | None) -> Mapping[str, MetadataValue]:
        empty: dict[str, MetadataValue] = {}
        checked = self.run(lambda: normalize_metadata(metadata), empty)
        return MappingProxyType(checked)

    def owners(self, owners: Iterable[str] | None) -> tuple[str, ...]:
        return self.run(lambda: validate_owners(owners), ())

    def add(self, subject: str, rule: str, fix: str) -> None:
        self.problems.append((DefinitionError, Problem(subject, rule, fix)))

    def raise_if_any(self) -> None:
        """One error with every problem: of its own type when all are of one kind."""
        if not self.problems:
            return
        kinds = {kind for kind, _ in self.problems}
        problems = [
            Problem(f"{self.subject}: {problem.subject}", problem.rule, problem.fix)
            for _, problem in self.problems
        ]
        error_type = kinds.pop() if len(kinds) == 1 else DefinitionError
        raise error_type(problems)


def check_name(checks: Checks, name: str, what: str) -> None:
    """Definition names are identifiers of 1-255 characters, so that selections can name them."""
    allowed = name.replace("-", "_").replace(".", "_")
    if not allowed.isidentifier() or keyword.iskeyword(name) or len(name) > 255:
        checks.add(
            f"{what} name {name!r}",
            "a name is 1-255 letters, digits, '_', '-' and '.', not starting with a digit",
            f"rename it, e.g. {_suggest(name)!r}",
        )


def _suggest(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_-." else "_" for c in name) or "name"
    return ("_" + cleaned if cleaned[0].isdigit() else cleaned)[:255]


def kind_tags(checks: Checks, kinds: Iterable[str] | None) -> tuple[Tag, ...]:
    """`kinds={"python"}` as the labels `tagbase/kind/python`."""
    if kinds is None:
        return ()
    if isinstance(kinds, str):
        kinds = [kinds]
    return checks.tags([f"{KIND_TAG_PREFIX}{kind}" for kind in sorted(kinds)], Kind.ASSET)


def group_tag(checks: Checks, group_name: str | None) -> tuple[Tag, ...]:
    return checks.tags({GROUP_TAG: group_name or "default"}, Kind.ASSET)
