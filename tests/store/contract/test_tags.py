"""Tags in the store: registry behaviours, exclusive moves, history, usage counts and filters."""

from __future__ import annotations

import random
import string
import time
from datetime import UTC, datetime, timedelta

import pytest

from tagbase import (
    AlreadyExistsError,
    Client,
    ConflictError,
    Entity,
    EntitySpec,
    ExclusiveTagConflictError,
    InvalidInputError,
    Kind,
    NotFoundError,
    Tag,
    TagEvent,
    TagValidationError,
)
from tagbase.store import StoreContract

PARENT_KINDS = {
    Kind.ASSET_VERSION: Kind.ASSET,
    Kind.MODEL_VERSION: Kind.MODEL,
    Kind.RUN: Kind.JOB,
    Kind.RUN_TEMPLATE: Kind.JOB,
}
SCOPED = list(PARENT_KINDS)
TOP_LEVEL = [kind for kind in Kind if kind not in PARENT_KINDS]


def later() -> None:
    """Let the millisecond clock move on, so that events get distinct times."""
    time.sleep(0.003)


def now() -> datetime:
    later()
    moment = datetime.now(UTC)
    later()
    return moment


def family(client: Client, kind: Kind, parents: int, children: int) -> list[list[str]]:
    """`parents` scopes (p0, p1, ...) holding `children` entities each (p0-c0, p0-c1, ...).
    For a top-level kind, one list of plain entities."""
    if kind not in PARENT_KINDS:
        return [[client.create(kind, f"e{i}").name for i in range(children)]]
    made = []
    for p in range(parents):
        client.create(PARENT_KINDS[kind], f"p{p}")
        made.append(
            [client.create(kind, f"p{p}-c{c}", scope=f"p{p}").name for c in range(children)]
        )
    return made


def scope_of(name: str) -> str | None:
    return name.split("-")[0] if "-" in name else None


def tag_names(client: Client, kind: Kind, name: str) -> list[str]:
    return client.get(kind, name, scope_of(name)).tag_names


def holders(client: Client, kind: Kind, tag_name: str) -> list[str]:
    return sorted(e.name for e in client.list(kind, tags=[f"equals:{tag_name}"], size=1000))


def add(client: Client, kind: Kind, name: str, *tags: str | Tag) -> Entity:
    return client.add_tags(kind, name, list(tags), scope_of(name))


def summary(events: list[TagEvent]) -> list[tuple[str, str, str, str | None, str | None]]:
    return [
        (e.action, e.entity.name, e.tag, e.reason, e.moved_to.name if e.moved_to else None)
        for e in events
    ]


def usage(client: Client, name: str) -> dict[Kind, int]:
    return dict(client.get_tag(name).usage)


# -- the seed statements -----------------------------------------------------------------------


def test_seed_champion_moves_to_the_newest_model_version(client: Client) -> None:
    client.create_model(name="iris_classifier", tags=["classification", "iris-dataset"])
    client.create_tag(name="champion", exclusive=True)
    client.create_model_version(model_name_or_id="iris_classifier", name="1.0.0", tags=["champion"])
    client.create_model_version(model_name_or_id="iris_classifier", name="2.0.0", tags=["champion"])
    assert client.get_model_version("iris_classifier", "1.0.0").tag_names == []
    assert client.get_model_version("iris_classifier", "2.0.0").tag_names == ["champion"]
    assert holders(client, Kind.MODEL_VERSION, "champion") == ["2.0.0"]
    assert usage(client, "champion") == {Kind.MODEL_VERSION: 1}


def test_exclusive_given_by_a_tag_object_persists_for_plain_strings(client: Client) -> None:
    client.create_pipeline("my_pipeline")
    client.create_run("my_pipeline", "first", tags=[Tag("latest", exclusive=True), "experiment"])
    assert client.get_tag("latest").exclusive
    client.create_run("my_pipeline", "second", tags=["latest", "experiment"])
    assert client.get_run("first").tag_names == ["experiment"]
    assert client.get_run("second").tag_names == ["experiment", "latest"]
    [held] = [t for t in client.get_run("second").tags.assigned if t.key == "latest"]
    assert held.exclusive


