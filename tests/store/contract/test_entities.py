"""Entities in the store: create, get, list, update and delete every kind, on both back-ends."""

from __future__ import annotations

import uuid

import pytest

from tagbase import (
    AlreadyExistsError,
    Client,
    ConflictError,
    Entity,
    EntitySpec,
    InvalidInputError,
    Kind,
    MetadataValidationError,
    MetadataValue,
    NotFoundError,
    OwnerValidationError,
    TagValidationError,
)

PARENTS = {
    Kind.ASSET_VERSION: (Kind.ASSET, "orders"),
    Kind.MODEL_VERSION: (Kind.MODEL, "iris_classifier"),
    Kind.RUN: (Kind.JOB, "training_pipeline"),
    Kind.RUN_TEMPLATE: (Kind.JOB, "training_pipeline"),
}
SCOPED = list(PARENTS)
TOP_LEVEL = [kind for kind in Kind if kind not in PARENTS]


def parent_of(client: Client, kind: Kind) -> str | None:
    """The name of the kind's parent, created on first use; None for top-level kinds."""
    if kind not in PARENTS:
        return None
    parent_kind, name = PARENTS[kind]
    if client.store.find(parent_kind, name) is None:
        client.create(parent_kind, name)
    return name


def make(client: Client, kind: Kind, name: str | None = "thing", **fields: object) -> Entity:
    return client.create(kind, name, scope=parent_of(client, kind), **fields)  # type: ignore[arg-type]


def names(entities: object) -> list[str]:
    return [entity.name for entity in entities]  # type: ignore[attr-defined]


def count(client: Client, kind: Kind) -> int:
    return client.count(kind)


def tag_in_catalog(client: Client, name: str) -> bool:
    return name in {definition.name for definition in client.list_tags()}


# -- the life of one entity of each kind -------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind))
def test_create_get_update_delete(client: Client, kind: Kind) -> None:
    created = make(
        client,
        kind,
        tags={"team": "ml", "reviewed": ""},
        metadata={"rows": 10},
        owners=["ana@example.com", "team:data"],
        description="first",
    )
    scope = parent_of(client, kind)
    assert created.kind is kind
    assert created.name == "thing"
    assert created.tag_dict == {"team": "ml", "reviewed": ""}
    assert created.metadata == {"rows": MetadataValue.int(10)}
    assert created.owners == ("ana@example.com", "team:data")
    assert created.description == "first"
    assert (created.scope.name if created.scope else None) == scope
    assert uuid.UUID(created.id)

    for ref in ("thing", created.id, uuid.UUID(created.id)):
        assert client.get(kind, ref, scope) == created
    assert names(client.list(kind)) == ["thing"]

    updated = client.update(
        kind, "thing", scope, name="renamed", description="second", status="success"
    )
    assert (updated.name, updated.description, updated.status) == ("renamed", "second", "success")
    assert updated.updated_at >= created.updated_at
    assert client.get(kind, created.id) == updated

    client.delete(kind, "renamed", scope)
    with pytest.raises(NotFoundError, match="renamed"):
        client.get(kind, "renamed", scope)
    assert count(client, kind) == 0


@pytest.mark.parametrize("kind", list(Kind))
def test_unknown_name_or_id_is_not_found(client: Client, kind: Kind) -> None:
    scope = parent_of(client, kind)
    with pytest.raises(NotFoundError, match="nothing-here"):
        client.get(kind, "nothing-here", scope)
    with pytest.raises(NotFoundError):
        client.get(kind, str(uuid.uuid4()), scope)
    with pytest.raises(NotFoundError):
        client.update(kind, "nothing-here", scope, description="x")
    with pytest.raises(NotFoundError):
        client.delete(kind, "nothing-here", scope)
    assert client.store.find(kind, "nothing-here", scope) is None


@pytest.mark.parametrize("kind", TOP_LEVEL)
def test_top_level_kinds_need_a_name(client: Client, kind: Kind) -> None:
    with pytest.raises(InvalidInputError, match="needs a name"):
        client.create(kind)


@pytest.mark.parametrize("kind", [*Kind])
def test_blank_names_are_refused(client: Client, kind: Kind) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        make(client, kind, name="  ")


@pytest.mark.parametrize("kind", SCOPED)
def test_scoped_kinds_need_a_scope(client: Client, kind: Kind) -> None:
    with pytest.raises(InvalidInputError, match=PARENTS[kind][0].label):
        client.create(kind, "orphan")


