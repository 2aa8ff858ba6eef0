"""Seed 002 (Dagster docs, "Adding tags and metadata to assets"): owners, tags, definition and
runtime metadata, the standard metadata keys, table schema and column lineage, and links from
assets to their source code.

The seed's inline code is two dicts (tags, and metadata values); its other examples are included
files (`owners.py`, `definition-metadata.py`, ...) that the seed does not hold. Those sections are
tested here with code written from the seed's text and tagbase's names (`tagbase/...` for the
seed's `dagster/...` standard keys). The Dagster+ variant of the production code references
(`plus-references.py`) is a Dagster+ feature: the OSS variant, `link_code_references_to_git`,
is what tagbase offers and what `test_code_references_link_to_git` checks.

Every example runs against the `client` fixture's catalog (SQLite, then PostgreSQL), which a
bare `Client()` reads too; `sync_definitions(defs)` (a completion: what `tagbase load`
does) records definitions there.
"""

import inspect
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tagbase import (
    AssetKey,
    CodeReferencesMetadataValue,
    LocalFileCodeReference,
    MetadataValidationError,
    MetadataValue,
    OwnerValidationError,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableSchema,
    UrlCodeReference,
    sync_definitions,
)
from tagbase.cli import cli
from tagbase.client import Client

LEADS_SCHEMA = TableSchema(
    columns=[
        TableColumn(
            "id",
            "int",
            description="The lead's id",
            constraints=TableColumnConstraints(nullable=False, unique=True),
        ),
        TableColumn("email", "string", tags={"pii": "true"}),
        TableColumn("score", "float", constraints=TableColumnConstraints(other=["0 <= score"])),
    ]
)


# -- owners ------------------------------------------------------------------------------------


def test_owners_are_on_the_asset(client: Client) -> None:
    # "Adding owners to your assets" (owners.py): an email address, or a team prefixed by team:.
    from tagbase import Definitions, asset

    @asset(owners=["ana@example.com", "team:data-eng"])
    def leads() -> None: ...

    sync_definitions(Definitions(assets=[leads]))  # completion: as `tagbase load` does

    assert Client().get_artifact("leads").owners == ("ana@example.com", "team:data-eng")
    assert [a.name for a in Client().list_artifacts(query="owner:team:data-eng")] == ["leads"]


def define_leads(path: str, owners: list[str]) -> None:
    """An asset `leads` with `owners`: as a definition, or by the client."""
    if path == "decorator":
        from tagbase import asset

        def leads() -> None: ...

        asset(owners=owners)(leads)
    else:
        Client().create_artifact("leads", owners=owners)


@pytest.mark.parametrize("path", ["decorator", "catalog"])
@pytest.mark.parametrize("owner", ["data-eng", "team:", "ana@", "team:data eng"])
def test_an_owner_is_an_email_or_a_team(client: Client, owner: str, path: str) -> None:
    # "`owners` must either be an email address, or a team name prefixed by `team:`."
    with pytest.raises(OwnerValidationError, match="team:<name>"):
        define_leads(path, [owner])
    assert len(Client().list_artifacts()) == 0


# -- tags --------------------------------------------------------------------------------------


def test_tags_on_an_asset(client: Client) -> None:
    # "Attaching tags to an asset" (tags.py): the seed's inline tag dict, passed to `tags=`.
    from tagbase import asset, materialize

    tags = {"domain": "marketing", "pii": "true"}

    @asset(tags=tags)
    def leads() -> None: ...

    assert materialize([leads]).success
    assert Client().get_artifact("leads").tag_dict.items() >= tags.items()


# -- metadata ----------------------------------------------------------------------------------


def seed_metadata() -> dict[str, MetadataValue]:
    """The seed's inline metadata example, verbatim (completion: returned, to be used)."""
    return {
        "link_to_docs": MetadataValue.url("https://..."),
        "snippet": MetadataValue.md("# Embedded markdown\n..."),
        "file_size_kb": MetadataValue.int(1024),
    }