def test_create_tag_refuses_a_registered_tag_and_names_update_tag(client: Client) -> None:
    client.create_tag(name="production", exclusive=True, color="green")
    with pytest.raises(AlreadyExistsError, match="'production' is registered already") as caught:
        client.create_tag(name="production", exclusive=False)
    assert "Client().update_tag('production'" in str(caught.value)
    kept = client.get_tag("production")
    assert (kept.exclusive, kept.color) == (True, "green")
    assert not client.update_tag("production", exclusive=False).exclusive


def test_create_tag_registers_a_tag_that_is_only_in_use(client: Client) -> None:
    client.create_model("m", tags=["stage"])
    assert not client.get_tag("stage").registered
    assert client.create_tag(name="stage", exclusive=True).registered


def test_registered_behaviours_are_stored(client: Client) -> None:
    client.create_tag(name="production", exclusive=True, color="green", description="live")
    client.create_pipeline("p", tags=[Tag("experiment_42", cascade=True), "training"])
    production = client.get_tag("production")
    assert (production.registered, production.exclusive, production.color) == (True, True, "green")
    assert production.description == "live"
    assert client.get_tag("experiment_42").cascade
    assert not client.get_tag("training").cascade
    changed = client.update_tag("production", color="#ff0000", description="serving")
    assert (changed.exclusive, changed.color, changed.description) == (True, "#ff0000", "serving")
    assert [t.name for t in client.list_tags(registered_only=True)] == [
        "experiment_42",
        "production",
    ]


def test_bad_registry_entries_are_refused(client: Client) -> None:
    with pytest.raises(TagValidationError, match="blurple"):
        client.create_tag(name="pretty", color="blurple")
    with pytest.raises(TagValidationError, match="tagbase/secret"):
        client.create_tag(name="tagbase/secret")
    with pytest.raises(NotFoundError, match="never-seen"):
        client.update_tag("never-seen", color="red")


# -- exclusive tags ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SCOPED)
def test_exclusive_tag_is_held_once_per_scope(client: Client, kind: Kind) -> None:
    (a1, a2), (b1, _) = family(client, kind, parents=2, children=2)
    client.create_tag(name="current", exclusive=True)
    add(client, kind, a1, "current")
    add(client, kind, b1, "current")
    assert holders(client, kind, "current") == [a1, b1]
    add(client, kind, a2, "current")
    assert holders(client, kind, "current") == [a2, b1]  # the other scope kept its holder
    assert usage(client, "current") == {kind: 2}


@pytest.mark.parametrize("kind", TOP_LEVEL)
def test_exclusive_tag_is_held_once_per_top_level_kind(client: Client, kind: Kind) -> None:
    [[e0, e1]] = family(client, kind, parents=1, children=2)
    client.create_tag(name="flagship", exclusive=True)
    add(client, kind, e0, "flagship")
    add(client, kind, e1, "flagship")
    assert holders(client, kind, "flagship") == [e1]


def test_exclusivity_does_not_cross_kinds(client: Client) -> None:
    client.create_tag(name="flagship", exclusive=True)
    client.create_model("m", tags=["flagship"])
    client.create_pipeline("j", tags=["flagship"])
    client.create_run("j", "r", tags=["flagship"])
    assert usage(client, "flagship") == {Kind.MODEL: 1, Kind.JOB: 1, Kind.RUN: 1}


def test_re_adding_an_exclusive_tag_to_its_holder_changes_nothing(client: Client) -> None:
    client.create_model("m")
    client.create_model_version("m", "1", tags=[Tag("best", exclusive=True)])
    client.update_model_version("m", "1", add_tags=["best"])
    assert client.tag_history(tag="best")[0].action == "added"
    assert len(client.tag_history(tag="best")) == 1