def test_kinds_answer_to_both_vocabularies(client: Client) -> None:
    client.create("pipeline", "training_pipeline")
    client.create("artifact", "iris_data")
    assert client.get("job", "training_pipeline").kind is Kind.JOB
    assert client.get(Kind.ASSET, "iris_data").kind is Kind.ASSET
    with pytest.raises(InvalidInputError, match="unknown entity kind"):
        client.create("spaceship", "x")


TOO_MUCH_TEXT = {
    "long-name": ({"name": "n" * 256}, "256 characters"),
    "nul-in-name": ({"name": "a\x00b"}, "NUL"),
    "nul-in-description": ({"description": "a\x00b"}, "NUL"),
    "surrogate-in-name": ({"name": "a\udc80b"}, "surrogate"),
    "long-status": ({"status": "s" * 33}, "33 characters"),
}


@pytest.mark.parametrize("case", list(TOO_MUCH_TEXT))
@pytest.mark.parametrize("kind", [Kind.MODEL, Kind.RUN])
def test_text_the_database_cannot_hold_is_refused_alike_on_every_backend(
    client: Client, kind: Kind, case: str
) -> None:
    fields, rule = TOO_MUCH_TEXT[case]
    with pytest.raises(InvalidInputError, match=rule):
        make(client, kind, **fields)
    assert count(client, kind) == 0
    make(client, kind, name="ok")
    with pytest.raises(InvalidInputError, match=rule):
        client.update(kind, "ok", parent_of(client, kind), **fields)  # type: ignore[arg-type]
    assert client.get(kind, "ok", parent_of(client, kind)).description is None


def test_text_at_the_limits_is_kept(client: Client) -> None:
    made = client.create(Kind.MODEL, "n" * 255, status="s" * 32, description="d" * 10_000)
    assert (len(made.name), len(made.status or ""), len(made.description or "")) == (
        255,
        32,
        10_000,
    )


# -- versions: numbers and names ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.ASSET_VERSION, Kind.MODEL_VERSION])
def test_versions_are_numbered_and_auto_named(client: Client, kind: Kind) -> None:
    versions = [make(client, kind, name=None) for _ in range(3)]
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.name for v in versions] == ["1", "2", "3"]
    assert [v.version for v in versions] == ["1", "2", "3"]
    scope = parent_of(client, kind)
    assert client.get(kind, 2, scope).id == versions[1].id
    assert client.get(kind, "3", scope).id == versions[2].id


@pytest.mark.parametrize("kind", [Kind.ASSET_VERSION, Kind.MODEL_VERSION])
def test_given_version_names_keep_the_numbering(client: Client, kind: Kind) -> None:
    scope = parent_of(client, kind)
    dated = make(client, kind, name="2023-06-15")
    semver = make(client, kind, name="2.0.0")
    auto = make(client, kind, name=None)
    assert [dated.number, semver.number, auto.number] == [1, 2, 3]
    assert auto.name == "3"
    assert client.get(kind, "2023-06-15", scope).id == dated.id
    assert client.get(kind, "2.0.0", scope).id == semver.id
    assert client.get(kind, 2, scope).id == semver.id
    assert client.get(kind, semver.id).name == "2.0.0"


@pytest.mark.parametrize("kind", [Kind.RUN, Kind.RUN_TEMPLATE])
def test_runs_and_templates_without_names_get_unique_ones(client: Client, kind: Kind) -> None:
    made = [make(client, kind, name=None) for _ in range(3)]
    assert len(set(names(made))) == 3
    assert [entity.number for entity in made] == [1, 2, 3]


@pytest.mark.parametrize("kind", SCOPED)
def test_automatic_names_avoid_names_users_chose(client: Client, kind: Kind) -> None:
    scope = parent_of(client, kind)
    taken = "2" if kind.is_version else f"{scope}-2"
    make(client, kind, name=taken)  # number 1, named like number 2
    automatic = make(client, kind, name=None)
    assert automatic.name != taken
    assert automatic.name == (str(automatic.number) if kind.is_version else f"{scope}-3")
    assert client.get(kind, automatic.number, scope).id == automatic.id
    following = make(client, kind, name=None)  # the next number's name is free again
    assert following.number == 4
    assert count(client, kind) == len(client.list(kind).items) == 3  # each counted once


def test_automatic_names_avoid_names_chosen_in_the_same_batch(client: Client) -> None:
    client.create_model("m")
    specs = [
        EntitySpec(Kind.MODEL_VERSION, scope="m"),
        EntitySpec(Kind.MODEL_VERSION, scope="m"),
        EntitySpec(Kind.MODEL_VERSION, "2", scope="m"),
    ]
    client.bulk_create(specs)
    versions = client.list_model_versions("m")
    assert sorted((v.number, v.name) for v in versions) == [(1, "1"), (3, "3"), (4, "2")]


