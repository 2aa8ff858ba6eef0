"""`atomic()`: a block of calls commits together or not at all, and stays usable after a
refused call inside it."""

from __future__ import annotations

import pytest

from tagbase import AlreadyExistsError, Kind, StoreError
from tagbase.store import EntitySpec, StoreContract


class BoomError(Exception):
    pass


def test_a_block_commits_together(contract: StoreContract) -> None:
    with contract.atomic():
        contract.add(EntitySpec(Kind.ASSET, "a", tags=["x"]))
        contract.add(EntitySpec(Kind.ASSET, "b"))
        contract.add_tags(Kind.ASSET, "b", tags=["y"])
        assert contract.count(Kind.ASSET) == 2  # the block reads its own writes
    assert [e.name for e in contract.list(Kind.ASSET).items] == ["b", "a"]
    assert contract.get(Kind.ASSET, "b").tag_dict == {"y": ""}


def test_a_block_that_raises_leaves_nothing(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.ASSET, "kept"))

    def block() -> None:
        with contract.atomic():
            contract.add(EntitySpec(Kind.ASSET, "a", tags=["x"]))
            contract.log_metadata(Kind.ASSET, "kept", metadata={"rows": 1})
            with contract.atomic():  # nested: joins the outer block
                contract.add_tags(Kind.ASSET, "kept", tags=["y"])
            raise BoomError

    with pytest.raises(BoomError):
        block()
    assert [e.name for e in contract.list(Kind.ASSET).items] == ["kept"]
    kept = contract.get(Kind.ASSET, "kept")
    assert kept.tag_dict == {}
    assert kept.metadata == {}
    contract.add(EntitySpec(Kind.ASSET, "a", tags=["x"]))  # the names and tags are free again
    assert contract.get(Kind.ASSET, "a").tag_dict == {"x": ""}


def test_a_refused_call_in_a_block_of_its_own_is_undone_alone(contract: StoreContract) -> None:
    with contract.atomic():
        contract.add(EntitySpec(Kind.ASSET, "a"))
        with pytest.raises(AlreadyExistsError), contract.atomic():
            contract.add(EntitySpec(Kind.ASSET, "a", tags=["lost"]))
        contract.add(EntitySpec(Kind.ASSET, "b"))
    assert sorted(e.name for e in contract.list(Kind.ASSET).items) == ["a", "b"]
    assert contract.get(Kind.ASSET, "a").tag_dict == {}
    assert contract.list_tags() == [] or "lost" not in {t.key for t in contract.list_tags()}


def test_a_block_whose_failed_call_was_handled_refuses_to_commit(
    contract: StoreContract,
) -> None:
    def block() -> None:
        with contract.atomic():
            contract.add(EntitySpec(Kind.ASSET, "a"))
            with pytest.raises(AlreadyExistsError):
                contract.add(EntitySpec(Kind.ASSET, "a"))
            contract.add(EntitySpec(Kind.ASSET, "b"))

    with pytest.raises(StoreError, match="cannot commit"):
        block()
    assert contract.count(Kind.ASSET) == 0
    with contract.atomic():  # the next block starts clean
        contract.add(EntitySpec(Kind.ASSET, "c"))
    assert contract.count(Kind.ASSET) == 1
