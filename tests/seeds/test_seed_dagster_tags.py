"""Seed 000 (Dagster docs, "Tags"): asset tags, labels, the key and value rules, run tags that
control execution, and the system tags Dagster adds to assets and runs.

The seed's only inline code is the tag dict `{"domain": "marketing", "pii": "true"}`; its
"Using tags" example is an included file that the seed does not hold, so these tests pass that
dict to `@asset(tags=...)` as the text describes. Every example runs against the `client`
fixture's catalog (SQLite, then PostgreSQL); the fixture points TAGBASE_DATABASE_URL at it, so a
bare `Client()` reads the same database. `sync_definitions(defs)` (a completion: what
`tagbase load` does) records definitions in that catalog.
"""

import pytest

from tagbase import TagValidationError, sync_definitions
from tagbase.client import Client

DOMAIN_TAGS = {"domain": "marketing", "pii": "true"}


def leads_table() -> None:
    """A plain function for `asset(...)` to wrap."""


def define_leads_table(path: str, tags: dict[str, object]) -> None:
    """Put an asset `leads_table` with `tags` in the catalog: as a definition, or by the client."""
    if path == "decorator":
        from tagbase import Definitions, asset

        sync_definitions(
            Definitions(assets=[asset(tags=tags)(leads_table)])
        )  # completion: as `tagbase load` does
    else:
        Client().create_artifact("leads_table", tags=tags)


def test_tags_passed_to_an_asset_are_on_the_asset(client: Client) -> None:
    from tagbase import Definitions, asset

    # The seed's example tags (inline), passed to `tags=` as "Like owners, just pass..." says.
    tags = {"domain": "marketing", "pii": "true"}

    @asset(tags=tags)
    def leads() -> None: ...

    sync_definitions(Definitions(assets=[leads]))  # completion: as `tagbase load` does

    assert Client().get_artifact("leads").tag_dict.items() >= tags.items()
    found = Client().list_artifacts(tags={"domain": "marketing", "pii": "true"})
    assert [entity.name for entity in found] == ["leads"]


def test_a_tag_with_an_empty_value_is_a_label(client: Client) -> None:
    from tagbase import Definitions, asset

    @asset(tags={"pii": "", "domain": "marketing"})
    def leads() -> None: ...

    sync_definitions(Definitions(assets=[leads]))  # completion: as `tagbase load` does

    tags = {tag.key: tag for tag in Client().get_artifact("leads").tags.assigned}
    assert tags["pii"].is_label
    assert tags["pii"].name == "pii"
    assert not tags["domain"].is_label
    assert [entity.name for entity in Client().list_artifacts(tags=["pii"])] == ["leads"]