def test_exclusive_move_keeps_the_holders_other_tags(client: Client) -> None:
    client.create_model("m")
    client.create_model_version("m", "1", tags=[Tag("best", exclusive=True), "sklearn"])
    client.create_model_version("m", "2", tags=["best"])
    assert client.get_model_version("m", "1").tag_names == ["sklearn"]


@pytest.mark.parametrize("registered_inline", [False, True])
def test_one_call_may_not_give_an_exclusive_tag_twice_in_a_scope(
    client: Client, registered_inline: bool
) -> None:
    client.create_model("m")
    client.create_model_version("m", "0", tags=["keep"])
    if not registered_inline:
        client.create_tag(name="champion", exclusive=True)
    champion = Tag("champion", exclusive=True) if registered_inline else "champion"
    specs = [
        EntitySpec(Kind.MODEL_VERSION, name, scope="m", tags=[champion]) for name in ("1", "2")
    ]
    with pytest.raises(ExclusiveTagConflictError, match="champion") as caught:
        client.bulk_create(specs)
    assert "1" in str(caught.value)
    assert "2" in str(caught.value)
    assert [v.name for v in client.list_model_versions("m")] == ["0"]


def test_one_call_may_give_an_exclusive_tag_once_per_scope(client: Client) -> None:
    client.create_tag(name="champion", exclusive=True)
    for model in ("a", "b"):
        client.create_model(model)
    specs = [EntitySpec(Kind.MODEL_VERSION, "1", scope=m, tags=["champion"]) for m in "ab"]
    client.bulk_create(specs)
    assert usage(client, "champion") == {Kind.MODEL_VERSION: 2}


def test_making_a_shared_tag_exclusive_lists_the_conflicts(client: Client) -> None:
    (a1, a2, a3), (b1, _, _) = family(client, Kind.RUN, parents=2, children=3)
    for name in (a1, a2, b1):
        add(client, Kind.RUN, name, "nightly")
    with pytest.raises(ExclusiveTagConflictError) as caught:
        client.update_tag("nightly", exclusive=True)
    message = str(caught.value)
    assert "nightly" in message
    assert "p0" in message
    assert a1 in message
    assert a2 in message
    assert b1 not in message
    assert not client.get_tag("nightly").exclusive
    assert holders(client, Kind.RUN, "nightly") == [a1, a2, b1]

    client.remove_tags(Kind.RUN, a1, ["nightly"], "p0")
    assert client.update_tag("nightly", exclusive=True).exclusive
    add(client, Kind.RUN, a3, "nightly")
    assert holders(client, Kind.RUN, "nightly") == [a3, b1]


def test_a_tag_object_cannot_make_a_shared_tag_exclusive(client: Client) -> None:
    [[a1, a2, a3]] = family(client, Kind.RUN, parents=1, children=3)
    add(client, Kind.RUN, a1, "nightly")
    add(client, Kind.RUN, a2, "nightly")
    with pytest.raises(ExclusiveTagConflictError):
        add(client, Kind.RUN, a3, Tag("nightly", exclusive=True))
    assert holders(client, Kind.RUN, "nightly") == [a1, a2]


def test_run_tag_values_up_to_8_kib_are_stored(client: Client) -> None:
    pick = random.Random(3)
    value = "".join(pick.choice(string.ascii_letters + string.digits) for _ in range(8192))
    client.create_pipeline("p")
    client.create_run("p", "r", tags={"blob": value})
    assert client.get_run("r").tag_dict == {"blob": value}
    assert [r.name for r in client.list_runs(tags={"blob": value})] == ["r"]


# -- one value per key, multi-valued keys ------------------------------------------------------


def test_a_new_value_replaces_the_old_one(client: Client) -> None:
    client.create_pipeline("p")
    client.create_run("p", "r", tags={"env": "dev", "team": "ml"})
    later()
    updated = client.update_run("r", add_tags={"env": "prod"})
    assert updated.tag_dict == {"env": "prod", "team": "ml"}
    [replaced] = [e for e in client.tag_history(Kind.RUN, "r") if e.action == "removed"]
    assert (replaced.tag, replaced.reason) == ("env=dev", "replaced")
    assert client.get_tag("env=dev").usage_count == 0
    assert usage(client, "env=prod") == {Kind.RUN: 1}


