"""Metadata in the store: full history, a latest-value view, numbers as numbers, all or nothing."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import pytest

from tagbase import Client, Entity, Kind, MetadataValidationError, MetadataValue
from tagbase.query import Match, MetadataMatch
from tagbase.store import StoreContract

PARENTS = {
    Kind.ASSET_VERSION: Kind.ASSET,
    Kind.MODEL_VERSION: Kind.MODEL,
    Kind.RUN: Kind.JOB,
    Kind.RUN_TEMPLATE: Kind.JOB,
}


def make(client: Client, kind: Kind, **fields: object) -> tuple[str, str | None]:
    """An entity named `it` (in a parent named `parent`); returns (name, scope)."""
    scope = None
    if kind in PARENTS:
        scope = "parent"
        client.create(PARENTS[kind], scope)
    client.create(kind, "it", scope=scope, **fields)  # type: ignore[arg-type]
    return "it", scope


@pytest.mark.parametrize("kind", list(Kind))
def test_every_value_is_kept_and_the_latest_is_shown(client: Client, kind: Kind) -> None:
    name, scope = make(client, kind, metadata={"accuracy": 0.80, "owner_note": "first"})
    client.log_metadata(kind, name, {"accuracy": 0.85}, scope)
    time.sleep(0.002)
    latest = client.log_metadata(kind, name, {"accuracy": 0.92, "rows": 1000}, scope)
    assert latest.metadata == {
        "accuracy": MetadataValue.float(0.92),
        "owner_note": MetadataValue.text("first"),
        "rows": MetadataValue.int(1000),
    }
    assert client.get(kind, name, scope).metadata == latest.metadata
    history = client.metadata_history(kind, name, scope, key="accuracy")
    assert [entry.value for entry in history] == [
        MetadataValue.float(0.80),
        MetadataValue.float(0.85),
        MetadataValue.float(0.92),
    ]
    assert history[0].at <= history[1].at < history[2].at
    assert len(client.metadata_history(kind, name, scope)) == 5


def test_history_records_source_and_actor(store: StoreContract, client: Client) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    client.create_model("m", metadata={"stage": "created"})
    store.log_metadata(Kind.MODEL, "m", metadata={"stage": "scored"}, source="system", actor="bot")
    first, second = client.metadata_history(Kind.MODEL, "m")
    assert (first.source, first.actor) == ("api", "tester")
    assert (second.source, second.actor) == ("system", "bot")
    assert before <= first.at <= second.at


def test_typed_values_round_trip(client: Client) -> None:
    values = {
        "link": MetadataValue.url("https://example.com/docs"),
        "snippet": MetadataValue.md("# Title\n*text*"),
        "file_size_kb": MetadataValue.int(1024),
        "when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "config": {"lr": 0.1, "layers": [64, 32]},
    }
    stored = client.create_artifact("orders", metadata=values).metadata
    assert stored["link"] == MetadataValue.url("https://example.com/docs")
    assert stored["snippet"] == MetadataValue.md("# Title\n*text*")
    assert stored["file_size_kb"] == MetadataValue.int(1024)
    assert stored["when"] == MetadataValue.timestamp(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert stored["config"] == MetadataValue.json({"lr": 0.1, "layers": [64, 32]})


def test_long_multi_byte_text_is_kept_whole_and_still_filterable(client: Client) -> None:
    pick = random.Random(7)
    text = "".join(chr(pick.randint(0x4E00, 0x9FFF)) for _ in range(3000))  # ~9 KB of UTF-8
    client.create_artifact("notes", metadata={"summary": text})
    assert client.get_artifact("notes").metadata["summary"] == MetadataValue.text(text)
    found = client.list_artifacts(query=MetadataMatch("summary", Match.STARTSWITH, text[:50]))
    assert [a.name for a in found] == ["notes"]


BAD_METADATA = [
    {"good": 1, "bad": object()},
    {"good": 1, "": 2},
    {"good": 1, "bad\nkey": 2},
    {"good": 1, "bad": {1, 2}},
]


def assert_names_bad_key(error: MetadataValidationError, metadata: dict[object, object]) -> None:
    bad_key = next(key for key in metadata if key != "good")
    assert any(repr(bad_key) in problem.subject for problem in error.problems)
    assert "good" not in str(error)


@pytest.mark.parametrize("metadata", BAD_METADATA)
def test_bad_metadata_on_update_writes_nothing(client: Client, metadata: dict[str, object]) -> None:
    client.create_model("m", tags=["before"], metadata={"good": 0})
    before = client.get_model("m")
    with pytest.raises(MetadataValidationError) as caught:
        client.update_model("m", add_tags=["after"], remove_tags=["before"], metadata=metadata)
    assert_names_bad_key(caught.value, metadata)
    assert client.get_model("m") == before
    assert len(client.metadata_history(Kind.MODEL, "m")) == 1


@pytest.mark.parametrize("metadata", BAD_METADATA)
def test_bad_metadata_on_log_metadata_writes_nothing(
    client: Client, metadata: dict[str, object]
) -> None:
    client.create_model("m")
    with pytest.raises(MetadataValidationError) as caught:
        client.log_metadata(Kind.MODEL, "m", metadata)
    assert_names_bad_key(caught.value, metadata)
    assert client.metadata_history(Kind.MODEL, "m") == []


@pytest.mark.parametrize("kind", list(Kind))
def test_bad_metadata_on_create_writes_nothing(client: Client, kind: Kind) -> None:
    with pytest.raises(MetadataValidationError, match="'bad'"):
        make(client, kind, tags=["never"], metadata={"bad": object()})
    assert client.count(kind) == 0
    assert "never" not in [definition.name for definition in client.list_tags()]


def test_every_bad_entry_is_reported_at_once(client: Client) -> None:
    client.create_model("m")
    with pytest.raises(MetadataValidationError) as caught:
        client.log_metadata(Kind.MODEL, "m", {"a": object(), "b": object(), "c": 1})
    assert len(caught.value.problems) == 2
    assert str(caught.value).startswith("2 invalid metadata entries")


def test_loaded_entities_are_immutable_records(client: Client) -> None:
    created: Entity = client.create_model("m", metadata={"rows": 1})
    client.log_metadata(Kind.MODEL, "m", {"rows": 2})
    assert created.metadata["rows"] == MetadataValue.int(1)


@pytest.mark.parametrize("bad", ["a\udc80", {"nested": "\udc80"}, "nul\x00inside"])
def test_text_no_database_can_store_is_refused_before_writing(client: Client, bad: object) -> None:
    client.create_model("m")

    with pytest.raises(MetadataValidationError, match="'k'"):
        client.log_metadata("model", "m", {"k": bad, "fine": 1})

    assert client.metadata_history("model", "m") == []
