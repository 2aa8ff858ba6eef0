"""The documented limits on what tagbase stores, and the one rule for text. Pure: no I/O.

Everything here is checked before anything is written, so a write either fits or is refused
with an error naming the value, the limit and the fix; nothing that reads the catalog later
meets a value it cannot handle (a metadata value 300 levels deep once broke every list read).

    metadata value          at most 64 levels of nested lists/dicts and 1 MiB as stored JSON
    integers in metadata    64-bit signed, anywhere in a value (-2**63 .. 2**63 - 1)
    floats in metadata      NaN, Infinity and -Infinity stored as such (a float value only)
    descriptions            at most 65,536 characters (entities and registered tags)
    request body (API)      at most 16 MiB, checked before it is parsed (413)
    page number             1 .. 1,000,000 (deeper pages: follow `next_cursor`)
    run status              queued, started, success, failed or canceled
    tagbase/priority        an integer in -(2**63 - 1) .. 2**63 - 1
    tagbase/max_runtime     seconds, > 0 and <= 1,000,000,000
    tagbase/max_retries     an integer in 0 .. 1000

Text rule: no text tagbase stores or looks up holds NUL or a lone surrogate (no database
stores both alike); names and keys (entity names, tag keys, metadata keys) hold no control
character at all. Tag keys and values keep the limits of `tagbase._tags` (255 characters,
8 KiB).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from tagbase._errors import InvalidInputError, LimitExceededError, Problem

MAX_METADATA_DEPTH: Final = 64
MAX_METADATA_VALUE_BYTES: Final = 1 << 20
MIN_INTEGER: Final = -(2**63)
MAX_INTEGER: Final = 2**63 - 1
MAX_DESCRIPTION_CHARS: Final = 65_536
MAX_REQUEST_BODY_BYTES: Final = 16 << 20
MAX_PAGE_NUMBER: Final = 1_000_000
RUN_STATUSES: Final = ("queued", "started", "success", "failed", "canceled")
ENTITY_TEXT_LIMITS: Final = {"name": 255, "description": MAX_DESCRIPTION_CHARS, "status": 32}
MAX_RUNTIME_SECONDS: Final = 10**9
MAX_RETRIES: Final = 1000

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _shown(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def is_unicode_text(text: str) -> bool:
    """Whether `text` encodes as UTF-8 (a lone surrogate does not)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def text_problem(text: str, *, name: bool = False) -> str | None:
    """The rule `text` breaks, or None: NUL and lone surrogates nowhere, and for a `name`
    (or key) no control character at all."""
    if "\x00" in text:
        return "it holds a NUL character, which no text in tagbase may hold"
    if not is_unicode_text(text):
        return "it holds a lone surrogate, which is no valid Unicode text"
    if name and _CONTROL.search(text):
        return "it holds a control character, which names and keys may not hold"
    return None


def storable_text(text: str) -> str:
    """`text` (an error message, a stack trace: text tagbase records but did not choose) with
    NUL and lone surrogates written as backslash escapes, so the text rule never stops a run
    from being recorded."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode()


def check_text(what: str, text: str) -> None:
    """Refuse text given to look something up that no stored text can equal."""
    broken = text_problem(text)
    if broken is not None:
        raise InvalidInputError(f"{what} {_shown(text)}: {broken}. Fix: remove it")


def check_entity_text(label: str, *, is_run: bool = False, **fields: str | None) -> None:
    """Refuse an entity's name, description or status that breaks the text rule or its
    length limit, and a run status outside `RUN_STATUSES`."""
    for field_name, text in fields.items():
        if text is None:
            continue
        broken = text_problem(text, name=field_name == "name")
        if broken is not None:
            raise InvalidInputError(
                f"the {label} {field_name} {_shown(text)}: {broken}. Fix: remove it"
            )
        limit = ENTITY_TEXT_LIMITS[field_name]
        if len(text) > limit:
            raise LimitExceededError(
                f"the {label} {field_name} {_shown(text)} is {len(text):,} characters long; "
                f"at most {limit:,} are allowed. Fix: shorten it"
            )
    status = fields.get("status")
    if is_run and status is not None and status not in RUN_STATUSES:
        raise InvalidInputError(
            f"run status {_shown(status)} is not a run status; a run is one of "
            f"{', '.join(RUN_STATUSES)}. Fix: give one of them (record other states as tags "
            "or metadata)"
        )


def check_page(page: int | None) -> None:
    """A 1-based page number within the limit (offset paging reads every row before it)."""
    if page is not None and page > MAX_PAGE_NUMBER:
        raise LimitExceededError(
            f"page {page} is over the limit of {MAX_PAGE_NUMBER:,} pages. Fix: follow "
            "next_cursor (cursor=...) to read that deep, or narrow the filter"
        )


# -- metadata ------------------------------------------------------------------------------


def _too_deep(data: object) -> bool:
    """Whether lists and dicts in `data` nest deeper than the limit; iterative, so a value of
    any depth is measured without recursion."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list | tuple):
            if depth + 1 > MAX_METADATA_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in item)
    return False


