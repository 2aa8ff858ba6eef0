"""The store's fast paths (`store/_fast.py`) give what the general path gives, on both back-ends."""

from __future__ import annotations

import pytest

from tagbase import EntitySpec, Kind
from tagbase.store import Store, _create_methods


@pytest.fixture(params=["numbered insert", "step by step"])
def numbering(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each way a lone unnamed entity gets its number. The one-statement insert runs on
    PostgreSQL only; switched off, the store numbers it as when a user took the name."""
    if request.param == "step by step":
        monkeypatch.setattr(_create_methods, "insert_numbered", lambda *_: None)
    return str(request.param)


@pytest.mark.parametrize("kind", [Kind.RUN, Kind.ASSET_VERSION])
def test_lone_creates_are_numbered_named_and_counted_alike(
    store: Store, numbering: str, kind: Kind
) -> None:
    parent = Kind.JOB if kind is Kind.RUN else Kind.ASSET
    store.add(EntitySpec(parent, "etl"))
    prefix = "etl-" if kind is Kind.RUN else ""
    store.add(EntitySpec(kind, f"{prefix}2", scope="etl"))  # number 1, named like number 2
    made = [store.add(EntitySpec(kind, scope="etl", tags={"env": "prod"})) for _ in range(3)]
    # number 2 is skipped: its automatic name is taken
    assert [(entity.number, entity.name) for entity in made] == [
        (3, f"{prefix}3"),
        (4, f"{prefix}4"),
        (5, f"{prefix}5"),
    ]
    assert made == [store.get(kind, entity.id) for entity in made]  # the record, as read back
    assert store.count(kind, scope="etl") == 4
    assert store.facets(kind, "env") == {"prod": 3}
