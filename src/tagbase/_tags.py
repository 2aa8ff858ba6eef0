"""Tags: parsing every accepted input form, and validating keys and values.

A tag is a `(key, value)` pair of strings; a label is a tag whose value is "". Its string form
is `key` for a label and `key=value` otherwise, and a string is always read in that form, so the
two round-trip. This module is pure: the behaviours a registered tag has in the store (exclusive,
cascade, multi-valued keys) are applied by the store.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias, TypeGuard, cast

from tagbase import _limits
from tagbase._errors import Problem, TagValidationError
from tagbase._kinds import Kind
from tagbase._tag_settings import TagSettings

RESERVED_PREFIX = "tagbase/"
KIND_TAG_PREFIX = "tagbase/kind/"
MAX_LENIENT_KEY = 255
MAX_LENIENT_VALUE_BYTES = 8192

_STRICT_SEGMENT = re.compile(r"[A-Za-z0-9_.\-]{1,63}")
_STRICT_VALUE = re.compile(r"[A-Za-z0-9_.\-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # as `_limits.text_problem` for names
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_ValueCheck: TypeAlias = Callable[[str], tuple[str, str] | None]
NAMED_COLORS = (
    "grey",
    "red",
    "orange",
    "yellow",
    "green",
    "teal",
    "blue",
    "indigo",
    "purple",
    "pink",
)

_STRICT_RULE = "each of the optional prefix and the name is 1-63 characters of A-Z a-z 0-9 _ . -"
_STRICT_VALUE_RULE = "a value is 0-63 characters of A-Z a-z 0-9 _ . -"


class TagPolicy(StrEnum):
    """Which validation rules apply where; configurable per deployment."""

    DEFAULT = "default"  # strict for asset key=value tags and `tagbase/` keys, lenient elsewhere
    STRICT = "strict"  # strict everywhere
    LENIENT = "lenient"  # lenient everywhere but `tagbase/` keys


@dataclass(frozen=True, slots=True, init=False)
class Tag:
    """A tag, optionally with the behaviours to register for it.

    `Tag("latest", exclusive=True)` is the label `latest`; `Tag("env=prod")` and
    `Tag("env", "prod")` are the same pair. Behaviours left as None keep what the registry holds.
    """

    key: str
    value: str
    exclusive: bool | None = field(default=None, compare=False)
    cascade: bool | None = field(default=None, compare=False)
    color: str | None = field(default=None, compare=False)
    description: str | None = field(default=None, compare=False)

    def __init__(
        self,
        name: str,
        value: str | None = None,
        *,
        exclusive: bool | None = None,
        cascade: bool | None = None,
        color: str | None = None,
        description: str | None = None,
    ) -> None:
        key, parsed_value = (name, value) if value is not None else split_tag_string(name)
        setter = object.__setattr__  # frozen: fields are set once, here
        setter(self, "key", key)
        setter(self, "value", parsed_value)
        setter(self, "exclusive", exclusive)
        setter(self, "cascade", cascade)
        setter(self, "color", color)
        setter(self, "description", description)

    @property
    def name(self) -> str:
        """The string form: `key` for a label, `key=value` otherwise."""
        return tag_string(self.key, self.value)

    @property
    def is_label(self) -> bool:
        return self.value == ""

    @property
    def settings(self) -> TagSettings:
        """The registry settings this Tag carries (those left None keep what is stored)."""
        return TagSettings(
            exclusive=self.exclusive,
            cascade=self.cascade,
            color=self.color,
            description=self.description,
        )

    @property
    def has_behaviours(self) -> bool:
        return bool(self.settings.given)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        extras = "".join(
            f", {attribute}={getattr(self, attribute)!r}"
            for attribute in ("exclusive", "cascade", "color", "description")
            if getattr(self, attribute) is not None
        )
        return f"Tag({self.name!r}{extras})"


TagsInput: TypeAlias = Mapping[str, object] | Iterable[str | Tag] | str | Tag | None


def tag_string(key: str, value: str) -> str:
    """The string form of a pair."""
    return key if value == "" else f"{key}={value}"


def split_tag_string(text: str) -> tuple[str, str]:
    """Read a string form: everything before the first `=` is the key."""
    key, _, value = text.partition("=")
    return key, value


def normalize_tags(
    tags: TagsInput,
    *,
    kind: Kind | None = None,
    policy: TagPolicy = TagPolicy.DEFAULT,
) -> tuple[Tag, ...]:
    """Turn any accepted input into validated tags, reporting every problem in one error.

    Duplicate pairs are merged. Several values for one key are allowed here; whether the key
    takes several values is the store's decision, from the tag registry.
    """
    if isinstance(tags, Mapping) and _all_text(tags):
        return _plain_mapping(tags, kind, policy)
    problems: list[Problem] = []
    merged: dict[tuple[str, str], Tag] = {}
    for tag in _read_input(tags, problems):
        problems.extend(tag_problems(tag, kind=kind, policy=policy))
        previous = merged.get((tag.key, tag.value))
        merged[(tag.key, tag.value)] = _merge(previous, tag) if previous else tag
    if problems:
        raise TagValidationError(problems)
    return tuple(merged.values())


def _all_text(tags: Mapping[Any, object]) -> TypeGuard[Mapping[str, str]]:
    return all(type(key) is str and type(value) is str for key, value in tags.items())


def _plain_mapping(
    tags: Mapping[str, str], kind: Kind | None, policy: TagPolicy
) -> tuple[Tag, ...]:
    """The common input, a dict of strings, checked without building anything twice: its keys
    are distinct pairs already, and each pair's rules are cached."""
    asset_rules = policy is TagPolicy.DEFAULT and kind is Kind.ASSET
    always = policy is TagPolicy.STRICT
    problems = [
        problem
        for key, value in tags.items()
        for problem in _pair_problems(key, value, always or (asset_rules and value != ""))
    ]
    if problems:
        raise TagValidationError(problems)
    return tuple(_plain_tag(key, value) for key, value in tags.items())


