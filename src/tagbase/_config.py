"""Instance configuration: where the catalog lives and which rules it applies.

Read from the environment and `$TAGBASE_HOME/tagbase.yaml`; the environment wins.
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from tagbase._concurrency import TagConcurrencyLimit, parse_limits
from tagbase._errors import InvalidInputError
from tagbase._tags import TagPolicy

CONFIG_FILE = "tagbase.yaml"
_QUEUE_TIMES = ("heartbeat_interval_s", "heartbeat_timeout_s", "poll_interval_s")


@dataclass(frozen=True, slots=True)
class RunQueueConfig:
    """`run_queue:` in tagbase.yaml: limits on runs in progress, and the workers' timing."""

    tag_concurrency_limits: tuple[TagConcurrencyLimit, ...] = ()
    heartbeat_interval_s: float = 2.0  # how often a worker says it is alive
    heartbeat_timeout_s: float = 30.0  # silence after which its runs are failed
    poll_interval_s: float = 0.05  # how often an idle worker looks at the queue

    @classmethod
    def parse(cls, given: object) -> RunQueueConfig:
        if given is None:
            return cls()
        if not isinstance(given, dict):
            raise InvalidInputError(
                f"run_queue in {CONFIG_FILE} is {given!r}, not a mapping. Fix: write e.g. "
                "`run_queue: {tag_concurrency_limits: [{key: team, limit: 2}]}`"
            )
        known = {"tag_concurrency_limits", *_QUEUE_TIMES}
        if set(given) - known:
            raise InvalidInputError(
                f"run_queue in {CONFIG_FILE} has unknown settings {sorted(set(given) - known)}. "
                f"Fix: use only {sorted(known)}"
            )
        limits = parse_limits(given.get("tag_concurrency_limits"), "run_queue")
        times = {name: _seconds(name, given[name]) for name in _QUEUE_TIMES if name in given}
        return cls(limits, **times)


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InvalidInputError(
            f"run_queue.{name} in {CONFIG_FILE} is {value!r}, not a positive number of seconds. "
            f"Fix: write e.g. `{name}: 5`"
        )
    return float(value)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long one read statement may run before the database stops it (None: no limit),
    and how long a call waits for a free connection of the pool, in seconds. A stopped read
    or a full pool is a `StoreError` (503 from the API) naming the setting to raise."""

    statement_s: float | None = 30.0
    pool_s: float = 30.0

    @classmethod
    def load(cls, settings: dict[str, Any]) -> Timeouts:
        statement = _timeout("statement_timeout", settings)
        pool = _timeout("pool_timeout", settings)
        return cls(
            statement_s=30.0 if statement is None else (statement or None),
            pool_s=30.0 if pool is None else pool,
        )


DEFAULT_TIMEOUTS = Timeouts()
DEFAULT_EVENTS_RETENTION_DAYS = 30.0
TIMEOUT_SETTINGS = {  # how a user raises each timeout
    "statement_timeout": "TAGBASE_STATEMENT_TIMEOUT (or statement_timeout in tagbase.yaml)",
    "pool_timeout": "TAGBASE_POOL_TIMEOUT (or pool_timeout in tagbase.yaml)",
}


def _timeout(name: str, settings: dict[str, Any]) -> float | None:
    given: object = os.environ.get(f"TAGBASE_{name.upper()}")
    if given is None:
        given = settings.get(name)
    if given is None:
        return None
    try:
        seconds = float(given)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(given, bool) or not 0 <= seconds < 10**7:
        raise InvalidInputError(
            f"{name} {given!r} is not a number of seconds (0 or more; 0 for no limit on "
            f"statements). Fix: set {TIMEOUT_SETTINGS[name]} to e.g. 30"
        )
    return seconds


class Durability(StrEnum):
    """How sure a commit is to survive a crash, alike on SQLite and PostgreSQL.

    `normal`: a commit survives the application crashing; a crash of the machine (or of the
    PostgreSQL server) may lose the last fraction of a second of commits, whole, never corrupt
    the catalog (SQLite's WAL with `synchronous=NORMAL`, PostgreSQL's `synchronous_commit=off`).
    `full`: a commit is on disk before the call returns, at the cost of a disk flush each."""

    NORMAL = "normal"
    FULL = "full"

    @classmethod
    def parse(cls, given: object) -> Durability:
        try:
            return cls(str(given))
        except ValueError:
            choices = " or ".join(choice.value for choice in cls)
            raise InvalidInputError(
                f"durability {given!r} is unknown; set TAGBASE_DURABILITY (or durability in "
                f"{CONFIG_FILE}) to {choices}"
            ) from None


_TOKEN = re.compile(r"[!-+\--~]+")  # printable ASCII but the comma


@dataclass(frozen=True, slots=True)
class Config:
    home: Path
    database_url: str
    tag_policy: TagPolicy = TagPolicy.DEFAULT
    actor: str | None = None
    read_tokens: tuple[str, ...] = ()  # API/UI tokens that may read; see tagbase.server
    write_tokens: tuple[str, ...] = ()  # tokens that may also write
    run_queue: RunQueueConfig = RunQueueConfig()
    durability: Durability = Durability.NORMAL
    timeouts: Timeouts = DEFAULT_TIMEOUTS
    server_url: str | None = None  # a tagbase server to use instead of a database
    token: str | None = None  # the API token sent to that server
    # How long the change feed keeps events (the daemon prunes older ones); None: forever.
    events_retention_days: float | None = DEFAULT_EVENTS_RETENTION_DAYS

    @classmethod
    def load(cls, home: str | Path | None = None, database_url: str | None = None) -> Config:
        root = Path(home or os.environ.get("TAGBASE_HOME") or Path.home() / ".tagbase")
        settings = _read_yaml(root / CONFIG_FILE)
        url = (
            database_url
            or os.environ.get("TAGBASE_DATABASE_URL")
            or settings.get("database_url")
            or f"sqlite:///{root / 'tagbase.db'}"
        )
        policy = os.environ.get("TAGBASE_TAG_POLICY") or settings.get("tag_policy") or "default"
        try:
            tag_policy = TagPolicy(policy)
        except ValueError:
            choices = ", ".join(p.value for p in TagPolicy)
            raise InvalidInputError(
                f"tag policy {policy!r} is unknown; set tag_policy to one of {choices}"
            ) from None
        actor = os.environ.get("TAGBASE_USER") or settings.get("user") or _login_name()
        return cls(
            home=root,
            database_url=str(url),
            tag_policy=tag_policy,
            actor=actor,
            read_tokens=_tokens("read", settings),
            write_tokens=_tokens("write", settings),
            run_queue=RunQueueConfig.parse(settings.get("run_queue")),
            durability=Durability.parse(
                os.environ.get("TAGBASE_DURABILITY") or settings.get("durability") or "normal"
            ),
            timeouts=Timeouts.load(settings),
            server_url=None if database_url else _server_url(settings),
            token=os.environ.get("TAGBASE_TOKEN") or settings.get("token") or None,
            events_retention_days=_retention_days(settings),
        )


def _retention_days(settings: dict[str, Any]) -> float | None:
    """`TAGBASE_EVENTS_RETENTION_DAYS`, else `events_retention_days:` in tagbase.yaml; 0 keeps
    every event."""
    given: object = os.environ.get("TAGBASE_EVENTS_RETENTION_DAYS")
    if given is None:
        given = settings.get("events_retention_days", DEFAULT_EVENTS_RETENTION_DAYS)
    try:
        days = float(given)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        days = -1.0
    if isinstance(given, bool) or not 0 <= days < 10**6:
        raise InvalidInputError(
            f"events_retention_days {given!r} is not a number of days (0 or more; 0 keeps "
            f"every event). Fix: set TAGBASE_EVENTS_RETENTION_DAYS (or events_retention_days "
            f"in {CONFIG_FILE}) to e.g. {DEFAULT_EVENTS_RETENTION_DAYS:g}"
        )
    return days or None


def _server_url(settings: dict[str, Any]) -> str | None:
    """`TAGBASE_URL`, else `url:` in tagbase.yaml: the server every client here talks to."""
    given = os.environ.get("TAGBASE_URL") or settings.get("url")
    if not given:
        return None
    url = str(given).rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
        raise InvalidInputError(
            f"server URL {given!r} is not an http(s) URL; set TAGBASE_URL (or url in "
            "tagbase.yaml) to the server's address, e.g. http://tagbase.internal:8000"
        )
    return url


def _tokens(access: str, settings: dict[str, Any]) -> tuple[str, ...]:
    """`TAGBASE_{READ,WRITE}_TOKENS` (comma-separated), else `server: {read,write}_tokens:`
    in tagbase.yaml (a list of strings)."""
    name = f"{access}_tokens"
    text = os.environ.get(f"TAGBASE_{name.upper()}")
    if text is not None:
        return _checked_tokens(name, [t.strip() for t in text.split(",") if t.strip()])
    server = settings.get("server") or {}
    listed = server.get(name, []) if isinstance(server, dict) else None
    if not isinstance(listed, list) or not all(isinstance(t, str) for t in listed):
        raise InvalidInputError(
            f"server.{name} in {CONFIG_FILE} is not a list of strings (a token is a secret "
            f"string). Fix: write e.g. `server: {{{name}: [a-long-random-secret]}}`"
        )
    return _checked_tokens(name, listed)


def _checked_tokens(name: str, tokens: list[str]) -> tuple[str, ...]:
    """Tokens travel in headers and cookies: printable ASCII, no spaces or commas."""
    for number, token in enumerate(tokens, 1):
        if not _TOKEN.fullmatch(token):
            raise InvalidInputError(
                f"token {number} of {name} is not 1 or more printable ASCII characters without "
                "spaces or commas (it is not shown: it is a secret). Fix: use e.g. the output "
                "of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
    return tuple(tokens)


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    loaded = yaml.safe_load(path.read_text()) or {}
    if not isinstance(loaded, dict):
        raise InvalidInputError(f"{path} must hold a mapping of settings, not {type(loaded)}")
    return loaded


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no such user in the password database, as in some containers
        return None
