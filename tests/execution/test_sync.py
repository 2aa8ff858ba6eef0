"""Catalog sync: definitions recorded with provenance; changes replace, history keeps."""

from __future__ import annotations

from tagbase import (
    Client,
    Definitions,
    MetadataValue,
    Tag,
    asset,
    job,
    op,
    pipeline,
    sync_definitions,
)


def define(
    client: Client, tags: dict[str, str], metadata: dict[str, object], kinds: set[str]
) -> Definitions:
    """Definitions of one asset, recorded as `tagbase load` records them."""

    @asset(name="leads", tags=tags, metadata=metadata, kinds=kinds, owners=["team:growth"])
    def leads() -> None: ...

    defs = Definitions(assets=[leads])
    sync_definitions(defs, client.store)
    return defs


def test_definitions_are_recorded_with_sources(client: Client) -> None:
    define(client, {"domain": "marketing"}, {"docs": MetadataValue.url("https://a")}, {"python"})
    leads = client.get_artifact("leads")
    assert {t.name: t.source for t in leads.tags.assigned} == {
        "domain=marketing": "definition",
        "tagbase/kind/python": "system",
        "tagbase/group=default": "system",
    }
    assert leads.owners == ("team:growth",)
    assert leads.metadata["docs"] == MetadataValue.url("https://a")


def test_a_changed_definition_replaces_its_tags_and_keeps_history(client: Client) -> None:
    define(client, {"domain": "marketing", "pii": "true"}, {"rows": 1}, {"python"})
    client.add_tags("asset", "leads", ["reviewed"])  # a person's tag survives syncs
    define(client, {"domain": "sales"}, {"rows": 2}, {"sql"})
    leads = client.get_artifact("leads")
    assert leads.tag_names == [
        "domain=sales",
        "reviewed",
        "tagbase/group=default",
        "tagbase/kind/sql",
    ]
    removed = {e.tag for e in client.tag_history("asset", "leads") if e.action == "removed"}
    assert {"domain=marketing", "pii=true", "tagbase/kind/python"} <= removed
    history = client.metadata_history("asset", "leads", key="rows")
    assert [entry.value for entry in history] == [MetadataValue.int(1), MetadataValue.int(2)]


def test_an_unchanged_definition_writes_nothing(client: Client) -> None:
    define(client, {"domain": "marketing"}, {"rows": 1}, set())
    before = client.get_artifact("leads").updated_at
    define(client, {"domain": "marketing"}, {"rows": 1}, set())
    assert client.get_artifact("leads").updated_at == before


@op(tags={"io": "s3"})
def fetch() -> int:
    return 1


@job(tags={"team": "ml"}, metadata={"owner": "ml team"})
def nightly() -> None:
    fetch()


@pipeline(tags=[Tag("current", exclusive=True), "training"])
def trainer() -> None:
    fetch()


def test_jobs_ops_and_pipelines_are_recorded(client: Client) -> None:
    sync_definitions(Definitions(jobs=[nightly, trainer]), client.store)
    assert client.get_pipeline("nightly").tag_names == ["team=ml"]
    assert client.get_pipeline("nightly").metadata["owner"].value == "ml team"
    assert client.get("op", "fetch").tag_names == ["io=s3"]
    assert client.get_pipeline("trainer").tag_names == ["training"]  # exclusive tags: runs only