def _read_input(tags: TagsInput, problems: list[Problem]) -> Iterable[Tag]:
    if tags is None:
        return []
    if isinstance(tags, str | Tag):
        tags = [tags]
    if isinstance(tags, Mapping):
        return [_from_mapping_item(key, value, problems) for key, value in tags.items()]
    read: list[Tag] = []
    for item in cast(Iterable[object], tags):  # callers may be untyped
        if isinstance(item, Tag):
            read.append(item)
        elif isinstance(item, str):
            read.append(_plain_tag(*split_tag_string(item)))
        else:
            problems.append(
                Problem(
                    f"tag {item!r}",
                    f"a list of tags holds strings or Tag objects, not {type(item).__name__}",
                    "pass 'key' or 'key=value' strings, Tag(...) objects, or a dict",
                )
            )
    return read


def _from_mapping_item(key: object, value: object, problems: list[Problem]) -> Tag:
    if not isinstance(key, str):
        problems.append(
            Problem(f"tag key {key!r}", "tag keys are strings", f"use str({key!r}) as the key")
        )
        key = str(key)
    if isinstance(value, Tag):
        return Tag(key, value.value, exclusive=value.exclusive, cascade=value.cascade)
    return _plain_tag(key, _value_text(key, value, problems))


@functools.lru_cache(maxsize=65536)
def _plain_tag(key: str, value: str) -> Tag:
    """A tag without behaviours. Tags are immutable, so bulk input shares one per pair."""
    return Tag(key, value)


