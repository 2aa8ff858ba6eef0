"""Changes made while acting as an authenticated user are recorded under that user, whatever
actor the call names (a server's requests must not be able to name someone else)."""

from __future__ import annotations

from tagbase import EntitySpec, Kind, Tag
from tagbase._acting import acting_as
from tagbase.store import Store


def test_the_acting_user_is_recorded_over_the_named_and_the_configured_actor(
    store: Store,
) -> None:
    store.add(EntitySpec(Kind.ASSET, "orders"))
    with acting_as("alice"):
        store.add_tags(Kind.ASSET, "orders", tags=[Tag("pii")], actor="mallory")
    store.add_tags(Kind.ASSET, "orders", tags=[Tag("gold")], actor="bob")
    actors = {e.tag: e.actor for e in store.tag_history(kind=Kind.ASSET, ref="orders")}
    assert actors == {"pii": "alice", "gold": "bob"}