GOOD_KEYS = [
    "domain",
    "dagster/priority",  # the seed's example of a prefixed key
    "my_package.sub-module/name_1",
    "k" * 63,
    f"{'p' * 63}/{'n' * 63}",
]
BAD_KEYS = [
    "a/b/c",  # two segments at most
    "k" * 64,  # a name of 64 characters
    f"{'p' * 64}/name",  # a prefix of 64 characters
    "has space",
    "domain!",
    "/name",  # an empty prefix
    "",
]
PATHS = ["decorator", "catalog"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("key", GOOD_KEYS)
def test_valid_tag_keys_are_accepted(client: Client, path: str, key: str) -> None:
    # "1": `dagster/priority` is an alias of tagbase/priority, whose value is an integer
    define_leads_table(path, {key: "1"})
    assert Client().get_artifact("leads_table").tag_dict[key] == "1"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("key", BAD_KEYS)
def test_invalid_tag_keys_are_refused_naming_the_key(client: Client, path: str, key: str) -> None:
    with pytest.raises(TagValidationError) as caught:
        define_leads_table(path, {key: "v"})
    assert repr(key) in str(caught.value)
    assert len(Client().list_artifacts()) == 0


GOOD_VALUES = ["", "marketing", "v1.2-rc_3", "x" * 63]
BAD_VALUES = ["x" * 64, "has space", "a/b", "naïve", "a=b"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("value", GOOD_VALUES)
def test_valid_tag_values_are_accepted(client: Client, path: str, value: str) -> None:
    define_leads_table(path, {"domain": value})
    assert Client().get_artifact("leads_table").tag_dict["domain"] == value


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("value", BAD_VALUES)
def test_invalid_tag_values_are_refused_naming_the_value(
    client: Client, path: str, value: str
) -> None:
    with pytest.raises(TagValidationError) as caught:
        define_leads_table(path, {"domain": value})
    assert repr(value) in str(caught.value) or repr(value[:37] + "...") in str(caught.value)
    assert len(Client().list_artifacts()) == 0


@pytest.mark.parametrize("path", PATHS)
def test_a_json_value_is_stored_as_its_text(client: Client, path: str) -> None:
    # "Be a string or JSON that is serializable to a string"
    define_leads_table(path, {"tier": 1, "active": True})
    tags = Client().get_artifact("leads_table").tag_dict
    assert (tags["tier"], tags["active"]) == ("1", "true")


def test_a_decorator_reports_every_bad_tag_in_one_error(client: Client) -> None:
    from tagbase import asset

    bad = {"a/b/c": "x", "has space": "x", "domain": "x" * 64}
    with pytest.raises(TagValidationError) as caught:
        asset(tags=bad)(leads_table)
    assert len(caught.value.problems) == 3
    for text in ("'a/b/c'", "'has space'", "'domain=xxx"):
        assert text in str(caught.value)
    assert len(Client().list_artifacts()) == 0


@pytest.mark.parametrize("path", PATHS)
def test_the_tagbase_prefix_is_reserved(client: Client, path: str) -> None:
    with pytest.raises(TagValidationError, match="reserved"):
        define_leads_table(path, {"tagbase/domain": "marketing"})


def test_kinds_become_kind_tags_on_the_asset(client: Client) -> None:
    # System asset tags: `dagster/kind/{kind}`, here `tagbase/kind/{kind}`, labels.
    from tagbase import Definitions, asset

    @asset(kinds={"python", "snowflake"})
    def leads() -> None: ...

    sync_definitions(Definitions(assets=[leads]))  # completion: as `tagbase load` does

    entity = Client().get_artifact("leads")
    assert {"tagbase/kind/python", "tagbase/kind/snowflake"} <= set(entity.tag_names)
    assert all(tag.is_label for tag in entity.tags.assigned if tag.key.startswith("tagbase/kind/"))
    assert [found.name for found in Client().list_artifacts(query="kind:python")] == ["leads"]


def test_run_tags_that_control_execution_are_checked_at_launch(client: Client) -> None:
    # "some run execution features are controlled using run tags": a bad priority is an error,
    # not a silent 0, and nothing of the run is written.
    from tagbase import asset, materialize

    @asset(tags=DOMAIN_TAGS)
    def leads() -> None: ...

    with pytest.raises(TagValidationError, match="tagbase/priority"):
        materialize([leads], tags={"tagbase/priority": "high"})
    assert len(Client().list_runs()) == 0
    assert len(Client().list_artifact_versions()) == 0

    result = materialize([leads], tags={"tagbase/priority": "10", "tagbase/max_runtime": "60"})
    assert result.success
    run_tags = Client().get_run(result.run_id).tag_dict
    assert (run_tags["tagbase/priority"], run_tags["tagbase/max_runtime"]) == ("10", "60")


def test_op_selection_is_a_system_run_tag(client: Client) -> None:
    # Run tags table: `dagster/op_selection`, here `tagbase/op_selection`.
    from tagbase import job, op

    @op
    def extract() -> int:
        return 1

    @op
    def load() -> int:
        return 2

    @job
    def two_steps() -> None:
        extract()
        load()

    whole = two_steps.execute_in_process()
    part = two_steps.execute_in_process(op_selection=["extract"])

    assert "tagbase/op_selection" not in Client().get_run(whole.run_id).tag_dict
    [selection] = [
        t for t in Client().get_run(part.run_id).tags.assigned if t.key == "tagbase/op_selection"
    ]
    assert "extract" in selection.value
    assert "load" not in selection.value
    assert selection.source == "system"


def test_image_is_a_system_run_tag(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run tags table: `dagster/image`, "The Docker image tag", taken from the environment.
    from tagbase import asset, materialize

    @asset
    def leads() -> None: ...

    monkeypatch.delenv("TAGBASE_IMAGE", raising=False)
    plain = materialize([leads])
    monkeypatch.setenv("TAGBASE_IMAGE", "registry.example.com/etl:1.4.2")
    in_image = materialize([leads])

    assert "tagbase/image" not in Client().get_run(plain.run_id).tag_dict
    tags = Client().get_run(in_image.run_id).tag_dict
    assert tags["tagbase/image"] == "registry.example.com/etl:1.4.2"
