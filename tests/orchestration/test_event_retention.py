"""The daemon prunes the change feed past its retention (`events_retention_days`), at most
once an hour; `tagbase events prune` does the same on demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tagbase import InvalidInputError, Kind
from tagbase._config import Config
from tagbase.client import Client
from tagbase.definitions import Definitions
from tagbase.orchestration._daemon import Daemon


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_daemon_prunes_events_past_retention_hourly(client: Client) -> None:
    client.create(Kind.ASSET, "old")
    clock = Clock(datetime.now(UTC) + timedelta(days=31))
    daemon = Daemon(Definitions(), client.store, clock, events_retention_days=30)
    assert daemon.tick().errors == []
    assert client.events().events == ()
    client.create(Kind.ASSET, "new")
    clock.now += timedelta(minutes=59)  # "new" is past retention, but within the hour
    daemon.tick()
    assert [e.entity.name for e in client.events().events if e.entity] == ["new"]
    clock.now += timedelta(minutes=2)
    daemon.tick()
    assert client.events().events == ()


def test_a_daemon_without_retention_keeps_every_event(client: Client) -> None:
    client.create(Kind.ASSET, "kept")
    clock = Clock(datetime.now(UTC) + timedelta(days=3650))
    Daemon(Definitions(), client.store, clock, events_retention_days=None).tick()
    assert len(client.events().events) == 1


def test_retention_is_read_from_the_environment_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Config.load(home=tmp_path).events_retention_days == 30
    monkeypatch.setenv("TAGBASE_EVENTS_RETENTION_DAYS", "7.5")
    assert Config.load(home=tmp_path).events_retention_days == 7.5
    monkeypatch.setenv("TAGBASE_EVENTS_RETENTION_DAYS", "0")
    assert Config.load(home=tmp_path).events_retention_days is None
    monkeypatch.setenv("TAGBASE_EVENTS_RETENTION_DAYS", "a week")
    with pytest.raises(InvalidInputError, match="events_retention_days"):
        Config.load(home=tmp_path)