def test_a_label_and_a_value_of_one_key_replace_each_other(client: Client) -> None:
    client.create_model("m", tags=["env"])
    assert client.update_model("m", add_tags=["env=prod"]).tag_names == ["env=prod"]
    assert client.update_model("m", add_tags=["env"]).tag_names == ["env"]


def test_one_call_may_not_give_a_key_two_values(client: Client) -> None:
    client.create_model("m", tags=["env=dev"])
    with pytest.raises(TagValidationError, match="one value per entity"):
        client.update_model("m", add_tags=["env=staging", "env=prod"])
    assert client.get_model("m").tag_names == ["env=dev"]


def test_multi_valued_keys_keep_every_value(client: Client) -> None:
    client.create_tag(name="team", multi_valued=True)
    client.create_model("m", tags=["team=ml", "team=data"])
    client.update_model("m", add_tags=["team=ops"])
    assert client.get_model("m").tag_names == ["team=data", "team=ml", "team=ops"]
    assert client.get_tag("team").multi_valued
    assert client.get_tag("team=ml").multi_valued  # the behaviour belongs to the key

    with pytest.raises(ConflictError, match="team"):
        client.update_tag("team", multi_valued=False)
    client.remove_tags(Kind.MODEL, "m", ["team=data", "team=ops"])
    assert not client.update_tag("team", multi_valued=False).multi_valued
    assert client.update_model("m", add_tags=["team=data"]).tag_names == ["team=data"]


# -- removing tags -----------------------------------------------------------------------------


def test_removing_a_tag_the_entity_lacks_changes_nothing(client: Client) -> None:
    client.create_model("m", tags=["a", "b"])
    with pytest.raises(NotFoundError, match="missing"):
        client.remove_tags(Kind.MODEL, "m", ["a", "missing"])
    assert client.get_model("m").tag_names == ["a", "b"]
    assert usage(client, "a") == {Kind.MODEL: 1}
    assert client.tag_history(Kind.MODEL, "m", tag="a")[0].action == "added"


def test_a_bare_key_removes_every_value_of_the_key(client: Client) -> None:
    client.create_tag(name="team", multi_valued=True)
    client.create_model("m", tags=["team=ml", "team=data", "keep"])
    assert client.remove_tags(Kind.MODEL, "m", ["team"]).tag_names == ["keep"]


def test_a_bare_key_removes_only_the_label_when_the_entity_has_it(client: Client) -> None:
    client.create_tag(name="team", multi_valued=True)
    client.create_model("m", tags=["team", "team=ml"])
    assert client.remove_tags(Kind.MODEL, "m", ["team"]).tag_names == ["team=ml"]


# -- provenance --------------------------------------------------------------------------------


def test_assignments_record_source_actor_and_time(store: StoreContract, client: Client) -> None:
    before = now()
    client.create_pipeline("p")
    client.create_run("p", "r", tags=["created"])
    client.update_run("r", add_tags=["updated"])
    store.add_tags(Kind.RUN, "r", tags=["launched"], source="launch", actor="ci-bot")
    after = now()
    provenance = {t.name: (t.source, t.actor) for t in client.get_run("r").tags.assigned}
    assert provenance == {
        "created": ("api", "tester"),
        "updated": ("user", "tester"),
        "launched": ("launch", "ci-bot"),
    }
    assert all(before < t.added_at < after for t in client.get_run("r").tags.assigned)
    with pytest.raises(InvalidInputError, match="source"):
        store.add_tags(Kind.RUN, "r", tags=["x"], source="telepathy")


def test_history_keeps_who_added_and_who_removed(store: StoreContract, client: Client) -> None:
    client.create_model("m")
    store.add_tags(Kind.MODEL, "m", tags=["reviewed"], source="user", actor="ana")
    later()
    store.remove_tags(Kind.MODEL, "m", tags=["reviewed"], source="system", actor="janitor")
    removed, added = client.tag_history(Kind.MODEL, "m")
    assert (added.action, added.source, added.actor) == ("added", "user", "ana")
    assert (removed.action, removed.source, removed.actor) == ("removed", "system", "janitor")
    assert removed.at > added.at


