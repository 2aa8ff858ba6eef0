"""The wire form carries the contract's values and records both ways unchanged, and refuses
what tagbase did not write (no class by name, no pickle)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagbase import InvalidInputError, Kind, Tag
from tagbase.metadata import MetadataValue
from tagbase.query import parse
from tagbase.store import EntitySpec, Store
from tagbase.store._remote._codec import MAX_DEPTH, WireFormatError, dumps, loads

scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
keys = st.text() | st.sampled_from(["$r", "$t", "$d", "$x"])
values = st.recursive(
    scalars | st.datetimes(timezones=st.just(UTC)) | st.uuids() | st.binary(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(keys, inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=3)
        | st.frozensets(st.integers() | st.text(), max_size=3)
    ),
    max_leaves=20,
)


@given(values)
def test_values_cross_unchanged(value: object) -> None:
    assert loads(dumps(value)) == value


def test_records_cross_unchanged(store: Store) -> None:
    spec = EntitySpec(
        Kind.ASSET,
        "orders",
        tags=["team=data", Tag("latest", exclusive=True)],
        metadata={"rows": MetadataValue.int(3), "url": MetadataValue.url("https://x.org")},
        owners=["ana@example.com"],
    )
    assert loads(dumps(spec)) == spec
    created = store.add(spec)
    crossed = loads(dumps(created))
    assert crossed == created
    assert crossed.tags.assigned == created.tags.assigned  # sources, actors and times too
    query = parse("tag:team=data and (name:ord* or not tag:x) and created>2026-01-01")
    assert loads(dumps(query)) == query
    page = store.list(Kind.ASSET)
    assert loads(dumps(page)).items == page.items


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"$r": ["Popen", "ls"]}',
        b'{"$e": ["Signals", 9]}',
        b'{"$pickle": "gASV"}',
        b'{"$r": ["EntityRef"]}',
        b'{"$dt": "yesterday"}',
        b'{"$fs": [[1]]}',
        b'{"$mv": ["pickle", "{}"]}',
        b"[" * (MAX_DEPTH + 2) + b"]" * (MAX_DEPTH + 2),
    ],
)
def test_what_tagbase_did_not_write_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidInputError):  # a 400 on the server, never a 500
        loads(body)


def test_a_value_with_no_wire_form_is_refused_naming_its_type() -> None:
    with pytest.raises(WireFormatError, match="type object"):
        dumps({"x": object()})
    deep: list[object] = []
    for _ in range(MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(WireFormatError, match="nested deeper"):
        dumps(deep)


def test_a_uuid_argument_crosses_as_a_uuid() -> None:
    ref = uuid.uuid4()
    assert loads(dumps({"a": [ref, datetime(2026, 1, 2, tzinfo=UTC)]}))["a"][0] == ref
