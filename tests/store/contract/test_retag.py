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

    assert (done.matched, done.changed, done.dry_run) == (6, 6, True)
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


@pytest.mark.parametrize("blank", [None, "", "   \t\n"])
def test_an_empty_filter_is_refused_without_all(runs: Client, blank: str | None) -> None:
    with pytest.raises(InvalidInputError, match="filter is empty") as refused:
        runs.retag(Kind.RUN, query=blank, remove=["env"])

    assert "all=True" in str(refused.value)
    assert runs.count(Kind.RUN, query="tag:env") == 9


def test_all_changes_every_entity_of_the_kind(runs: Client) -> None:
    done = runs.retag(Kind.RUN, query="  ", remove=["env"], all=True)

    assert (done.matched, done.changed) == (9, 9)
    assert runs.count(Kind.RUN, query="tag:env") == 0


def test_the_result_counts_matches_and_changes_apart(runs: Client) -> None:
    runs.retag(Kind.RUN, query="job:serve", add=["reviewed"])

    again = runs.retag(Kind.RUN, query="tag:env=prod", add=["reviewed"])
    assert (again.matched, again.changed) == (6, 3)  # the serve runs held it already

    removed = runs.retag(Kind.RUN, query="job:train", remove=["missing"])
    assert (removed.matched, removed.changed) == (6, 0)


def test_a_dry_run_reports_what_the_real_call_does(runs: Client) -> None:
    runs.update_run("t1", add_tags=["reviewed"])
    call = {"query": "tag:env=prod", "add": ["reviewed"], "remove": ["env=dev"]}

    dry = runs.retag(Kind.RUN, dry_run=True, **call)
    assert runs.count(Kind.RUN, tags=["reviewed"]) == 1
    real = runs.retag(Kind.RUN, **call)

    assert (dry.matched, dry.changed, dry.dry_run) == (6, 5, True)
    assert (real.matched, real.changed, real.dry_run) == (6, 5, False)
    assert dry.sample == real.sample


def test_a_dry_run_foresees_the_exclusive_conflict_of_the_real_call(runs: Client) -> None:
    runs.create_tag("latest", exclusive=True)

    with pytest.raises(ExclusiveTagConflictError, match="3 entities of one scope"):
        runs.retag(Kind.RUN, query="job:train and tag:env=dev", add=["latest"], dry_run=True)
    # one run per job can take it: the dry run says so, as the real call then does
    dry = runs.retag(Kind.RUN, query="name:t0 or name:s0", add=["latest"], dry_run=True)
    assert dry.changed == 2
    assert names(runs, "tag:latest") == set()
