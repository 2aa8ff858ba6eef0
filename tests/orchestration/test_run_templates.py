"""Run templates: a job saved with tags and run config, launched into the queue."""

from __future__ import annotations

from tagbase import Client, job, op


@op
def noop() -> int:
    return 1


@job(tags={"team": "ml"})
def train() -> None:
    noop()


def test_launching_a_template_queues_a_run_with_its_tags(client: Client) -> None:
    client.launch_run(train)  # records the job
    client.create_run_template(
        "nightly", "train", tags={"env": "prod", "size": "large"}, run_config={"epochs": 3}
    )
    run = client.launch_run_template("nightly", tags={"size": "small"})
    assert run.status == "queued"
    assert run.tag_dict == {"team": "ml", "env": "prod", "size": "small"}
    assert run.metadata["tagbase/run_config"].value == {"epochs": 3}


def test_an_exclusive_tag_moves_between_templates_of_a_job(client: Client) -> None:
    client.launch_run(train)
    client.create_tag(name="default", exclusive=True)
    client.create_run_template("a", "train", tags=["default"])
    client.create_run_template("b", "train", tags=["default"])
    assert not client.get_run_template("a", "train").has_tag("default")
    assert client.get_run_template("b", "train").has_tag("default")