def test_versions_are_numbered_per_scope(client: Client) -> None:
    client.create_model("a")
    client.create_model("b")
    numbers = [
        client.create_model_version(model, None).number for model in ("a", "b", "a", "b", "b")
    ]
    assert numbers == [1, 1, 2, 2, 3]


def test_the_same_name_may_live_in_different_scopes(client: Client) -> None:
    for model in ("fraud", "churn"):
        client.create_model(model)
        client.create_model_version(model, "1.0.0")
    fraud = client.get_model_version("fraud", "1.0.0")
    churn = client.get_model_version("churn", "1.0.0")
    assert fraud.id != churn.id
    assert (fraud.scope.name, churn.scope.name) == ("fraud", "churn")  # type: ignore[union-attr]
    with pytest.raises(InvalidInputError, match="several model versions"):
        client.get(Kind.MODEL_VERSION, "1.0.0")
    assert client.get(Kind.MODEL_VERSION, fraud.id).id == fraud.id
    assert names(client.list_model_versions("fraud")) == ["1.0.0"]


def test_an_id_from_another_scope_is_not_found(client: Client) -> None:
    for model in ("fraud", "churn"):
        client.create_model(model)
    fraud_version = client.create_model_version("fraud", "1.0.0")
    with pytest.raises(NotFoundError):
        client.get_model_version("churn", fraud_version.id)
    with pytest.raises(NotFoundError):
        client.update_model_version("churn", fraud_version.id, add_tags=["wrong"])
    assert client.get_model_version("fraud", fraud_version.id).tags == {}


# -- names are unique in a scope; writes that fail leave nothing behind ------------------------


@pytest.mark.parametrize("kind", list(Kind))
def test_duplicate_name_is_refused_and_nothing_is_written(client: Client, kind: Kind) -> None:
    make(client, kind, name="dup")
    with pytest.raises(AlreadyExistsError, match="dup"):
        make(client, kind, name="dup", tags=["only-on-the-copy"], metadata={"copy": 1})
    assert count(client, kind) == 1
    assert not tag_in_catalog(client, "only-on-the-copy")
    assert "copy" not in client.get(kind, "dup", parent_of(client, kind)).metadata


@pytest.mark.parametrize("kind", list(Kind))
def test_renaming_onto_an_existing_name_is_refused(client: Client, kind: Kind) -> None:
    scope = parent_of(client, kind)
    make(client, kind, name="first")
    make(client, kind, name="second")
    with pytest.raises(AlreadyExistsError, match="first"):
        client.update(kind, "second", scope, name="first", add_tags=["renamed"])
    assert sorted(names(client.list(kind))) == ["first", "second"]
    assert client.get(kind, "second", scope).tags == {}


@pytest.mark.parametrize("kind", SCOPED)
def test_unknown_parent_is_not_found_and_nothing_is_written(client: Client, kind: Kind) -> None:
    with pytest.raises(NotFoundError, match="no-such-parent"):
        client.create(kind, "child", scope="no-such-parent", tags=["lonely"])
    assert count(client, kind) == 0
    assert not tag_in_catalog(client, "lonely")


# -- owners ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind))
def test_owners_are_emails_or_teams(client: Client, kind: Kind) -> None:
    with pytest.raises(OwnerValidationError) as caught:
        make(client, kind, owners=["ana@example.com", "bob", "team:", "team:has space"])
    assert len(caught.value.problems) == 3
    message = str(caught.value)
    assert "'bob'" in message
    assert "team:<name>" in message
    assert count(client, kind) == 0


def test_updating_owners_replaces_them(client: Client) -> None:
    client.create_artifact("orders", owners=["ana@example.com"])
    updated = client.update_artifact("orders", owners=["team:data", "bo@example.org"])
    assert updated.owners == ("bo@example.org", "team:data")
    assert client.update_artifact("orders", owners=[]).owners == ()
    with pytest.raises(OwnerValidationError):
        client.update_artifact("orders", owners=["nobody"])


