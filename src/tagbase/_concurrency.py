"""Tag concurrency limits: how many runs (or steps) holding a tag may be in progress at once.

A limit `{key, value?, limit, per_unique_value?}` reads:
- with a value: at most `limit` in progress hold `key=value`;
- without one: at most `limit` in progress hold `key`, whatever its value;
- `per_unique_value: true`: each distinct value of `key` gets its own `limit`.

Pure: the run queue and the executors count what is in progress and ask `blocking_limit`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tagbase._errors import InvalidInputError

_FIELDS = frozenset({"key", "value", "limit", "per_unique_value"})


@dataclass(frozen=True, slots=True)
class TagConcurrencyLimit:
    """At most `limit` runs or steps in progress with this tag at once."""

    key: str
    limit: int
    value: str | None = None
    per_unique_value: bool = False

    def applies_to(self, tags: Mapping[str, str]) -> bool:
        if self.key not in tags:
            return False
        return self.value is None or tags[self.key] == self.value

    def counts(self, candidate: Mapping[str, str], other: Mapping[str, str]) -> bool:
        """Whether `other`, in progress, uses up the limit that `candidate` needs."""
        if not self.applies_to(other):
            return False
        return not self.per_unique_value or other[self.key] == candidate[self.key]

    def describe(self) -> str:
        what = self.key if self.value is None else f"{self.key}={self.value}"
        each = " per value" if self.per_unique_value else ""
        return f"{what}: {self.limit}{each}"


def blocking_limit(
    limits: Sequence[TagConcurrencyLimit],
    candidate: Mapping[str, str],
    in_progress: Iterable[Mapping[str, str]],
) -> TagConcurrencyLimit | None:
    """The first limit that keeps `candidate` waiting, or None if it may start now."""
    busy = list(in_progress)
    for limit in limits:
        if not limit.applies_to(candidate):
            continue
        used = sum(1 for other in busy if limit.counts(candidate, other))
        if used >= limit.limit:
            return limit
    return None


def parse_limits(given: object, where: str) -> tuple[TagConcurrencyLimit, ...]:
    """Limits from configuration (a list of mappings); every problem names value, rule, fix."""
    if given is None:
        return ()
    if not isinstance(given, list):
        raise _bad(where, given, "is not a list of limits")
    return tuple(_parse_one(item, f"{where}[{index}]") for index, item in enumerate(given))


def _parse_one(item: object, where: str) -> TagConcurrencyLimit:
    if not isinstance(item, Mapping):
        raise _bad(where, item, "is not a mapping")
    unknown = set(item) - _FIELDS
    if unknown:
        raise _bad(where, sorted(unknown), f"names unknown fields (known: {sorted(_FIELDS)})")
    key, value, limit = item.get("key"), item.get("value"), item.get("limit")
    per_unique = item.get("per_unique_value", False)
    if not isinstance(key, str) or not key:
        raise _bad(f"{where}.key", key, "is not a non-empty string")
    if value is not None and not isinstance(value, str):
        raise _bad(f"{where}.value", value, "is not a string (quote it in YAML)")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise _bad(f"{where}.limit", limit, "is not a whole number >= 0")
    if not isinstance(per_unique, bool):
        raise _bad(f"{where}.per_unique_value", per_unique, "is not true or false")
    if per_unique and value is not None:
        raise _bad(where, value, "gives both a value and per_unique_value: true")
    return TagConcurrencyLimit(key, limit, value, per_unique)


def _bad(where: str, value: Any, rule: str) -> InvalidInputError:
    return InvalidInputError(
        f"tag concurrency limit {where} = {value!r} {rule}. Fix: write e.g. "
        "`tag_concurrency_limits: [{key: database, value: redshift, limit: 2}]`"
    )
