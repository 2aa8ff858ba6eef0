"""Shared helpers of the metadata modules: type checks that raise a one-problem error, the
canonical JSON text of stored payloads, and JSON validation. Pure: no I/O."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from tagbase._errors import MetadataValidationError, Problem

_NON_FINITE: Final[Mapping[str, float]] = MappingProxyType(
    {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
)


def short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def invalid(subject: str, rule: str, fix: str) -> MetadataValidationError:
    """A one-problem error, for constructors that meet a single broken rule."""
    return MetadataValidationError([Problem(subject, rule, fix)])


def type_error(what: str, value: object, wanted: str) -> MetadataValidationError:
    subject = f"{what} {short(value)} (type {type(value).__name__})"
    return invalid(subject, f"must be {wanted}", f"pass {wanted}")


def check_type(
    what: str, value: object, expected: type[object] | tuple[type[object], ...], wanted: str
) -> None:
    """Raise unless `value` is an `expected` instance; a bool never passes for a number."""
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise type_error(what, value, wanted)


def set_field(instance: object, name: str, value: object) -> None:
    """Assign to a frozen dataclass during `__post_init__` (to store a normalised form)."""
    object.__setattr__(instance, name, value)


def tuple_of(
    what: str, items: object, kind: type[object] | tuple[type[object], ...], wanted: str
) -> tuple[Any, ...]:
    """`items` (a list or tuple of `kind`) as a tuple, so the owner stays immutable."""
    if not isinstance(items, list | tuple):
        raise type_error(what, items, f"a list of {wanted}")
    for index, item in enumerate(items):
        check_type(f"{what}[{index}]", item, kind, wanted)
    return tuple(items)


def str_mapping(what: str, mapping: object) -> MappingProxyType[str, str]:
    """A read-only copy of a str-to-str mapping."""
    if not isinstance(mapping, Mapping):
        raise type_error(what, mapping, "a dict of str to str")
    for key, value in mapping.items():
        check_type(f"{what} key", key, str, "a str")
        check_type(f"{what}[{key!r}]", value, str, "a str")
    return MappingProxyType(dict(mapping))


def dumps(data: object) -> str:
    """Compact, canonical JSON text: the stored payload format."""
    return json.dumps(
        data, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False
    )


def int_number(value: int) -> float | None:
    """`value` as a float for the number column, or None when a float cannot hold it."""
    try:
        return float(value)
    except OverflowError:
        return None


def float_payload(value: float) -> float | str:
    """A float for JSON: NaN and infinities, which JSON lacks, as the strings "NaN", ..."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def float_from_payload(payload: float | str) -> float:
    return _NON_FINITE[payload] if isinstance(payload, str) else payload


def utc_seconds(moment: datetime) -> float:
    """Seconds since the epoch; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def canonical_json(data: object) -> str:
    """`data` as canonical JSON text, after checking it round-trips exactly."""
    problems = json_problems(data, "$", frozenset())
    if problems:
        raise MetadataValidationError(problems)
    return dumps(data)


def json_problems(data: object, where: str, parents: frozenset[int]) -> list[Problem]:
    """Every reason `data` is not JSON that round-trips exactly; `where` is its path."""
    subject = f"JSON value at {where} (type {type(data).__name__})"
    if isinstance(data, float) and not math.isfinite(data):
        return [Problem(subject, f"{data!r} is not valid JSON", "use None or a string instead")]
    if data is None or isinstance(data, str | int | float):
        return []
    if id(data) in parents:
        return [Problem(subject, "it contains itself", "remove the cycle")]
    inside = parents | {id(data)}
    if isinstance(data, list | tuple):
        return [
            problem
            for index, item in enumerate(data)
            for problem in json_problems(item, f"{where}[{index}]", inside)
        ]
    if isinstance(data, dict):
        bad_keys = [
            Problem(f"JSON key {short(key)} at {where}", "object keys must be str", "use str keys")
            for key in data
            if not isinstance(key, str)
        ]
        return bad_keys + [
            problem
            for key, item in data.items()
            for problem in json_problems(item, f"{where}[{key!r}]", inside)
        ]
    fix = "convert it to a str, number, bool, None, list or dict"
    return [Problem(subject, "it is not JSON-serialisable", fix)]