# -- history -----------------------------------------------------------------------------------


def test_history_of_an_entity_newest_first(client: Client) -> None:
    client.create_model("m", tags=["a"])
    later()
    client.update_model("m", add_tags=["env=dev"])
    later()
    client.update_model("m", add_tags=["env=prod"])
    later()
    client.update_model("m", remove_tags=["a"])
    assert summary(client.tag_history(Kind.MODEL, "m")) == [
        ("removed", "m", "a", "removed", None),
        ("removed", "m", "env=dev", "replaced", None),
        ("added", "m", "env=prod", None, None),
        ("added", "m", "env=dev", None, None),
        ("added", "m", "a", None, None),
    ]
    assert summary(client.tag_history(Kind.MODEL, "m", tag="env=dev")) == [
        ("removed", "m", "env=dev", "replaced", None),
        ("added", "m", "env=dev", None, None),
    ]


def test_history_of_a_tag_shows_moves(client: Client) -> None:
    client.create_model("m")
    client.create_tag(name="champion", exclusive=True)
    for version in ("1", "2", "3"):
        client.create_model_version("m", version, tags=["champion"])
        later()
    assert summary(client.tag_history(tag="champion")) == [
        ("removed", "2", "champion", "moved", "3"),
        ("added", "3", "champion", None, None),
        ("removed", "1", "champion", "moved", "2"),
        ("added", "2", "champion", None, None),
        ("added", "1", "champion", None, None),
    ]
    assert len(client.tag_history(tag="champion", limit=2)) == 2
    assert client.tag_history(Kind.RUN, tag="champion") == []


def test_holders_at_a_time_before_and_after_a_move(client: Client) -> None:
    for model in ("m", "other"):
        client.create_model(model)
        client.create_model_version(model, "1")
        client.create_model_version(model, "2")
    client.create_tag(name="champion", exclusive=True)
    client.create_pipeline("p", tags=["champion"])
    at_start = now()
    client.update_model_version("m", "1", add_tags=["champion"])
    client.update_model_version("other", "1", add_tags=["champion"])
    while_v1 = now()
    client.update_model_version("m", "2", add_tags=["champion"])
    while_v2 = now()
    client.update_model_version("m", "2", remove_tags=["champion"])
    at_end = now()

    def held(at: datetime, **filters: object) -> list[str]:
        return [ref.display_name for ref in client.tag_holders("champion", at, **filters)]  # type: ignore[arg-type]

    in_m = {"kind": Kind.MODEL_VERSION, "scope": "m"}
    assert held(at_start, **in_m) == []
    assert held(while_v1, **in_m) == ["m:1"]
    assert held(while_v2, **in_m) == ["m:2"]
    assert held(at_end, **in_m) == []
    assert held(while_v2, kind=Kind.MODEL_VERSION) == ["m:2", "other:1"]
    assert held(while_v2) == ["m:2", "other:1", "p"]
    assert held(at_end, kind="pipeline") == ["p"]
    with pytest.raises(InvalidInputError, match="no parent"):
        held(at_end, kind=Kind.JOB, scope="p")


def held_in(client: Client, scope: str, at: datetime) -> list[str]:
    refs = client.tag_holders("champion", at, kind=Kind.MODEL_VERSION, scope=scope)
    return [ref.name for ref in refs]


def test_imported_versions_pass_an_exclusive_tag_on_at_their_own_times(client: Client) -> None:
    client.create_model("m")
    client.create_tag(name="champion", exclusive=True)
    for day in (1, 2, 3):
        created = datetime(2024, 1, day, tzinfo=UTC)
        client.create(
            Kind.MODEL_VERSION, f"v{day}", scope="m", tags=["champion"], created_at=created
        )
    for day in (1, 2, 3):
        assert held_in(client, "m", datetime(2024, 1, day, 12, tzinfo=UTC)) == [f"v{day}"]
    assert held_in(client, "m", datetime(2023, 12, 31, tzinfo=UTC)) == []
    assert held_in(client, "m", datetime.now(UTC)) == ["v3"]


