"""Whether a value that came over the wire has the type its annotation gives.

A Python caller of the store is held to its signatures by mypy; a call over HTTP is not, so the
server checks each argument, and each field of a record it rebuilds, against its annotation
before the store sees it (`size="many"` is a 400 naming the parameter, not a TypeError deep in
a query). Only what the contract's annotations use is understood: unions, None, literals,
sequences, mappings, tuples, classes, generic records; a construct it does not know passes.
"""

from __future__ import annotations

import collections.abc as abc
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from tagbase._errors import InvalidInputError

_SEQUENCES = (list, tuple, abc.Sequence)
_ITERABLES = (abc.Iterable, abc.Collection, set, frozenset, abc.Set)
_MAPPINGS = (dict, abc.Mapping)
_COLLECTIONS = (list, tuple, set, frozenset, dict)


class WireTypeError(InvalidInputError):
    """A store call's argument, or a record's field, of the wrong type."""


def conforms(value: object, hint: Any) -> bool:
    """Whether `value` is of type `hint` (as far as `hint` says)."""
    return checker_of(hint)(value)


Check = Callable[[object], bool]


def _always(value: object) -> bool:
    return True


@cache
def checker_of(hint: Any) -> Check:
    """The check of `hint`, built once per hint: a page of records checks thousands of fields,
    and taking each hint apart anew cost more than rebuilding the records."""
    if hint is Any or hint is object:
        return _always
    if hint is None or hint is type(None):
        return lambda value: value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        options = tuple(checker_of(arg) for arg in args)
        return lambda value: any(check(value) for check in options)
    if origin is typing.Literal:
        return lambda value: value in args
    if origin is tuple:
        return _tuple_checker(args)
    if origin in _SEQUENCES:
        item = checker_of(args[0])
        return lambda value: isinstance(value, list | tuple) and all(map(item, value))
    if origin in _MAPPINGS:
        key, entry = checker_of(args[0]), checker_of(args[1])
        return lambda value: (
            isinstance(value, Mapping) and all(key(k) and entry(v) for k, v in value.items())
        )
    if origin in _ITERABLES:
        item = checker_of(args[0])
        return lambda value: isinstance(value, _COLLECTIONS) and all(map(item, value))
    if origin is not None:
        if not isinstance(origin, type):
            return _always
        return lambda value: isinstance(value, origin)  # Page[T]: a Page
    if hint is float:
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return lambda value: isinstance(value, hint)
    return _always  # a TypeVar, a callable, a construct the contract does not use


def _tuple_checker(args: tuple[Any, ...]) -> Check:
    if args and args[-1] is not Ellipsis:
        items = tuple(checker_of(arg) for arg in args)
        return lambda value: (
            isinstance(value, list | tuple)
            and len(value) == len(items)
            and all(check(item) for check, item in zip(items, value, strict=True))
        )
    item = checker_of(args[0]) if args else _always
    return lambda value: isinstance(value, list | tuple) and all(map(item, value))


@cache
def hints_of(target: Callable[..., Any] | type) -> Mapping[str, Any]:
    """The resolved annotations of a function or a record (empty if they cannot be)."""
    try:
        return typing.get_type_hints(target)
    except (NameError, TypeError):  # names imported only for type checkers
        return {}


def check_fields(where: str, values: Mapping[str, object], hints: Mapping[str, Any]) -> None:
    """Refuse the first value whose type is not its hint's, naming it."""
    for name, value in values.items():
        hint = hints.get(name)
        if hint is not None and not checker_of(hint)(value):
            raise WireTypeError(
                f"{where}: {name}={str(value)[:60]!r} is a {type(value).__name__}, not "
                f"{_named(hint)}. Fix: pass a value of the annotated type"
            )


def _named(hint: Any) -> str:
    return hint.__name__ if isinstance(hint, type) else str(hint).replace("typing.", "")
