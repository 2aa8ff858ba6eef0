"""`tagbase events tail` and `tagbase events prune`: the change feed on the command line.

`tail` prints the newest events (a table, or `--json`); with `--follow` it goes on printing
each event as it commits, a line each (JSON lines with `--json`), until interrupted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from tagbase._changes import ChangeEvent
from tagbase._json import ChangeEventOut, ChangePageOut, iso_time
from tagbase.cli._app import State, pass_state
from tagbase.cli._options import json_option, query_option
from tagbase.cli._render import cell, console, emit_json, plural, shown_name, table_of

FOLLOW_POLL_S = 0.5  # how long `--follow` waits between looks once caught up
_PAGE = 500


@click.group("events")
def events() -> None:
    """The change feed: every catalog change, in commit order."""


@events.command("tail")
@click.option("--follow", "-f", is_flag=True, help="Keep printing events as they commit.")
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help="Only events of this type (tag.moved) or family (tag, run). Repeat for several.",
)
@query_option
@click.option("--after", type=click.IntRange(0), metavar="ID", help="Start after this event id.")
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=20,
    show_default=True,
    help="Without --after: how many of the newest events to start from.",
)
@json_option
@pass_state
def tail(
    state: State,
    follow: bool,
    types: tuple[str, ...],
    query: str | None,
    after: int | None,
    limit: int,
    as_json: bool,
) -> None:
    """Print the newest catalog changes (those after --after, if given); --follow for more."""
    client = state.client
    chosen = list(types) or None
    start = max(0, client.last_event_id() - limit) if after is None else after
    page = client.events(after=start, types=chosen, query=query, limit=_PAGE if follow else limit)
    if not follow:
        if as_json:
            emit_json(ChangePageOut.of(page))
        else:
            print_events(page.events)
        return
    cursor = page.last_id
    try:
        while True:
            for event in page.events:
                _print_line(event, as_json)
            cursor = page.last_id
            if not page.more:
                time.sleep(FOLLOW_POLL_S)
            page = client.events(after=cursor, types=chosen, query=query, limit=_PAGE)
    except KeyboardInterrupt:
        return


@events.command("prune")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(0, min_open=True),
    metavar="DAYS",
    help="Delete events older than this many days (default: events_retention_days).",
)
@pass_state
def prune(state: State, days: float | None) -> None:
    """Delete old events of the change feed, as the daemon does for retention."""
    if days is None:
        days = state.config().events_retention_days
    if days is None:
        raise click.UsageError(
            "events_retention_days is 0 (keep every event); give --older-than DAYS"
        )
    before = datetime.now(UTC) - timedelta(days=days)
    pruned = state.client.prune_events(before)
    console().print(cell(f"Deleted {plural(pruned, 'event')} older than {iso_time(before)}."))


def print_events(found: Sequence[ChangeEvent]) -> None:
    out = console()
    if not found:
        out.print(cell("No events found."))
        return
    table = table_of("Catalog changes, oldest first", "id", "time (UTC)", "type", "entity",
                   "details", "actor")  # fmt: skip
    for event in found:
        table.add_row(
            cell(event.id),
            cell(iso_time(event.at)),
            cell(event.type.value),
            cell(_entity(event)),
            cell(details(event.payload)),
            cell(event.actor),
        )
    out.print(table)


def _print_line(event: ChangeEvent, as_json: bool) -> None:
    if as_json:
        click.echo(ChangeEventOut.of(event).model_dump_json())
        return
    fields = (event.id, iso_time(event.at), event.type.value, _entity(event),
              details(event.payload), event.actor or "")  # fmt: skip
    console().print(cell("  ".join(str(field) for field in fields if field != "")))


def _entity(event: ChangeEvent) -> str:
    if event.entity is None:
        return ""
    return f"{event.entity.kind.value} {shown_name(event.entity)}"


def details(payload: Mapping[str, Any]) -> str:
    """A payload in a few words: `champion: iris:1 → iris:2`, `rows=3`, `env=dev → env=prod`."""
    if "from" in payload:
        held = payload["from"]
        was = _ref_name(held) if held else "(none)"
        now = _ref_name(payload["to"]) if payload.get("to") else "?"
        return f"{payload.get('tag')}: {was} → {now}"
    if "old" in payload:
        return f"{payload['old']} → {payload.get('tag')}"
    if "metadata" in payload:
        return ", ".join(
            f"{key}={json.dumps(value.get('value'))}" if "value" in value else f"{key} (large)"
            for key, value in payload["metadata"].items()
        )
    parts = [
        str(payload[name]) for name in ("action", "tag", "target", "status") if name in payload
    ]
    if "changed" in payload:
        parts.append("changed " + ", ".join(payload["changed"]))
    if payload.get("tags"):
        parts.append("tags " + ", ".join(payload["tags"]))
    return " ".join(parts)


def _ref_name(ref: Mapping[str, Any]) -> str:
    name = f"{ref['scope']}:{ref['name']}" if ref.get("scope") else str(ref["name"])
    return f"{name} (deleted)" if ref.get("deleted") else name