def test_an_import_dated_before_the_holder_never_makes_two_holders(client: Client) -> None:
    client.create_model("m")
    client.create_model_version("m", "live", tags=[Tag("champion", exclusive=True)])
    live_since = now()
    last_week = datetime.now(UTC) - timedelta(days=7)
    client.create(Kind.MODEL_VERSION, "old", scope="m", tags=["champion"], created_at=last_week)
    after = now()
    for at in (last_week, last_week + timedelta(days=1), live_since, after):
        assert len(held_in(client, "m", at)) <= 1
    assert held_in(client, "m", after) == ["old"]


# -- usage counts ------------------------------------------------------------------------------


def listed_usage(client: Client, name: str) -> int | None:
    found = [d.usage_count for d in client.list_tags() if d.name == name]
    return found[0] if found else None


def test_usage_counts_follow_adds_removes_moves_and_deletes(client: Client) -> None:
    client.create_tag(name="champion", exclusive=True)
    client.create_model("m", tags=["shared"])
    for version in ("1", "2", "3"):
        client.create_model_version("m", version, tags=["shared", "champion"])
    assert usage(client, "shared") == {Kind.MODEL: 1, Kind.MODEL_VERSION: 3}
    assert usage(client, "champion") == {Kind.MODEL_VERSION: 1}
    assert (listed_usage(client, "shared"), listed_usage(client, "champion")) == (4, 1)

    client.update_model_version("m", "1", add_tags=["champion"])  # a move
    assert usage(client, "champion") == {Kind.MODEL_VERSION: 1}
    client.update_model_version("m", "2", remove_tags=["shared"])
    assert listed_usage(client, "shared") == 3
    client.delete_model_version("m", "1")
    assert usage(client, "champion") == {}
    assert listed_usage(client, "champion") == 0  # registered tags stay listed, unused
    assert listed_usage(client, "shared") == 2
    client.delete_model("m", recursive=True)
    assert listed_usage(client, "shared") is None  # unregistered and unused: gone from the list


def test_deleting_a_job_with_many_runs_keeps_counts_and_history(client: Client) -> None:
    client.create_pipeline("p", tags=["nightly"])
    client.bulk_create(
        [EntitySpec(Kind.RUN, scope="p", tags=["nightly", f"shard={i % 3}"]) for i in range(700)]
    )
    assert usage(client, "nightly") == {Kind.JOB: 1, Kind.RUN: 700}
    client.delete(Kind.JOB, "p", recursive=True)
    assert usage(client, "nightly") == {}
    assert all(usage(client, f"shard={i}") == {} for i in range(3))
    removals = [e for e in client.tag_history(tag="nightly", limit=5000) if e.action == "removed"]
    assert len(removals) == 701
    assert {e.reason for e in removals} == {"deleted"}


# -- deleting a tag ----------------------------------------------------------------------------


def test_delete_tag_takes_it_off_everything_and_history_keeps_it(client: Client) -> None:
    client.create_tag(name="deprecated", color="red")
    client.create_model("m", tags=["deprecated", "keep"])
    client.create_pipeline("p", tags=["deprecated"])
    later()
    assert client.delete_tag("deprecated") == 2
    assert client.get_model("m").tag_names == ["keep"]
    assert client.get_pipeline("p").tag_names == []
    assert "deprecated" not in [d.name for d in client.list_tags()]
    removals = [e for e in client.tag_history(tag="deprecated") if e.action == "removed"]
    assert sorted((e.entity.name, e.reason) for e in removals) == [
        ("m", "deleted"),
        ("p", "deleted"),
    ]
    client.update_model("m", add_tags=["deprecated"])  # the name is free again, unregistered
    again = client.get_tag("deprecated")
    assert (again.registered, again.color, again.usage_count) == (False, None, 1)


