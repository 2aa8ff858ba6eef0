"""Bulk tagging from a query: one transaction, history kept, dry runs write nothing."""

from __future__ import annotations

import pytest

from tagbase import Client, EntitySpec, ExclusiveTagConflictError, InvalidInputError, Kind


@pytest.fixture
def runs(client: Client) -> Client:
    client.create_pipeline("train")
    client.create_pipeline("serve")
    client.bulk_create(
        [
            EntitySpec("run", f"t{i}", scope="train", tags={"env": ["dev", "prod"][i % 2]})
            for i in range(6)
        ]
        + [EntitySpec("run", f"s{i}", scope="serve", tags={"env": "prod"}) for i in range(3)]
    )
    return client


def names(client: Client, query: str) -> set[str]:
    return {run.name for run in client.list(Kind.RUN, query=query, size=100)}


def test_adds_a_tag_to_every_match_and_only_to_them(runs: Client) -> None:
    done = runs.retag(Kind.RUN, query="tag:env=prod and job:train", add=["reviewed"])

    assert done.matched == 3
    assert names(runs, "tag:reviewed") == {"t1", "t3", "t5"}
    assert {event.entity.name for event in runs.tag_history(tag="reviewed")} == {"t1", "t3", "t5"}


def test_a_dry_run_reports_and_writes_nothing(runs: Client) -> None:
    done = runs.retag(Kind.RUN, query="tag:env=prod", add=["reviewed"], dry_run=True)

    assert (done.matched, done.dry_run) == (6, True)
    assert {ref.name for ref in done.sample} == {"t1", "t3", "t5", "s0", "s1", "s2"}
    assert names(runs, "tag:reviewed") == set()


def test_removes_and_replaces_in_one_call(runs: Client) -> None:
    runs.retag(Kind.RUN, query="job:serve", add=["canary"])

    done = runs.retag(Kind.RUN, query="tag:canary", remove=["canary"], add=["stable"])

    assert done.matched == 3
    assert names(runs, "tag:canary") == set()
    assert names(runs, "tag:stable") == {"s0", "s1", "s2"}


def test_entities_without_the_tag_to_remove_are_left_alone(runs: Client) -> None:
    runs.update_run("t0", add_tags=["flaky"])

    done = runs.retag(Kind.RUN, query="job:train", remove=["flaky"])

    assert done.matched == 6
    assert names(runs, "tag:flaky") == set()


def test_an_exclusive_tag_cannot_go_to_many_runs_of_one_job(runs: Client) -> None:
    runs.create_tag("latest", exclusive=True)

    with pytest.raises(ExclusiveTagConflictError):
        runs.retag(Kind.RUN, query="job:train", add=["latest"])
    assert names(runs, "tag:latest") == set()


def test_nothing_to_change_is_an_error(runs: Client) -> None:
    with pytest.raises(InvalidInputError, match="nothing to change"):
        runs.retag(Kind.RUN, query="job:train")