def assert_seed_metadata_kept(metadata: object) -> None:
    assert metadata == seed_metadata()
    assert isinstance(metadata, dict)
    types = {key: value.type_name for key, value in metadata.items()}
    assert types == {"link_to_docs": "url", "snippet": "md", "file_size_kb": "int"}


def test_metadata_values_are_kept_typed_in_the_catalog(client: Client) -> None:
    Client().create_artifact("leads", metadata=seed_metadata())
    assert_seed_metadata_kept(dict(Client().get_artifact("leads").metadata))


def test_metadata_example_as_definition_metadata(client: Client) -> None:
    from tagbase import Definitions, asset

    @asset(metadata=seed_metadata())
    def leads() -> None: ...

    sync_definitions(Definitions(assets=[leads]))  # completion: as `tagbase load` does

    assert_seed_metadata_kept(dict(Client().get_artifact("leads").metadata))


def test_definition_metadata_is_versioned(client: Client) -> None:
    # "Attaching metadata to an asset at definition time" (definition-metadata.py). A changed
    # definition's metadata is a new definition version; the old value stays in history.
    from tagbase import Definitions, asset

    @asset(metadata={"dataset_name": "leads_v1", "link_to_docs": MetadataValue.url("https://a")})
    def leads() -> None: ...

    sync_definitions(Definitions(assets=[leads]))  # completion: as `tagbase load` does

    @asset(
        name="leads",
        metadata={"dataset_name": "leads_v2", "link_to_docs": MetadataValue.url("https://a")},
    )
    def leads_changed() -> None: ...

    sync_definitions(Definitions(assets=[leads_changed]))  # completion: as `tagbase load` does

    entity = Client().get_artifact("leads")
    assert entity.metadata["dataset_name"] == MetadataValue.text("leads_v2")
    assert entity.metadata["link_to_docs"] == MetadataValue.url("https://a")
    history = Client().metadata_history("asset", "leads", key="dataset_name")
    assert [entry.value for entry in history] == [
        MetadataValue.text("leads_v1"),
        MetadataValue.text("leads_v2"),
    ]


def test_runtime_metadata_is_kept_per_materialization(client: Client) -> None:
    # "Attaching metadata to an asset at runtime" (runtime-metadata.py): each materialization
    # keeps its own values, as history; numbers form a time series.
    from tagbase import MaterializeResult, asset, materialize

    row_counts = [3, 5, 8]

    @asset
    def orders() -> MaterializeResult:
        rows = row_counts.pop(0)
        return MaterializeResult(
            metadata={
                "tagbase/row_count": rows,
                "preview": MetadataValue.md(f"| rows |\n|---|\n| {rows} |"),
                "took_seconds": rows / 10,
            }
        )

    for _ in range(3):
        assert materialize([orders]).success

    versions = list(reversed(Client().list_artifact_versions("orders")))  # oldest first
    assert [v.metadata["tagbase/row_count"] for v in versions] == [
        MetadataValue.int(3),
        MetadataValue.int(5),
        MetadataValue.int(8),
    ]
    assert versions[0].metadata["preview"].type_name == "md"
    wide = Client().list_artifact_versions("orders", query="metadata:tagbase/row_count>4")
    assert sorted(v.name for v in wide) == sorted(v.name for v in versions[1:])

    series = Client().metadata_series("asset", "orders", "tagbase/row_count")
    assert [point.value for point in series] == [3, 5, 8]
    assert [point.entity.name for point in series] == [v.name for v in versions]
    assert [point.at for point in series] == sorted(point.at for point in series)
    timings = Client().metadata_series("asset", "orders", "took_seconds")
    assert [point.value for point in timings] == [0.3, 0.5, 0.8]


