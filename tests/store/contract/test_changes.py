"""The change feed: every catalog change is an event of one ordered log, written with the
change (a rolled-back change leaves none), read by id, filtered by type and by query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tagbase import InvalidInputError, Kind
from tagbase._changes import ChangeEvent, ChangeType
from tagbase._tag_settings import TagSettings
from tagbase.query import parse
from tagbase.store import EntitySpec, StoreContract


class BoomError(Exception):
    pass


def changes(store: StoreContract, after: int = 0, **filters: object) -> list[ChangeEvent]:
    return list(store.list_changes(after=after, limit=10_000, **filters).events)  # type: ignore[arg-type]


def last_id(store: StoreContract) -> int:
    return store.list_changes(after=0, limit=10_000).last_id


def kinds_of(events: list[ChangeEvent]) -> list[str]:
    return [event.type.value for event in events]


def test_a_new_entity_is_one_event_with_its_tags_ref_and_actor(contract: StoreContract) -> None:
    made = contract.add(EntitySpec(Kind.ASSET, "orders", tags=["env=prod", "pii"]))
    [event] = changes(contract)
    assert event.type is ChangeType.ENTITY_CREATED
    assert event.entity is not None
    assert (event.entity.id, event.entity.kind, event.entity.name) == (
        made.id,
        Kind.ASSET,
        "orders",
    )
    assert event.actor == made.tags.assigned[0].actor
    assert event.payload["tags"] == ["env=prod", "pii"]
    assert event.id > 0


def test_a_version_is_created_with_its_scope(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.MODEL, "iris"))
    after = last_id(contract)
    contract.add(EntitySpec(Kind.MODEL_VERSION, "1.0", scope="iris"))
    [event] = changes(contract, after)
    assert event.type is ChangeType.VERSION_CREATED
    assert event.entity is not None
    assert event.entity.display_name == "iris:1.0"


def test_tags_added_replaced_and_removed_are_events(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.ASSET, "orders", tags=["env=dev"]))
    after = last_id(contract)
    contract.add_tags(Kind.ASSET, "orders", tags=["env=prod", "pii"])
    contract.remove_tags(Kind.ASSET, "orders", tags=["pii"])
    events = changes(contract, after)
    assert [(e.type.value, e.payload.get("tag"), e.payload.get("old")) for e in events] == [
        ("tag.replaced", "env=prod", "env=dev"),
        ("tag.added", "pii", None),
        ("tag.removed", "pii", None),
    ]
    assert all(e.entity is not None and e.entity.name == "orders" for e in events)


def test_an_exclusive_tag_moves_from_its_holder_to_the_new_one(contract: StoreContract) -> None:
    contract.register_tag("champion", TagSettings(exclusive=True))
    contract.add(EntitySpec(Kind.MODEL, "iris"))
    first = contract.add(EntitySpec(Kind.MODEL_VERSION, "1", scope="iris", tags=["champion"]))
    second = contract.add(EntitySpec(Kind.MODEL_VERSION, "2", scope="iris"))
    after = last_id(contract)
    contract.add_tags(Kind.MODEL_VERSION, "2", "iris", tags=["champion"])
    [move] = changes(contract, after)
    assert move.type is ChangeType.TAG_MOVED
    assert move.payload["tag"] == "champion"
    assert move.payload["from"]["id"] == first.id
    assert move.payload["to"]["id"] == second.id
    assert move.entity is not None
    assert move.entity.id == second.id
    [arrival] = changes(contract, types=["tag.moved"])[:1]
    assert arrival.payload["from"] is None  # the first holder took it from nobody


def test_metadata_logged_carries_keys_and_values(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.ASSET, "orders"))
    after = last_id(contract)
    contract.log_metadata(Kind.ASSET, "orders", metadata={"tagbase/row_count": 12, "note": "ok"})
    [event] = changes(contract, after)
    assert event.type is ChangeType.METADATA_LOGGED
    assert event.payload["metadata"] == {
        "tagbase/row_count": {"type": "int", "value": 12},
        "note": {"type": "text", "value": "ok"},
    }


def test_a_runs_statuses_are_events(contract: StoreContract, run_id: str) -> None:
    for status in ("started", "success"):
        contract.update(Kind.RUN, run_id, status=status, source="system")
    run_events = changes(contract, types=["run"])
    assert kinds_of(run_events) == ["run.queued", "run.started", "run.succeeded"]
    assert {e.entity.id for e in run_events if e.entity} == {run_id}
    for status, expected in (("failed", "run.failed"), ("canceled", "run.canceled")):
        other = contract.add(EntitySpec(Kind.RUN, scope="train", status="started")).id
        after = last_id(contract)
        contract.update(Kind.RUN, other, status=status)
        assert kinds_of(changes(contract, after)) == [expected]


def test_an_entity_updated_and_deleted_stays_named(contract: StoreContract) -> None:
    made = contract.add(EntitySpec(Kind.ASSET, "orders"))
    after = last_id(contract)
    contract.update(Kind.ASSET, "orders", name="sales", description="all of them")
    contract.delete(Kind.ASSET, "sales")
    updated, deleted = changes(contract, after)
    assert updated.type is ChangeType.ENTITY_UPDATED
    assert updated.payload == {"changed": ["description", "name"], "name": "sales"}
    assert deleted.type is ChangeType.ENTITY_DELETED
    assert deleted.entity is not None
    assert (deleted.entity.id, deleted.entity.name, deleted.entity.deleted) == (
        made.id,
        "sales",
        True,
    )


def test_registry_and_policy_changes_are_events(contract: StoreContract) -> None:
    contract.register_tag("stage", TagSettings(description="where it runs"))
    contract.set_tag_policy("stage", allowed_values=["dev", "prod"])
    contract.delete_tag_policy("stage")
    contract.delete_tag("stage")
    events = changes(contract)
    assert [(e.type.value, e.payload.get("action")) for e in events] == [
        ("registry.changed", "registered"),
        ("policy.changed", "set"),
        ("policy.changed", "deleted"),
        ("registry.changed", "deleted"),
    ]
    assert events[0].payload["tag"] == "stage"
    assert events[1].payload["target"] == "stage"
    assert all(e.entity is None for e in events)


def test_a_rolled_back_block_writes_no_event(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.ASSET, "kept"))
    before = changes(contract)

    def block() -> None:
        with contract.atomic():
            contract.add(EntitySpec(Kind.ASSET, "gone", tags=["x"]))
            contract.add_tags(Kind.ASSET, "kept", tags=["y"])
            raise BoomError

    with pytest.raises(BoomError):
        block()
    assert changes(contract) == before


def test_a_savepoint_rolled_back_drops_its_events_alone(contract: StoreContract) -> None:
    def savepoint() -> None:
        with contract.atomic():
            contract.add_tags(Kind.ASSET, "a", tags=["x"])
            raise BoomError

    with contract.atomic():
        contract.add(EntitySpec(Kind.ASSET, "a"))
        with pytest.raises(BoomError):
            savepoint()
        contract.add_tags(Kind.ASSET, "a", tags=["y"])
    events = changes(contract)
    assert [(e.type.value, e.payload.get("tag")) for e in events] == [
        ("entity.created", None),
        ("tag.added", "y"),
    ]


def test_pages_continue_from_last_id_in_order(contract: StoreContract) -> None:
    contract.add_many([EntitySpec(Kind.ASSET, f"a{n}") for n in range(7)])
    seen: list[int] = []
    after = 0
    while True:
        page = contract.list_changes(after=after, limit=3)
        seen.extend(event.id for event in page.events)
        after = page.last_id
        if not page.more:
            break
    assert len(seen) == 7
    assert seen == sorted(seen)
    assert len(set(seen)) == 7
    assert contract.list_changes(after=after).events == ()


def test_types_filter_by_name_and_family(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.ASSET, "orders"))
    contract.add_tags(Kind.ASSET, "orders", tags=["x"])
    contract.log_metadata(Kind.ASSET, "orders", metadata={"rows": 1})
    assert kinds_of(changes(contract, types=["tag"])) == ["tag.added"]
    chosen = ["metadata.logged", "entity.created"]
    assert kinds_of(changes(contract, types=chosen)) == ["entity.created", "metadata.logged"]
    with pytest.raises(InvalidInputError, match="unknown"):
        contract.list_changes(types=["tag.exploded"])


def test_a_query_filters_by_the_events_entity(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.ASSET, "orders", tags=["env=prod"]))
    contract.add(EntitySpec(Kind.ASSET, "drafts", tags=["env=dev"]))
    contract.add(EntitySpec(Kind.JOB, "load", tags=["env=prod"]))
    contract.log_metadata(Kind.ASSET, "drafts", metadata={"rows": 1})
    contract.log_metadata(Kind.ASSET, "orders", metadata={"rows": 2})
    matched = changes(contract, query=parse("tag:env=prod"))
    assert [(e.type.value, e.entity.name if e.entity else None) for e in matched] == [
        ("entity.created", "orders"),
        ("entity.created", "load"),
        ("metadata.logged", "orders"),
    ]
    page = contract.list_changes(query=parse("tag:env=nowhere"))
    assert page.events == ()
    assert page.last_id == last_id(contract)  # read through, so a follower moves on


def test_the_last_id_is_the_newest_events(contract: StoreContract) -> None:
    assert contract.last_change_id() == 0
    contract.add(EntitySpec(Kind.ASSET, "a"))
    contract.add_tags(Kind.ASSET, "a", tags=["x"])
    assert contract.last_change_id() == changes(contract)[-1].id


def test_pruning_drops_old_events_and_keeps_ids(contract: StoreContract) -> None:
    contract.add(EntitySpec(Kind.ASSET, "old"))
    everything = changes(contract)
    future = datetime.now(UTC) + timedelta(days=1)
    assert contract.prune_changes(int(future.timestamp() * 1000)) == len(everything)
    assert changes(contract) == []
    contract.add(EntitySpec(Kind.ASSET, "new"))
    [event] = changes(contract)
    assert event.id > everything[-1].id  # ids are never reused
    assert contract.prune_changes(0) == 0
    assert changes(contract) == [event]


def test_bad_paging_arguments_are_refused(contract: StoreContract) -> None:
    with pytest.raises(InvalidInputError, match="event id"):
        contract.list_changes(after=-1)
    with pytest.raises(InvalidInputError, match="event id"):
        contract.list_changes(after=2**64)
    with pytest.raises(InvalidInputError, match="limit"):
        contract.list_changes(limit=0)