def test_deleting_an_exclusive_tag_drops_exclusivity(client: Client) -> None:
    client.create_model("m")
    client.create_tag(name="champion", exclusive=True)
    client.create_model_version("m", "1", tags=["champion"])
    client.delete_tag("champion")
    client.create_model_version("m", "2", tags=["champion"])
    client.create_model_version("m", "3", tags=["champion"])
    assert holders(client, Kind.MODEL_VERSION, "champion") == ["2", "3"]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_tag("never-seen"),
        lambda c: c.delete_tag("never-seen"),
        lambda c: c.update_tag("never-seen", color="red"),
        lambda c: c.tag_history(tag="never-seen"),
        lambda c: c.tag_holders("never-seen", datetime.now(UTC)),
    ],
    ids=["get", "delete", "update", "history", "holders"],
)
def test_unknown_tag_is_not_found(client: Client, call: object) -> None:
    with pytest.raises(NotFoundError, match="never-seen"):
        call(client)  # type: ignore[operator]


def test_tagging_an_unknown_entity_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError, match="ghost"):
        client.add_tags(Kind.MODEL, "ghost", ["x"])
    assert listed_usage(client, "x") is None


# -- filters -----------------------------------------------------------------------------------

FILTER_RUNS = {
    "r1": ["experiment_42", "v2.1", "high_accuracy"],
    "r2": ["v1", "env=prod", "baseline"],
    "r3": ["env", "v2-beta"],
    "r4": [],
    "r5": ["pct=50%", "snake_case", "path=C:\\data"],
    "r6": ["pct=50x", "snakeXcase", "path=C:data"],
    "r7": ["équipe=données", "emoji=🚀", "Experiment"],
}


@pytest.fixture
def runs(client: Client) -> Client:
    client.create_pipeline("p")
    for name, tags in FILTER_RUNS.items():
        client.create_run("p", name, tags=tags)
    return client


def found(client: Client, tags: object) -> list[str]:
    listed = sorted(run.name for run in client.list_runs(tags=tags))  # type: ignore[arg-type]
    assert client.count(Kind.RUN, tags=tags) == len(listed)  # type: ignore[arg-type]
    return listed


ALL_RUNS = sorted(FILTER_RUNS)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["contains:experiment"], ["r1"]),
        (["startswith:v2"], ["r1", "r3"]),
        (["equals:high_accuracy"], ["r1"]),
        (["contains:experiment", "startswith:v2", "equals:high_accuracy"], ["r1"]),
        (["contains:experiment", "equals:baseline"], []),
        (["endswith:_42"], ["r1"]),
        (["startswith:env=pr"], ["r2"]),
        (["high_accuracy"], ["r1"]),
        (["notequals:env=prod"], [r for r in ALL_RUNS if r != "r2"]),
        (["notequals:v1", "startswith:v"], ["r1", "r3"]),
        (["oneof:env,baseline"], ["r2", "r3"]),
        (['oneof:["env","v1"]'], ["r2", "r3"]),
        (["notoneof:env,baseline"], ["r1", "r4", "r5", "r6", "r7"]),
        (["oneof:"], []),
        (["oneof:[]"], []),
        (["notoneof:"], ALL_RUNS),
        (["contains:50%"], ["r5"]),
        (["contains:e_c"], ["r5"]),
        (["endswith:%"], ["r5"]),
        (["contains:C:\\d"], ["r5"]),
        (["env"], ["r3"]),
        (["env=prod"], ["r2"]),
        (["équipe=données"], ["r7"]),
        (["contains:onn"], ["r7"]),
        (["equals:emoji=🚀"], ["r7"]),
        (["contains:Experiment"], ["r7"]),
        (["contains:EXPERIMENT"], []),
        ([Tag("env", "prod")], ["r2"]),
        ("v1", ["r2"]),
    ],
)
def test_operator_string_filters(runs: Client, tags: object, expected: list[str]) -> None:
    assert found(runs, tags) == expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"env": "prod"}, ["r2"]),
        ({"env": ""}, ["r3"]),
        ({"env": None}, ["r2", "r3"]),
        ({"pct": ["50%", "50x"]}, ["r5", "r6"]),
        ({"pct": ["50%", "50x"], "snake_case": ""}, ["r5"]),
        ({"équipe": "données"}, ["r7"]),
        ({"env": []}, []),
    ],
)
def test_dict_filters(runs: Client, tags: object, expected: list[str]) -> None:
    assert found(runs, tags) == expected