# -- delete ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SCOPED)
def test_deleting_a_parent_with_children_needs_recursive(client: Client, kind: Kind) -> None:
    parent_kind, parent = PARENTS[kind]
    parent_of(client, kind)
    make(client, kind, name="child-1", tags=["child-tag"])
    make(client, kind, name="child-2", tags=["child-tag"])
    with pytest.raises(ConflictError, match="recursive"):
        client.delete(parent_kind, parent)
    assert count(client, kind) == 2

    client.delete(parent_kind, parent, recursive=True)
    assert count(client, kind) == 0
    assert count(client, parent_kind) == 0
    assert client.get_tag("child-tag").usage_count == 0


def test_deleting_a_version_keeps_its_siblings(client: Client) -> None:
    client.create_model("iris")
    for name in ("1.0.0", "2.0.0"):
        client.create_model_version("iris", name, tags=["kept"])
    client.delete_model_version("iris", "1.0.0")
    assert names(client.list_model_versions("iris")) == ["2.0.0"]
    assert client.get_tag("kept").usage == {Kind.MODEL_VERSION: 1}


# -- listing and pagination --------------------------------------------------------------------


def make_runs(client: Client, how_many: int) -> list[str]:
    client.create_pipeline("etl")
    return [client.create_run("etl", f"run-{i:03d}").name for i in range(how_many)]


def test_cursor_pages_cover_every_item_once_newest_first(client: Client) -> None:
    created = make_runs(client, 25)
    seen: list[str] = []
    sizes = []
    cursor = None
    while True:
        page = client.list_runs(size=10, cursor=cursor)
        seen += names(page)
        sizes.append(len(page))
        assert page.total == 25
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sizes == [10, 10, 5]
    assert seen == list(reversed(created))


def test_cursor_pages_are_stable_while_new_items_arrive(client: Client) -> None:
    created = make_runs(client, 12)
    first = client.list_runs(size=5)
    client.create_run("etl", "newcomer")
    rest: list[str] = []
    cursor = first.next_cursor
    while cursor is not None:
        page = client.list_runs(size=5, cursor=cursor)
        rest += names(page)
        cursor = page.next_cursor
    assert names(first) + rest == list(reversed(created))


def test_numbered_pages(client: Client) -> None:
    newest_first = list(reversed(make_runs(client, 25)))
    for number, expected in (
        (1, newest_first[:10]),
        (2, newest_first[10:20]),
        (3, newest_first[20:]),
    ):
        page = client.list_runs(size=10, page=number)
        assert names(page) == expected
        assert (page.index, page.total, page.total_pages) == (number, 25, 3)
    assert names(client.list_runs(size=10, page=4)) == []


@pytest.mark.parametrize(
    "bad", [{"size": 0}, {"size": 10_001}, {"page": 0}, {"cursor": "not-a-cursor"}]
)
def test_bad_paging_arguments_are_refused(client: Client, bad: dict[str, object]) -> None:
    make_runs(client, 1)
    with pytest.raises(InvalidInputError):
        client.list_runs(**bad)


def test_listing_is_per_kind_and_per_scope(client: Client) -> None:
    client.create_pipeline("a")
    client.create_pipeline("b")
    client.create_run("a", "a-run")
    client.create_run("b", "b-run")
    client.create_run_template("a-template", "a")
    assert sorted(names(client.list_runs())) == ["a-run", "b-run"]
    assert names(client.list_runs(pipeline_name_or_id="a")) == ["a-run"]
    assert names(client.list_run_templates()) == ["a-template"]
    assert client.count(Kind.RUN, scope="b") == 1
    with pytest.raises(InvalidInputError, match="no parent"):
        client.list(Kind.JOB, scope="a")


# -- bulk create -------------------------------------------------------------------------------


def test_bulk_create_a_thousand_entities_with_tags_and_metadata(client: Client) -> None:
    client.create_artifact("events")
    specs = [
        EntitySpec(
            Kind.ASSET_VERSION,
            scope="events",
            tags={"batch": "b1", "shard": str(i % 4)},
            metadata={"rows": i, "path": f"s3://bucket/{i}"},
        )
        for i in range(1000)
    ]
    ids = client.bulk_create(specs)
    assert len(set(ids)) == 1000
    assert client.count(Kind.ASSET_VERSION, scope="events") == 1000
    assert client.get_tag("batch=b1").usage == {Kind.ASSET_VERSION: 1000}
    assert client.count(Kind.ASSET_VERSION, tags={"shard": "3"}) == 250
    last = client.get(Kind.ASSET_VERSION, ids[-1])
    assert (last.number, last.name) == (1000, "1000")
    assert last.metadata["rows"] == MetadataValue.int(999)
    assert last.tag_dict == {"batch": "b1", "shard": "3"}


