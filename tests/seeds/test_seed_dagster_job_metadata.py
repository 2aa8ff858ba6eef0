"""Seed 003 (Dagster 1.4.7 docs, "Job Metadata & Run Tags"): metadata on job definitions, tags
on every run of a job, tags added at launch, and tags Dagster adds to runs.

The seed is a scraped page: its examples lost their decorators, some braces and the bodies of
the jobs. Each test keeps the lines the seed shows, with only the import lines changed (and moved
into the test, so that a name tagbase lacks fails that test alone), and completes the lost
lines, each marked `# completion`. The system run tags (op selection, image) are tested in
test_seed_dagster_tags.py. Every example runs against the `client` fixture's catalog (SQLite,
then PostgreSQL), which a bare `Client()` reads too; `sync_definitions(defs)` (a completion:
what `tagbase load` does) records definitions there.
"""

import pytest

from tagbase import TagValidationError, sync_definitions
from tagbase.client import Client


def test_metadata_on_a_job(client: Client) -> None:
    from tagbase import Definitions, MetadataValue, job, op

    @op  # completion: the decorator the scrape lost
    def my_op():
        return "Hello World!"

    @job(  # completion: the decorator the scrape lost
        metadata={  # completion
            "owner": "data team",  # will be converted to MetadataValue.text
            "docs": MetadataValue.url(""),
        }  # completion
    )  # completion
    def my_job_with_metadata():
        my_op()  # completion: the body the scrape lost

    sync_definitions(Definitions(jobs=[my_job_with_metadata]))  # completion: as `tagbase load` does

    metadata = Client().get_pipeline("my_job_with_metadata").metadata
    assert metadata == {"owner": MetadataValue.text("data team"), "docs": MetadataValue.url("")}
    assert metadata["owner"].type_name == "text"
    assert metadata["docs"].type_name == "url"


def test_metadata_on_a_job_made_by_to_job(client: Client) -> None:
    from tagbase import Definitions, MetadataValue, graph, op

    @op  # completion: the op the graph runs, as in the seed's first example
    def my_op():
        return "Hello World!"

    @graph  # completion: the decorator the scrape lost
    def my_graph():
        my_op()  # completion: the body the scrape lost

    my_second_job_with_metadata = my_graph.to_job(
        metadata={"owner": "api team", "docs": MetadataValue.url("")}
    )  # completion: the closing parenthesis the scrape lost

    sync_definitions(
        Definitions(jobs=[my_second_job_with_metadata])
    )  # completion: as `tagbase load` does

    metadata = Client().get_pipeline("my_graph").metadata
    assert metadata == {"owner": MetadataValue.text("api team"), "docs": MetadataValue.url("")}


def test_a_new_job_definition_keeps_the_old_metadata_in_history(client: Client) -> None:
    # "displaying the git hash corresponding to the current job definition": each definition's
    # metadata is kept when the job changes.
    from tagbase import Definitions, job, op

    @op
    def my_op() -> str:
        return "Hello World!"

    for git_hash in ("3f2a1bc", "9e8d7f6"):

        @job(name="deploy", metadata={"git_hash": git_hash})
        def deploy() -> None:
            my_op()

        sync_definitions(Definitions(jobs=[deploy]))  # completion: as `tagbase load` does

    job_metadata = Client().get_pipeline("deploy").metadata
    assert job_metadata["git_hash"].value == "9e8d7f6"
    history = Client().metadata_history("pipeline", "deploy", key="git_hash")
    assert [entry.value.value for entry in history] == ["3f2a1bc", "9e8d7f6"]


def test_job_tags_are_on_every_run(client: Client) -> None:
    from tagbase import job, op

    @op  # completion: the op the job runs, as in the seed's first example
    def my_op():
        return "Hello World!"

    @job(tags={"foo": "bar"})
    def my_job_with_tags():
        my_op()  # completion: the body the scrape lost

    results = [my_job_with_tags.execute_in_process() for _ in range(2)]

    assert all(result.success for result in results)
    runs = Client().list_runs(pipeline_name_or_id="my_job_with_tags")
    assert sorted(run.id for run in runs) == sorted(result.run_id for result in results)
    assert all(run.tag_dict["foo"] == "bar" for run in runs)
    assert [run.name for run in Client().list_runs(tags=["foo=bar"])] == [run.name for run in runs]


def test_job_tags_of_a_job_made_by_to_job(client: Client) -> None:
    from tagbase import graph, op

    @op  # completion: the op the graph runs, as in the seed's first example
    def my_op():
        return "Hello World!"

    @graph  # completion: the graph of the seed's metadata example
    def my_graph():
        my_op()

    my_second_job_with_tags = my_graph.to_job(tags={"foo": "bar"})

    result = my_second_job_with_tags.execute_in_process()  # completion: run it

    assert Client().get_run(result.run_id).tag_dict["foo"] == "bar"


def test_tags_added_at_launch(client: Client) -> None:
    # "When executing a job, you can add tags to the run using the Launchpad": launch tags are
    # added to the job's tags, and may override them; later runs keep only the job's.
    from tagbase import job, op

    @op
    def my_op() -> str:
        return "Hello World!"

    @job(tags={"foo": "bar", "team": "data"})
    def my_job_with_tags() -> None:
        my_op()

    launched = my_job_with_tags.execute_in_process(tags={"reason": "backfill", "foo": "baz"})
    plain = my_job_with_tags.execute_in_process()

    launched_tags = Client().get_run(launched.run_id).tag_dict
    assert launched_tags.items() >= {"foo": "baz", "team": "data", "reason": "backfill"}.items()
    plain_tags = Client().get_run(plain.run_id).tag_dict
    assert plain_tags.items() >= {"foo": "bar", "team": "data"}.items()
    assert "reason" not in plain_tags


def test_a_tag_value_may_be_json(client: Client) -> None:
    # "the value must be a string or json that is serializable to a string"
    from tagbase import job, op

    @op
    def my_op() -> str:
        return "Hello World!"

    @job(tags={"foo": "bar", "limits": {"cpu": 2, "memory": "4Gi"}})
    def my_job_with_tags() -> None:
        my_op()

    result = my_job_with_tags.execute_in_process(tags={"attempt": 1})

    tags = Client().get_run(result.run_id).tag_dict
    assert tags["limits"] == '{"cpu":2,"memory":"4Gi"}'
    assert tags["attempt"] == "1"


def test_a_tag_value_that_is_not_json_is_refused(client: Client) -> None:
    from tagbase import job, op

    @op
    def my_op() -> str:
        return "Hello World!"

    @job
    def my_job() -> None:
        my_op()

    with pytest.raises(TagValidationError, match="'when'"):
        my_job.execute_in_process(tags={"when": object()})
    assert len(Client().list_runs()) == 0
