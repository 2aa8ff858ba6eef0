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
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(conforms(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if origin is tuple:
        if not isinstance(value, list | tuple):
            return False
        if args and args[-1] is not Ellipsis:
            return len(value) == len(args) and all(map(conforms, value, args))
        return not args or all(conforms(item, args[0]) for item in value)
    if origin in _SEQUENCES:
        return isinstance(value, list | tuple) and all(conforms(v, args[0]) for v in value)
    if origin in _MAPPINGS:
        return isinstance(value, Mapping) and all(
            conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items()
        )
    if origin in _ITERABLES:
        return isinstance(value, _COLLECTIONS) and all(conforms(v, args[0]) for v in value)
    if origin is not None:
        return not isinstance(origin, type) or isinstance(value, origin)  # Page[T]: a Page
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # a TypeVar, a callable, a construct the contract does not use


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
        if hint is not None and not conforms(value, hint):
            raise WireTypeError(
                f"{where}: {name}={str(value)[:60]!r} is a {type(value).__name__}, not "
                f"{_named(hint)}. Fix: pass a value of the annotated type"
            )


def _named(hint: Any) -> str:
    return hint.__name__ if isinstance(hint, type) else str(hint).replace("typing.", "")