def test_the_cli_prints_the_series_of_a_numeric_key(client: Client) -> None:
    # "Any numerical metadata will be treated as a time series" (issue 4, item 8: the CLI too).
    from tagbase import MaterializeResult, asset, materialize

    row_counts = [3, 5, 8]

    @asset
    def orders() -> MaterializeResult:
        return MaterializeResult(metadata={"tagbase/row_count": row_counts.pop(0)})

    for _ in range(3):
        materialize([orders])

    result = CliRunner().invoke(cli, ["asset", "metadata", "orders", "tagbase/row_count", "--json"])
    assert result.exit_code == 0, result.output
    assert [point["value"] for point in json.loads(result.stdout)] == [3, 5, 8]


def test_bad_runtime_metadata_fails_the_run_and_writes_no_version(client: Client) -> None:
    from tagbase import MaterializeResult, asset, materialize

    @asset
    def orders() -> MaterializeResult:
        return MaterializeResult(metadata={"tagbase/row_count": "many"})

    with pytest.raises(MetadataValidationError, match="tagbase/row_count"):
        materialize([orders])

    assert len(Client().list_artifact_versions("orders")) == 0
    assert [run.status for run in Client().list_runs()] in ([], ["failed"])


@pytest.mark.parametrize(
    ("key", "given", "kept"),
    [
        ("tagbase/uri", "s3://my_bucket/my_object", MetadataValue.uri("s3://my_bucket/my_object")),
        ("tagbase/row_count", 120, MetadataValue.int(120)),
        ("tagbase/partition_row_count", 12, MetadataValue.int(12)),
        ("tagbase/relation_identifier", "db.schema.leads", MetadataValue.text("db.schema.leads")),
        ("tagbase/column_schema", LEADS_SCHEMA, MetadataValue.table_schema(LEADS_SCHEMA)),
    ],
)
def test_standard_metadata_keys_hold_their_type(
    client: Client, key: str, given: object, kept: MetadataValue
) -> None:
    Client().create_artifact("leads")
    version = Client().create_artifact_version("leads", metadata={key: given})
    assert Client().get_artifact_version(version.id).metadata[key] == kept


@pytest.mark.parametrize(
    ("key", "given"),
    [
        ("tagbase/row_count", "120"),
        ("tagbase/row_count", -1),
        ("tagbase/column_schema", {"id": "int"}),
        ("tagbase/code_references", "leads.py:12"),
    ],
)
def test_standard_metadata_keys_refuse_other_types(client: Client, key: str, given: object) -> None:
    Client().create_artifact("leads")
    with pytest.raises(MetadataValidationError, match=key):
        Client().create_artifact_version("leads", metadata={key: given})
    assert len(Client().list_artifact_versions("leads")) == 0


# -- table and column metadata -----------------------------------------------------------------


def test_table_schema_at_definition_time_and_runtime(client: Client) -> None:
    # "Table schema metadata" (table-schema-metadata.py): both at definition and at runtime.
    from tagbase import MaterializeResult, asset, materialize

    runtime_schema = TableSchema(columns=[*LEADS_SCHEMA.columns, TableColumn("source", "string")])

    @asset(metadata={"tagbase/column_schema": LEADS_SCHEMA})
    def leads() -> MaterializeResult:
        return MaterializeResult(metadata={"tagbase/column_schema": runtime_schema})

    assert materialize([leads]).success

    definition = Client().get_artifact("leads").metadata["tagbase/column_schema"]
    assert definition == MetadataValue.table_schema(LEADS_SCHEMA)
    [version] = Client().list_artifact_versions("leads")
    assert version.metadata["tagbase/column_schema"] == MetadataValue.table_schema(runtime_schema)
    email = version.metadata["tagbase/column_schema"].value.columns[1]
    assert (email.name, dict(email.tags or {})) == ("email", {"pii": "true"})