def test_dagster_style_dict_filter_is_and_across_keys_or_within(client: Client) -> None:
    combos = {
        "ml-prod": {"team": "ml", "env": "prod"},
        "ml-staging": {"team": "ml", "env": "staging"},
        "ml-dev": {"team": "ml", "env": "dev"},
        "data-prod": {"team": "data", "env": "prod"},
        "ml-only": {"team": "ml"},
    }
    for name, tags in combos.items():
        client.create_artifact(name, tags=tags)
    matched = client.list_artifacts(tags={"team": "ml", "env": ["prod", "staging"]})
    assert sorted(a.name for a in matched) == ["ml-prod", "ml-staging"]


def test_seed_filters_on_models_and_artifact_versions(client: Client) -> None:
    client.create_model("iris_classifier", tags=["production", "sklearn"])
    client.create_model("fraud_detector", tags=["staging"])
    client.create_artifact("iris_data")
    client.create_artifact_version("iris_data", "2023-06-15", tags=["validated"])
    client.create_artifact_version("iris_data", "2023-06-16")
    production_models = client.list_models(tags=["production"])
    assert [m.name for m in production_models] == ["iris_classifier"]
    validated_data = client.list_artifact_versions(tags=["validated"])
    assert [v.version for v in validated_data] == ["2023-06-15"]


def test_filters_combine_with_scope_and_name(runs: Client) -> None:
    runs.create_pipeline("other")
    runs.create_run("other", "elsewhere", tags=["baseline"])
    assert found(runs, ["baseline"]) == ["elsewhere", "r2"]
    in_p = runs.list_runs(tags=["baseline"], pipeline_name_or_id="p")
    assert [r.name for r in in_p] == ["r2"]
    named = runs.list_runs(tags=["notequals:baseline"], name="startswith:r")
    assert sorted(r.name for r in named) == [r for r in ALL_RUNS if r != "r2"]


def test_listing_tags_works_past_the_databases_parameter_limits(client: Client) -> None:
    client.create_pipeline("p")
    specs = [EntitySpec(Kind.RUN, scope="p", tags=[f"run-{n}"]) for n in range(40_000)]
    client.bulk_create(specs)
    listed = client.list_tags()
    assert len(listed) == 40_000
    assert {definition.usage_count for definition in listed} == {1}


def test_searching_tags_ranks_registered_then_most_used_and_counts_all_matches(
    client: Client,
) -> None:
    client.create_pipeline("p")
    for number in range(6):
        tags = {"env": "prod" if number < 4 else "dev", "team": "ml", f"only-{number}": ""}
        client.create_run("p", tags=tags)
    client.create_tag("Release_100%", description="registered, never used")

    found, total = client.search_tags(limit=3)
    assert [d.name for d in found] == ["Release_100%", "team=ml", "env=prod"]
    assert total == 1 + 3 + 6  # the registered tag, env=prod/dev and team=ml, six labels

    found, total = client.search_tags("ENV", limit=10)  # ASCII letters in either case
    assert ([d.name for d in found], total) == (["env=prod", "env=dev"], 2)
    found, total = client.search_tags("_100%")  # LIKE wildcards are plain text
    assert ([d.name for d in found], total) == (["Release_100%"], 1)
    assert client.search_tags("se%1") == ([], 0)  # as a LIKE pattern it would match

    found, total = client.search_tags(registered_only=True)
    assert ([d.name for d in found], total) == (["Release_100%"], 1)
    with pytest.raises(InvalidInputError, match="limit 0 is not positive"):
        client.search_tags(limit=0)
