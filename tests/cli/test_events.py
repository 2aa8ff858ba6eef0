"""`tagbase events tail` and `prune`: the change feed from the command line."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner, Result

from tagbase import Client, Kind
from tagbase._tag_settings import TagSettings
from tagbase.cli import _events, cli


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def champion_moves(client: Client) -> None:
    client.create_tag("champion", exclusive=True)
    client.create_model("iris")
    client.create_model_version("iris", "1", tags=["champion"])
    client.create_model_version("iris", "2", tags=["champion"])


def test_tail_prints_the_newest_events_as_a_table(client: Client) -> None:
    champion_moves(client)
    done = invoke("events", "tail", "--type", "tag.moved")
    assert done.exit_code == 0, done.output
    assert "tag.moved" in done.output
    assert "champion: iris:1 → iris:2" in done.output
    assert "entity.created" not in done.output


def test_tail_json_filters_by_query_and_after(client: Client) -> None:
    champion_moves(client)
    done = invoke("events", "tail", "--filter", "tag:champion", "--after", "0", "--json")
    assert done.exit_code == 0, done.output
    page = json.loads(done.stdout)
    assert {e["entity"]["name"] for e in page["events"]} == {"2"}  # the holder now
    assert page["last_id"] == client.last_event_id()
    limited = json.loads(invoke("events", "tail", "--limit", "1", "--json").stdout)
    assert [e["type"] for e in limited["events"]] == ["tag.moved"]


def test_follow_prints_events_as_they_commit(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.create(Kind.ASSET, "orders")
    looks = iter(range(3))

    def wait(_seconds: float) -> None:  # the follower's pause: a write, then Ctrl-C
        if next(looks) == 0:
            client.add_tags(Kind.ASSET, "orders", ["pii"])
            return
        raise KeyboardInterrupt

    monkeypatch.setattr(_events.time, "sleep", wait)
    done = invoke("events", "tail", "--follow", "--json")
    assert done.exit_code == 0, done.output
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(e["type"], e["payload"].get("tag")) for e in lines] == [
        ("entity.created", None),
        ("tag.added", "pii"),
    ]


def test_prune_deletes_old_events(client: Client) -> None:
    client.store.register_tag("x", TagSettings(description="a tag"))
    time.sleep(0.2)  # the event is older than 0.000001 days (86 ms)
    done = invoke("events", "prune", "--older-than", "0.000001")
    assert done.exit_code == 0, done.output
    assert "Deleted 1 event" in done.output
    assert client.events().events == ()
    assert invoke("events", "prune", "--older-than", "0").exit_code != 0
