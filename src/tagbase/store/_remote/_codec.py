"""The wire form of store calls: the contract's arguments and results as JSON, and back.

Only what tagbase itself defines crosses: JSON values, tuples, sets, datetimes, UUIDs, the
enums and frozen records of `RECORDS` (rebuilt through their constructors, so they validate
as if made here), metadata values (through their stored form) and an entity's tags. Anything
else is refused, on either side; nothing is unpickled, imported or evaluated. A JSON object
with one key starting with `$` is a tagged value; a dict that would look like one is tagged
itself (`$d`).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import datetime
from enum import Enum
from typing import Any, Final

from tagbase._changes import ChangeEvent, ChangePage, ChangeType
from tagbase._concurrency import TagConcurrencyLimit
from tagbase._errors import InvalidInputError
from tagbase._identity import ApiToken, AuditEntry, GovernancePolicy, Role, User
from tagbase._kinds import Kind
from tagbase._records import (
    AssignedTag,
    Entity,
    EntityRef,
    MetadataEntry,
    Page,
    Retagging,
    StoredArtifact,
    TagDefinition,
    TagEvent,
    Tags,
)
from tagbase._run_records import MetadataPoint, RunEvent, StepRecord
from tagbase._tag_settings import TagSettings
from tagbase._tags import Tag
from tagbase.metadata import MetadataValue
from tagbase.metadata._encoding import decode_metadata_value, encode_metadata_value
from tagbase.query import _ast
from tagbase.store._create_methods import EntitySpec
from tagbase.store._daemon_state import CursorState
from tagbase.store._queue import Lease, QueuedRun
from tagbase.store._remote._types import check_fields, hints_of
from tagbase.store._runs import Event, StepEnd
from tagbase.store._workers import WorkerRecord

MAX_DEPTH: Final = 64  # deeper nesting is no call tagbase makes (a query is bounded far below)

_QUERY_NODES = tuple(
    cls for cls in vars(_ast).values() if isinstance(cls, type) and dataclasses.is_dataclass(cls)
)
RECORDS: Final[Mapping[str, type]] = {
    cls.__name__: cls
    for cls in (
        ApiToken,
        AuditEntry,
        ChangeEvent,
        ChangePage,
        CursorState,
        Entity,
        EntityRef,
        EntitySpec,
        Event,
        GovernancePolicy,
        Lease,
        MetadataEntry,
        MetadataPoint,
        Page,
        QueuedRun,
        Retagging,
        RunEvent,
        StepEnd,
        StepRecord,
        StoredArtifact,
        TagConcurrencyLimit,
        TagDefinition,
        TagEvent,
        TagSettings,
        User,
        WorkerRecord,
        *_QUERY_NODES,
    )
}
"""Every record that crosses, by class name: rebuilt from its fields in order."""

ENUMS: Final[Mapping[str, type[Enum]]] = {
    cls.__name__: cls for cls in (Kind, Role, ChangeType, _ast.Match, _ast.Compare)
}

_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in RECORDS.values()}


_CHECKED: ContextVar[bool] = ContextVar("tagbase_wire_checked", default=True)


class WireFormatError(InvalidInputError):
    """A value that has no wire form, or a body that is not one tagbase wrote."""


def dumps(value: object) -> bytes:
    """The JSON bytes of `value` (a WireFormatError for a value with no wire form)."""
    return json.dumps(encode(value, 0), separators=(",", ":")).encode()


def loads(body: bytes, *, from_server: bool = False) -> Any:
    """The value `dumps` wrote (a WireFormatError for anything else). The server checks each
    record field a caller sent against its annotation; a client rebuilding a server's answer
    (`from_server`) skips that check, which was a third of the cost of reading a page: the
    server made those records from its own store's."""
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise WireFormatError(
            f"request body {body[:40]!r}... is not JSON ({error}); send the body tagbase's "
            "HttpStore writes"
        ) from None
    if not from_server:
        return decode(raw, 0)
    token = _CHECKED.set(False)
    try:
        return decode(raw, 0)
    finally:
        _CHECKED.reset(token)