def test_column_lineage_at_runtime(client: Client) -> None:
    # "Column lineage metadata" (table-column-lineage-metadata.py), attached on materialization.
    from tagbase import MaterializeResult, asset, materialize

    @asset
    def users() -> list[dict[str, str]]:
        return [{"first_name": "Ana", "last_name": "Lima"}]

    @asset
    def user_names(users: list[dict[str, str]]) -> MaterializeResult:
        lineage = TableColumnLineage(
            deps_by_column={
                "full_name": [
                    TableColumnDep(asset_key=AssetKey("users"), column_name="first_name"),
                    TableColumnDep(asset_key=AssetKey("users"), column_name="last_name"),
                ]
            }
        )
        return MaterializeResult(metadata={"tagbase/column_lineage": lineage, "rows": len(users)})

    assert materialize([users, user_names]).success

    [version] = Client().list_artifact_versions("user_names")
    lineage = version.metadata["tagbase/column_lineage"]
    assert lineage.type_name == "column_lineage"
    deps = lineage.value.deps_by_column["full_name"]
    assert [(dep.asset_key, dep.column_name) for dep in deps] == [
        (AssetKey("users"), "first_name"),
        (AssetKey("users"), "last_name"),
    ]
    assert version.metadata["rows"] == MetadataValue.int(1)


# -- code references ---------------------------------------------------------------------------


def code_references(asset_name: str) -> tuple[object, ...]:
    value = Client().get_artifact(asset_name).metadata["tagbase/code_references"]
    assert isinstance(value, CodeReferencesMetadataValue)
    return tuple(value.code_references)


def test_local_code_references(client: Client) -> None:
    # "Attaching Python code references for local development" (python-local-references.py):
    # one line of code records where each asset is defined.
    from tagbase import Definitions, asset, with_source_code_references

    frame = inspect.currentframe()
    assert frame is not None
    first_line = frame.f_lineno + 2

    @asset
    def leads() -> None: ...

    defs = with_source_code_references(Definitions(assets=[leads]))
    sync_definitions(defs)  # completion: as `tagbase load` does

    assert isinstance(defs, Definitions)
    [reference] = code_references("leads")
    assert isinstance(reference, LocalFileCodeReference)
    assert Path(reference.file_path) == Path(__file__)
    assert reference.line_number in (first_line, first_line + 1)  # the decorator or the def


def test_custom_code_references(client: Client) -> None:
    # "Customizing code references" (custom-local-references.py): the standard key, set by hand.
    from tagbase import Definitions, asset

    references = CodeReferencesMetadataValue(
        code_references=[
            LocalFileCodeReference(file_path=__file__, line_number=1, label="Model factory"),
            UrlCodeReference(url="https://example.com/leads.sql", label="SQL"),
        ]
    )

    @asset(metadata={"tagbase/code_references": references})
    def leads() -> None: ...

    sync_definitions(Definitions(assets=[leads]))  # completion: as `tagbase load` does

    assert code_references("leads") == tuple(references.code_references)


@pytest.mark.parametrize(
    ("git_url", "tree"),
    [
        ("https://github.com/example/tagbase-demo", "tree"),
        ("https://gitlab.com/example/tagbase-demo", "-/tree"),
    ],
)
def test_code_references_link_to_git(client: Client, git_url: str, tree: str) -> None:
    # "Attaching code references in production" (oss-references.py): local references become
    # links into the repository, through an anchor-based file path mapping.
    from tagbase import (
        AnchorBasedFilePathMapping,
        Definitions,
        asset,
        link_code_references_to_git,
        with_source_code_references,
    )

    @asset
    def leads() -> None: ...

    defs = link_code_references_to_git(
        with_source_code_references(Definitions(assets=[leads])),
        git_url=git_url,
        git_branch="main",
        file_path_mapping=AnchorBasedFilePathMapping(
            local_file_anchor=Path(__file__).parent,
            file_anchor_path_in_repository="tests/seeds",
        ),
    )
    sync_definitions(defs)  # completion: as `tagbase load` does

    assert isinstance(defs, Definitions)
    [reference] = code_references("leads")
    assert isinstance(reference, UrlCodeReference)
    line = inspect.getsourcelines(test_code_references_link_to_git)[1]
    prefix = f"{git_url}/{tree}/main/tests/seeds/{Path(__file__).name}#L"
    assert reference.url.startswith(prefix)
    assert int(reference.url.removeprefix(prefix)) > line
