"""Tag concurrency limits: how many runs (or steps) holding a tag may be in progress at once.

A limit `{key, value?, limit, per_unique_value?}` reads:
- with a value: at most `limit` in progress hold `key=value`;
- without one: at most `limit` in progress hold `key`, whatever its value;
- `per_unique_value: true`: each distinct value of `key` gets its own `limit`.

A run holds its own tags and those of the ops and assets it executes.

Pure: the run queue and the executors count what is in progress and ask `blocking_limit`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tagbase._errors import InvalidInputError

_FIELDS = frozenset({"key", "value", "limit", "per_unique_value"})
# A run's or step's tags: a mapping, or [key, value] pairs when a key may hold several values.
Holding = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class TagConcurrencyLimit:
    """At most `limit` runs or steps in progress with this tag at once."""

    key: str
    limit: int
    value: str | None = None
    per_unique_value: bool = False

    def values_in(self, tags: Holding) -> set[str]:
        """The values of this limit's key that `tags` hold and the limit applies to."""
        return {
            held
            for key, held in _pairs(tags)
            if key == self.key and (self.value is None or held == self.value)
        }

    def describe(self) -> str:
        what = self.key if self.value is None else f"{self.key}={self.value}"
        each = " per value" if self.per_unique_value else ""
        return f"{what}: {self.limit}{each}"


def _pairs(tags: Holding) -> Iterable[tuple[str, str]]:
    return tags.items() if isinstance(tags, Mapping) else tags


def blocking_limit(
    limits: Sequence[TagConcurrencyLimit],
    candidate: Holding,
    in_progress: Iterable[Holding],
) -> TagConcurrencyLimit | None:
    """The first limit that keeps `candidate` waiting, or None if it may start now. A run
    may hold several values of a key (its ops' and assets' tags): with `per_unique_value`,
    each of them must have room."""
    busy = [list(_pairs(other)) for other in in_progress]
    for limit in limits:
        values = limit.values_in(candidate)
        if not values:
            continue
        groups = [{value} for value in values] if limit.per_unique_value else [values]
        for group in groups:
            used = sum(1 for other in busy if _uses(limit, group, other))
            if used >= limit.limit:
                return limit
    return None


def _uses(limit: TagConcurrencyLimit, group: set[str], other: Holding) -> bool:
    """Whether `other`, in progress, uses up the room the candidate's `group` needs."""
    held = limit.values_in(other)
    return bool(held & group) if limit.per_unique_value else bool(held)


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