def _depth_problem(key: str) -> Problem:
    return Problem(
        f"metadata {key!r}",
        f"lists and dicts nest more than {MAX_METADATA_DEPTH} levels deep (the limit)",
        "flatten the value, or store it as an artifact",
    )


def raw_metadata_problems(key: str, raw: object) -> list[Problem]:
    """Problems of a plain value found before it is built (so a deep one never recurses)."""
    return [_depth_problem(key)] if _too_deep(raw) else []


def _payload_problem(data: object) -> tuple[str, str] | None:
    """The first (rule, fix) a stored payload breaks: an integer beyond 64 bits, or a string
    (or dict key) that breaks the text rule."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, bool) or item is None or isinstance(item, float):
            continue
        if isinstance(item, int) and not MIN_INTEGER <= item <= MAX_INTEGER:
            rule = "integers in metadata are 64-bit signed (-2**63 .. 2**63 - 1)"
            return rule, "store it as a float (float(x)) or as text (str(x))"
        if isinstance(item, str):
            broken = text_problem(item)
            if broken is not None:
                return f"a string in the value: {broken}", "remove the character"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None


def stored_metadata_problems(
    key: str, payload: object, encode: Callable[[object], str]
) -> list[Problem]:
    """Problems of a built value's payload: depth, integers, text, and its stored size
    (`encode` makes the stored JSON text; it runs only when the rest holds)."""
    if _too_deep(payload):
        return [_depth_problem(key)]
    broken = _payload_problem(payload)
    if broken is not None:
        return [Problem(f"metadata {key!r}", *broken)]
    size = len(encode(payload).encode())
    if size > MAX_METADATA_VALUE_BYTES:
        return [
            Problem(
                f"metadata {key!r}",
                f"the value is {size:,} bytes as stored JSON; at most "
                f"{MAX_METADATA_VALUE_BYTES:,} bytes (1 MiB) are allowed",
                "store large data as an artifact and log its summary as metadata",
            )
        ]
    return []


# -- execution tags ------------------------------------------------------------------------


def priority_problem(value: str) -> tuple[str, str] | None:
    """`tagbase/priority`: an integer the run queue can rank (64-bit, its rank is minus it)."""
    return _integer_problem(value, -MAX_INTEGER, MAX_INTEGER, "'5' or '-1'")


def max_retries_problem(value: str) -> tuple[str, str] | None:
    """`tagbase/max_retries`: how often a failed run is launched again."""
    return _integer_problem(value, 0, MAX_RETRIES, "'3'")


def _integer_problem(value: str, low: int, high: int, example: str) -> tuple[str, str] | None:
    try:
        number: int | None = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        rule = f"the value {_shown(value)} is not an integer >= {low} and <= {high}"
        return rule, f"give a whole number in that range, such as {example}"
    return None


def max_runtime_problem(value: str) -> tuple[str, str] | None:
    """`tagbase/max_runtime`: seconds a worker lets a run go on; finite and positive."""
    try:
        seconds: float | None = float(value)
    except ValueError:
        seconds = None
    if seconds is None or not 0 < seconds <= MAX_RUNTIME_SECONDS:
        return (
            f"the value {_shown(value)} is not a positive number of seconds up to "
            f"{MAX_RUNTIME_SECONDS:,}",
            "give seconds such as '3600'",
        )
    return None