def _value_text(key: str, value: object, problems: list[Problem]) -> str:
    """Strings stay as they are; any other JSON-serialisable value becomes its JSON text."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        problems.append(
            Problem(
                f"tag {key!r}",
                f"a value must be a string or JSON-serialisable, not {type(value).__name__}",
                "convert the value to a string",
            )
        )
        return str(value)


def _merge(first: Tag, second: Tag) -> Tag:
    def pick(attribute: str) -> object:
        given = getattr(second, attribute)
        return given if given is not None else getattr(first, attribute)

    return Tag(
        first.key,
        first.value,
        exclusive=pick("exclusive"),  # type: ignore[arg-type]
        cascade=pick("cascade"),  # type: ignore[arg-type]
        color=pick("color"),  # type: ignore[arg-type]
        description=pick("description"),  # type: ignore[arg-type]
    )


def tag_problems(tag: Tag, *, kind: Kind | None, policy: TagPolicy) -> list[Problem]:
    """Every rule `tag` breaks for an entity of `kind` under `policy`."""
    strict = policy is TagPolicy.STRICT or (
        policy is TagPolicy.DEFAULT and kind is Kind.ASSET and not tag.is_label
    )
    problems = list(_pair_problems(tag.key, tag.value, strict))
    has_behaviours = tag.color is not None or tag.description is not None
    return problems + behaviour_problems(tag) if has_behaviours else problems


@functools.lru_cache(maxsize=65536)
def _pair_problems(key: str, value: str, strict: bool) -> tuple[Problem, ...]:
    """The rules a pair breaks; cached, since bulk ingest checks the same pairs again and again."""
    if key.startswith(RESERVED_PREFIX):
        return tuple(_reserved_problems(Tag(key, value)))
    if strict:
        return tuple(strict_problems(key, value))
    return tuple(lenient_problems(Tag(key, value)))


def strict_problems(key: str, value: str) -> list[Problem]:
    """The strict rules of definition tags: `prefix/name` keys and short plain values."""
    problems = []
    subject = f"tag {tag_string(key, value)!r}"
    segments = key.split("/")
    if len(segments) > 2 or not all(_STRICT_SEGMENT.fullmatch(part) for part in segments):
        problems.append(
            Problem(
                subject,
                f"key {key!r} breaks the strict key rule: an optional prefix and a name "
                f"separated by one '/', where {_STRICT_RULE}",
                "use letters, digits, '_', '.' and '-' only, e.g. "
                f"{_suggest_strict(key, allow_slash=True)!r}",
            )
        )
    if not _STRICT_VALUE.fullmatch(value):
        problems.append(
            Problem(
                subject,
                f"value {_short(value)!r} breaks the strict value rule: {_STRICT_VALUE_RULE}",
                f"use a value such as {_suggest_strict(value, allow_slash=False)[:63]!r}, "
                "or store long or rich text as metadata instead",
            )
        )
    return problems


def lenient_problems(tag: Tag) -> list[Problem]:
    """The lenient rules of run tags and labels: long keys, any value up to 8 KiB."""
    problems = []
    subject = f"tag {_short(tag.name)!r}"
    if not tag.key:
        problems.append(Problem(subject, "the key is empty", "give the tag a key: 'key=value'"))
    elif len(tag.key) > MAX_LENIENT_KEY:
        problems.append(
            Problem(
                subject,
                f"the key is {len(tag.key)} characters; at most {MAX_LENIENT_KEY} are allowed",
                "shorten the key",
            )
        )
    if _CONTROL.search(tag.key):
        problems.append(
            Problem(subject, "the key holds a control character", "remove it from the key")
        )
    if tag.key != tag.key.strip():
        problems.append(Problem(subject, "the key starts or ends with whitespace", "strip the key"))
    if "=" in tag.key:  # the string form `key=value` splits at the first '='
        problems.append(
            Problem(subject, "the key holds '='", "use another character, e.g. ':' or '_'")
        )
    if not (_is_unicode_text(tag.key) and _is_unicode_text(tag.value)):
        problems.append(
            Problem(
                subject,
                "the tag holds a lone surrogate, which is not storable text",
                "decode the text properly",
            )
        )
        return problems
    if "\x00" in tag.value:
        problems.append(Problem(subject, "the value holds a NUL character", "remove it"))
    if len(tag.value.encode()) > MAX_LENIENT_VALUE_BYTES:
        problems.append(
            Problem(
                subject,
                f"the value is longer than {MAX_LENIENT_VALUE_BYTES} bytes",
                "store large values as metadata instead of a tag",
            )
        )
    return problems


def _is_unicode_text(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def behaviour_problems(tag: Tag) -> list[Problem]:
    """Problems with the registry behaviours a Tag object carries."""
    problems = []
    if tag.color is not None and not is_valid_color(tag.color):
        problems.append(
            Problem(
                f"tag {tag.name!r}",
                f"colour {tag.color!r} is neither a '#rgb'/'#rrggbb' hex colour nor one of "
                f"{', '.join(NAMED_COLORS)}",
                "use a hex colour such as '#3b82f6' or a named colour such as 'blue'",
            )
        )
    if tag.description is not None:
        problems += description_problems(f"tag {tag.name!r}", tag.description)
    return problems


def description_problems(subject: str, description: str) -> list[Problem]:
    """A tag's description within the text rule and the length limit (`tagbase._limits`)."""
    broken = _limits.text_problem(description)
    if broken is not None:
        return [Problem(f"{subject} description", broken, "remove the character")]
    if len(description) > _limits.MAX_DESCRIPTION_CHARS:
        rule = f"a description is at most {_limits.MAX_DESCRIPTION_CHARS:,} characters"
        return [Problem(f"{subject} description", rule, "shorten it")]
    return []


