"""Seed 001 (Dagster docs, "Tags" concept page): tags on assets, ops, jobs and runs; the other
asset APIs that take tags; job tags on every run; tags on asset jobs.

Each test holds a code example of the seed with only its import lines changed (and moved into
the test, so that a name tagbase lacks fails that test alone), then asserts what the text says.
The seed's system run tags table is tested in test_seed_dagster_tags.py. Every example runs
against the `client` fixture's catalog (SQLite, then PostgreSQL), which a bare `Client()` reads
too; `sync_definitions(defs)` (a completion: what `tagbase load`
does) records definitions there.
"""

from tagbase import sync_definitions
from tagbase.client import Client


def test_how_it_works_an_asset_with_tags(client: Client) -> None:
    from tagbase import asset, materialize

    @asset(tags={"domain": "marketing", "pii": "true"})
    def leads(): ...

    result = materialize([leads])  # completion: run it, so the asset and a version exist

    assert result.success
    tags = Client().get_artifact("leads").tag_dict
    assert tags.items() >= {"domain": "marketing", "pii": "true"}.items()
    assert len(Client().list_artifact_versions("leads")) == 1


def test_specifying_tags_filters_the_asset_catalog(client: Client) -> None:
    from tagbase import Definitions, asset

    @asset(tags={"domain": "marketing", "pii": "true"})
    def leads(): ...

    # completion: a second asset, with other tags, and the definitions loaded into the catalog
    @asset(tags={"domain": "sales"})
    def orders() -> None: ...

    sync_definitions(Definitions(assets=[leads, orders]))  # completion: as `tagbase load` does

    # "tags can be used as a filter when looking at the Asset catalog"
    assert [a.name for a in Client().list_artifacts(tags={"domain": "marketing"})] == ["leads"]
    assert [a.name for a in Client().list_artifacts(tags=["pii=true"])] == ["leads"]
    assert [a.name for a in Client().list_artifacts(query="tag:domain=sales")] == ["orders"]


def test_an_asset_has_one_group_but_many_tags(client: Client) -> None:
    # "Unlike asset groups, where each asset belongs to a single group, each asset can have many
    # tags."
    from tagbase import Definitions, asset

    @asset(group_name="marketing", tags={"domain": "marketing", "pii": "true", "tier": "gold"})
    def leads() -> None: ...

    sync_definitions(Definitions(assets=[leads]))  # completion: as `tagbase load` does

    entity = Client().get_artifact("leads")
    assert entity.tag_dict.items() >= {"domain": "marketing", "pii": "true", "tier": "gold"}.items()
    assert [a.name for a in Client().list_artifacts(query="group:marketing")] == ["leads"]


def test_asset_spec_takes_tags(client: Client) -> None:
    # "Other APIs that define assets can also accept tag arguments, such as AssetSpec, ..."
    from tagbase import AssetSpec, Definitions

    sync_definitions(
        Definitions(assets=[AssetSpec("raw_leads", tags={"domain": "marketing", "source": "crm"})])
    )  # completion: as `tagbase load` does

    tags = Client().get_artifact("raw_leads").tag_dict
    assert tags.items() >= {"domain": "marketing", "source": "crm"}.items()


def test_asset_out_takes_tags(client: Client) -> None:
    # "... AssetOut ...": each output of a multi-asset is an asset with its own tags.
    from tagbase import AssetOut, Definitions, multi_asset

    @multi_asset(
        outs={
            "emails": AssetOut(tags={"pii": "true"}),
            "scores": AssetOut(tags={"pii": "false"}),
        }
    )
    def lead_parts() -> tuple[list[str], list[int]]:
        return ["ana@example.com"], [7]

    sync_definitions(Definitions(assets=[lead_parts]))  # completion: as `tagbase load` does

    assert Client().get_artifact("emails").tag_dict["pii"] == "true"
    assert Client().get_artifact("scores").tag_dict["pii"] == "false"


def test_graph_asset_takes_tags(client: Client) -> None:
    # "... and @graph_asset."
    from tagbase import Definitions, graph_asset, op

    @op
    def fetch() -> list[str]:
        return ["ana@example.com"]

    @op
    def clean(rows: list[str]) -> list[str]:
        return [row.lower() for row in rows]

    @graph_asset(tags={"domain": "marketing"})
    def clean_leads() -> list[str]:
        return clean(fetch())

    sync_definitions(Definitions(assets=[clean_leads]))  # completion: as `tagbase load` does

    assert Client().get_artifact("clean_leads").tag_dict["domain"] == "marketing"


def test_op_tags_stay_on_the_op(client: Client) -> None:
    # "Tags are key/value pairs of strings that can be applied to assets, ops, jobs, and job runs"
    from tagbase import job, op

    @op(tags={"compute": "gpu"})
    def train() -> int:
        return 1

    @job(tags={"team": "ml"})
    def training() -> None:
        train()

    result = training.execute_in_process()

    assert Client().get("op", "train").tag_dict["compute"] == "gpu"
    run_tags = Client().get_run(result.run_id).tag_dict
    assert run_tags["team"] == "ml"
    assert "compute" not in run_tags


def test_job_tags_are_on_every_run(client: Client) -> None:
    # "Adding tags to a job will attach them to every run executed by the job."
    from tagbase import job, op

    @op
    def send_emails() -> None: ...

    @job(tags={"domain": "marketing", "channel": "email"})
    def campaign() -> None:
        send_emails()

    results = [campaign.execute_in_process() for _ in range(3)]

    runs = Client().list_runs(pipeline_name_or_id="campaign")
    assert sorted(run.id for run in runs) == sorted(result.run_id for result in results)
    for run in runs:
        assert run.tag_dict.items() >= {"domain": "marketing", "channel": "email"}.items()


def test_asset_job_tags_are_on_every_run(client: Client) -> None:
    from tagbase import Definitions, asset, define_asset_job

    asset_job = define_asset_job(
        name="marketing_job", selection="*", tags={"dagster/max_runtime": 10}
    )  # completion: the seed's snippet lacks this closing parenthesis

    # completion: assets for `selection="*"` to pick, and Definitions to resolve the job
    @asset(tags={"domain": "marketing", "pii": "true"})
    def leads() -> None: ...

    @asset(deps=[leads])
    def lead_scores() -> None: ...

    defs = Definitions(assets=[leads, lead_scores], jobs=[asset_job])
    results = [defs.get_job_def("marketing_job").execute_in_process() for _ in range(2)]

    assert all(result.success for result in results)
    runs = Client().list_runs(pipeline_name_or_id="marketing_job")
    assert len(runs) == 2
    for run in runs:
        # An execution key: recorded under tagbase's own key (a JSON value, as its text),
        # where it takes effect, with the alias it was given as noted.
        assert run.tag_dict["tagbase/max_runtime"] == "10"
        assert "dagster/max_runtime" not in run.tag_dict
        aliases = run.metadata["tagbase/tag_aliases"].value
        assert aliases == {"tagbase/max_runtime": "dagster/max_runtime"}
    for name in ("leads", "lead_scores"):  # "*" selects every asset
        assert len(Client().list_artifact_versions(name)) == 2
