"""The contract suite: tests written against the store protocols (`tagbase.store.StoreContract`)
only — no engine, table or SQL — so every implementation runs through them unchanged. Today
that is `Store` on SQLite and on PostgreSQL (the `store` fixture's parameters); a store of
another kind joins by adding itself there."""

from __future__ import annotations

import pytest

from tagbase import Kind
from tagbase.store import EntitySpec, Store, StoreContract


@pytest.fixture
def contract(store: Store) -> StoreContract:
    return store


@pytest.fixture
def run_id(contract: StoreContract) -> str:
    """A recorded, queued run of job `train`."""
    contract.add(EntitySpec(Kind.JOB, "train"))
    return contract.add(EntitySpec(Kind.RUN, scope="train", status="queued")).id