BAD_BATCH_ITEMS = {
    "duplicate-in-batch": EntitySpec(Kind.ASSET_VERSION, "v-0", scope="events"),
    "duplicate-of-existing": EntitySpec(Kind.ASSET_VERSION, "existing", scope="events"),
    "unknown-scope": EntitySpec(Kind.ASSET_VERSION, "v-x", scope="no-such-asset"),
    "bad-tag": EntitySpec(Kind.ASSET_VERSION, "v-x", scope="events", tags={"": "x"}),
    "bad-metadata": EntitySpec(Kind.ASSET_VERSION, "v-x", scope="events", metadata={"m": object()}),
    "bad-owner": EntitySpec(Kind.ASSET_VERSION, "v-x", scope="events", owners=["nobody"]),
}
BAD_BATCH_ERRORS = {
    "duplicate-in-batch": AlreadyExistsError,
    "duplicate-of-existing": AlreadyExistsError,
    "unknown-scope": NotFoundError,
    "bad-tag": TagValidationError,
    "bad-metadata": MetadataValidationError,
    "bad-owner": OwnerValidationError,
}


@pytest.mark.parametrize("bad", list(BAD_BATCH_ITEMS))
def test_one_bad_item_in_a_batch_writes_nothing(client: Client, bad: str) -> None:
    client.create_artifact("events")
    client.create_artifact_version("events", "existing")
    good = [
        EntitySpec(Kind.ASSET_VERSION, f"v-{i}", scope="events", tags=["batch-tag"])
        for i in range(300)
    ]
    with pytest.raises(BAD_BATCH_ERRORS[bad]):
        client.bulk_create([*good, BAD_BATCH_ITEMS[bad]])
    assert names(client.list_artifact_versions("events")) == ["existing"]
    assert not tag_in_catalog(client, "batch-tag")
    client.bulk_create(good)  # the store is still usable, and the good items were not written
    assert client.count(Kind.ASSET_VERSION) == 301


@pytest.mark.parametrize("kind", list(Kind))
def test_the_created_record_equals_the_one_read_back(client: Client, kind: Kind) -> None:
    client.create_tag("stage", exclusive=True)
    created = make(
        client,
        kind,
        "full",
        tags={"team": "ml", "ünï": "", "stage": ""},
        metadata={"zeta": 1, "alpha": MetadataValue.url("https://x.org"), "é": [1, {"a": None}]},
        owners=["team:data", "ana@example.com"],
        description="all fields",
        status="started",
    )
    assert created == client.get(kind, created.id)
    assert list(created.metadata) == ["alpha", "zeta", "é"]


def test_an_artifact_name_alone_gives_its_latest_version(client: Client) -> None:
    client.create_artifact("orders")
    for name in ("2023-06-14", "2023-06-15"):
        client.create_artifact_version("orders", name)
    latest = client.get_artifact_version("orders")
    assert latest.name == "2023-06-15"
    assert client.get_artifact_version(latest.id).name == "2023-06-15"
    assert client.get_artifact_version("orders", "2023-06-14").name == "2023-06-14"
    client.create_artifact("empty")
    with pytest.raises(NotFoundError, match="no versions yet"):
        client.get_artifact_version("empty")


def test_unfiltered_counts_follow_creates_and_deletes(client: Client) -> None:
    client.create_pipeline("etl")
    client.create_pipeline("ml")
    client.bulk_create([EntitySpec(Kind.RUN, scope="etl") for _ in range(70)])
    for _ in range(3):
        client.create_run("ml")
    client.delete_run(client.list_runs(pipeline_name_or_id="ml").items[0].id)
    assert client.count(Kind.RUN) == 72
    assert client.store.count(Kind.RUN, scope="etl") == 70
    assert client.store.count(Kind.RUN, scope="ml") == 2
    assert client.list(Kind.RUN, size=5).total == 72
    client.delete(Kind.JOB, "etl", recursive=True)
    assert client.count(Kind.RUN) == 2
    assert client.count(Kind.JOB) == 1


def test_find_named_returns_the_top_level_entities_that_exist(client: Client) -> None:
    client.create_artifact("orders", tags=["raw"])
    client.create_artifact("ünïcode/name")
    found = client.store.find_named(Kind.ASSET, ["orders", "ünïcode/name", "missing"])
    assert sorted(found) == ["orders", "ünïcode/name"]
    assert found["orders"] == client.get(Kind.ASSET, "orders")
    assert client.store.find_named(Kind.JOB, []) == {}
    with pytest.raises(InvalidInputError, match="within its scope"):
        client.store.find_named(Kind.RUN, ["x"])