def is_valid_color(color: str) -> bool:
    return color in NAMED_COLORS or bool(_HEX_COLOR.fullmatch(color))


def _reserved_problems(tag: Tag) -> list[Problem]:
    """`tagbase/` keys are strict, known, and some take typed values."""
    if tag.key.startswith(KIND_TAG_PREFIX):
        kind = tag.key.removeprefix(KIND_TAG_PREFIX)
        problems = []
        if not _STRICT_SEGMENT.fullmatch(kind):
            problems.append(
                Problem(
                    f"tag {_short(tag.name)!r}",
                    f"key {tag.key!r} breaks the strict key rule: the kind after "
                    f"{KIND_TAG_PREFIX!r} is 1-63 characters of A-Z a-z 0-9 _ . -",
                    f"use e.g. {KIND_TAG_PREFIX}{_suggest_strict(kind, allow_slash=False)[:63]}",
                )
            )
        if tag.value:
            problems.append(
                Problem(
                    f"tag {tag.name!r}",
                    "a kind tag is a label (its value is '')",
                    f"use {KIND_TAG_PREFIX}{kind} without a value, or pass kinds=[{kind!r}]",
                )
            )
        return problems
    check = SYSTEM_TAG_KEYS.get(tag.key)
    if check is None:
        return [
            Problem(
                f"tag {tag.name!r}",
                f"the prefix {RESERVED_PREFIX!r} is reserved and {tag.key!r} is not one of its "
                f"keys ({', '.join(sorted(SYSTEM_TAG_KEYS))}, {KIND_TAG_PREFIX}<kind>)",
                "use your own prefix, e.g. 'myteam/" + tag.key.removeprefix(RESERVED_PREFIX) + "'",
            )
        ]
    problem = check(tag.value)
    return [Problem(f"tag {tag.name!r}", problem[0], problem[1])] if problem else []


def _integer(minimum: int) -> _ValueCheck:
    def check(value: str) -> tuple[str, str] | None:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < minimum:
            return (
                f"the value {_short(value)!r} is not an integer >= {minimum}",
                f"give a whole number such as '{max(minimum, 1)}'",
            )
        return None

    return check


def _one_of(*choices: str) -> _ValueCheck:
    def check(value: str) -> tuple[str, str] | None:
        if value in choices:
            return None
        return (f"the value {_short(value)!r} is not one of {', '.join(choices)}", choices[0])

    return check


def _any_text(value: str) -> tuple[str, str] | None:
    if not _is_unicode_text(value):
        return ("the value holds a lone surrogate, which is not storable text", "decode it")
    if "\x00" in value or len(value.encode()) > MAX_LENIENT_VALUE_BYTES:
        return ("the value holds NUL or is longer than 8 KiB", "shorten the value")
    return None


SYSTEM_TAG_KEYS: dict[str, _ValueCheck] = {
    "tagbase/priority": _limits.priority_problem,
    "tagbase/max_runtime": _limits.max_runtime_problem,
    "tagbase/max_retries": _limits.max_retries_problem,
    "tagbase/retry_strategy": _one_of("from_failure", "all_steps"),
    "tagbase/retry_number": _integer(0),
    "tagbase/op_selection": _any_text,
    "tagbase/partition": _any_text,
    "tagbase/schedule_name": _any_text,
    "tagbase/sensor_name": _any_text,
    "tagbase/backfill": _any_text,
    "tagbase/parent_run_id": _any_text,
    "tagbase/root_run_id": _any_text,
    "tagbase/image": _any_text,
    "tagbase/group": _any_text,
}


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _suggest_strict(text: str, *, allow_slash: bool) -> str:
    keep = r"[^A-Za-z0-9_.\-/]" if allow_slash else r"[^A-Za-z0-9_.\-]"
    cleaned = re.sub(keep, "_", text) or "name"
    if allow_slash:
        prefix, _, name = cleaned.rpartition("/")
        parts = [part[:63] for part in (prefix.replace("/", "_"), name) if part]
        return "/".join(parts) or "name"
    return cleaned