def encode(value: object, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _too_deep()
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if isinstance(value, Enum):
        return {"$e": [type(value).__name__, value.value]}
    deeper = depth + 1
    if kind is list:
        return [encode(item, deeper) for item in value]  # type: ignore[attr-defined]
    if kind is dict:
        return _encode_dict(value, deeper)  # type: ignore[arg-type]
    encoder = _ENCODERS.get(kind)
    if encoder is not None:
        return encoder(value, deeper)
    if isinstance(value, MetadataValue):
        stored = encode_metadata_value(value)
        return {"$mv": [stored.type_name, stored.payload]}
    if kind in _FIELDS:
        return {"$r": [kind.__name__, *[_field(getattr(value, n), deeper) for n in _FIELDS[kind]]]}
    if isinstance(value, Mapping):
        return _encode_dict(value, deeper)
    raise WireFormatError(
        f"a value of type {kind.__name__} ({str(value)[:60]!r}) cannot be sent to a tagbase "
        "server; pass str, int, float, bool, None, lists, dicts, datetimes or tagbase records "
        "(metadata as MetadataValue, e.g. MetadataValue.json(...))"
    )


def _field(value: object, depth: int) -> Any:
    """A record field: most are plain strings, numbers or None, sent as they are without a
    call each (a page of 100 entities has 2,000 fields)."""
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    return encode(value, depth)


def _encode_dict(value: Mapping[Any, Any], depth: int) -> Any:
    if all(type(key) is str for key in value):
        items = {key: encode(item, depth) for key, item in value.items()}
        tagged = len(items) == 1 and next(iter(items)).startswith("$")
        return {"$d": items} if tagged else items
    return {"$m": [[encode(k, depth), encode(v, depth)] for k, v in value.items()]}


def _encode_tags(tags: Tags, depth: int) -> Any:
    return {
        "$tags": [
            [t.key, t.value, t.source, t.actor, t.added_at.isoformat(), t.exclusive]
            for t in tags.assigned
        ]
    }


def _encode_tag(tag: Tag, depth: int) -> Any:
    return {"$tag": [tag.key, tag.value, tag.exclusive, tag.cascade, tag.color, tag.description]}


_ENCODERS: dict[type, Callable[[Any, int], Any]] = {
    tuple: lambda v, d: {"$t": [encode(item, d) for item in v]},
    frozenset: lambda v, d: {"$fs": [encode(item, d) for item in v]},
    set: lambda v, d: {"$s": [encode(item, d) for item in v]},
    datetime: lambda v, d: {"$dt": v.isoformat()},
    uuid.UUID: lambda v, d: {"$u": str(v)},
    bytes: lambda v, d: {"$b": base64.b64encode(v).decode()},
    Tags: _encode_tags,
    Tag: _encode_tag,
}


def decode(raw: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _too_deep()
    kind = type(raw)
    if kind is list:
        return [decode(item, depth + 1) for item in raw]
    if kind is not dict:
        return raw  # str, int, float, bool, None
    if len(raw) == 1:
        tag = next(iter(raw))
        if tag.startswith("$"):
            return _decode_tagged(tag, raw[tag], depth + 1)
    return {key: decode(item, depth + 1) for key, item in raw.items()}


def _decode_tagged(tag: str, body: Any, depth: int) -> Any:
    decoder = _DECODERS.get(tag)
    if decoder is None:
        raise WireFormatError(f"wire tag {tag!r} is unknown; send what tagbase's HttpStore writes")
    try:
        return decoder(body, depth)
    except WireFormatError:
        raise
    except InvalidInputError:
        raise  # a record's own validation: the caller's input broke a rule
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
        raise WireFormatError(
            f"a {tag} value {str(body)[:80]!r} is malformed ({error}); send what tagbase's "
            "HttpStore writes"
        ) from None


_PLAIN = frozenset({str, int, float, bool, type(None)})  # decoded as they are


def _decode_record(body: list[Any], depth: int) -> Any:
    name, *fields = body
    cls = RECORDS.get(name)
    if cls is None:
        raise WireFormatError(f"record type {name!r} is not one a tagbase store call carries")
    if len(fields) > len(_FIELDS[cls]):
        raise WireFormatError(f"a {name} record has {len(_FIELDS[cls])} fields, not {len(fields)}")
    decoded = [item if type(item) in _PLAIN else decode(item, depth) for item in fields]
    values = dict(zip(_FIELDS[cls], decoded, strict=False))
    if _CHECKED.get():
        check_fields(f"a {name} record", values, hints_of(cls))
    return cls(**values)


def _decode_enum(body: list[Any], depth: int) -> Enum:
    name, value = body
    cls = ENUMS.get(name)
    if cls is None:
        raise WireFormatError(f"enum {name!r} is not one a tagbase store call carries")
    return cls(value)


def _decode_tags(body: list[list[Any]], depth: int) -> Tags:
    return Tags(
        AssignedTag(str(k), str(v), str(s), a, datetime.fromisoformat(t), bool(x))
        for k, v, s, a, t, x in body
    )


def _decode_tag(body: list[Any], depth: int) -> Tag:
    key, value, exclusive, cascade, color, description = body
    return Tag(
        key, value, exclusive=exclusive, cascade=cascade, color=color, description=description
    )


def _decode_pairs(body: list[list[Any]], depth: int) -> dict[Any, Any]:
    return {_hashable(decode(k, depth)): decode(v, depth) for k, v in body}


def _hashable(key: Any) -> Any:
    hash(key)  # a TypeError (malformed) for a list or dict key
    return key


_DECODERS: dict[str, Callable[[Any, int], Any]] = {
    "$r": _decode_record,
    "$e": _decode_enum,
    "$t": lambda b, d: tuple(decode(item, d) for item in b),
    "$fs": lambda b, d: frozenset(_hashable(decode(item, d)) for item in b),
    "$s": lambda b, d: {_hashable(decode(item, d)) for item in b},
    "$d": lambda b, d: {str(k): decode(v, d) for k, v in b.items()},
    "$m": _decode_pairs,
    "$dt": lambda b, d: datetime.fromisoformat(b),
    "$u": lambda b, d: uuid.UUID(b),
    "$b": lambda b, d: base64.b64decode(b, validate=True),
    "$mv": lambda b, d: decode_metadata_value(str(b[0]), str(b[1])),
    "$tags": _decode_tags,
    "$tag": _decode_tag,
}


def _too_deep() -> WireFormatError:
    return WireFormatError(
        f"a value nested deeper than {MAX_DEPTH} levels cannot be sent; no store call needs it"
    )
