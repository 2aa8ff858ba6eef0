"""Output: JSON (each record in its one form from `tagbase._json`) and Rich tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import click
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tagbase._identity import ApiToken, User
from tagbase._json import MetadataOut, iso_time, json_default
from tagbase._kinds import Kind
from tagbase._records import (
    AssignedTag,
    Entity,
    EntityRef,
    Page,
    Retagging,
    TagDefinition,
    TagEvent,
)
from tagbase.cli._safe import SafeConsole, json_text, printable, unwrapped
from tagbase.metadata import MetadataValue

PIPED_WIDTH = 200  # wide enough that piped tables keep one line per row
METADATA_CELL = 160
_NOUNS = {
    Kind.ASSET: "artifact",
    Kind.ASSET_VERSION: "artifact version",
    Kind.JOB: "pipeline",
    Kind.OP: "step",
}


def noun(kind: Kind) -> str:
    """What the CLI calls a kind (it speaks the seed vocabulary: artifact, pipeline)."""
    return _NOUNS.get(kind, kind.label)


def a(word: str) -> str:
    """`word` with its indefinite article: a model, an artifact."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def entities(count: int) -> str:
    return f"{count} entit{'y' if count == 1 else 'ies'}"


def short_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def shown_url(url: str) -> str:
    """The URL with any password masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def shown_location(url: str) -> str:
    """Where a catalog is: a SQLite file's path, else the URL with any password masked."""
    scheme, sep, rest = url.partition(":///")
    if sep and scheme.split("+")[0] == "sqlite":
        return rest.split("?")[0]
    return shown_url(url)


# -- JSON --------------------------------------------------------------------------------------


def emit_json(data: object) -> None:
    """Print `data`; the shapes of `tagbase._json` in it are printed as the API sends them."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=json_default)
    click.echo(json_text(text))


# -- tables ------------------------------------------------------------------------------------


def console(*, stderr: bool = False) -> SafeConsole:
    """A console on the current stdout (or stderr); piped output gets wide rows and no colour
    codes."""
    file = unwrapped(sys.stderr if stderr else sys.stdout)
    piped = not file.isatty()
    return SafeConsole(file=file, highlight=False, width=PIPED_WIDTH if piped else None)


def table_of(title: str | None, *columns: str) -> Table:
    table = Table(
        title=escape(printable(title)) if title else None,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        header_style="bold",
    )
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def cell(value: object) -> Text:
    """Cell text, never read as Rich markup (tag values may hold brackets), its control
    characters escaped (here, so that columns are as wide as what is shown)."""
    return Text("" if value is None else printable(str(value)))


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def tag_cell(tags: Sequence[AssignedTag]) -> Text:
    """Tags in string form; exclusive ones bold, system ones dim."""
    cell = Text()
    for index, tag in enumerate(sorted(tags, key=lambda tag: tag.name)):
        if index:
            cell.append(", ")
        cell.append(
            printable(tag.name), style="bold" if tag.exclusive else "dim" if tag.is_system else ""
        )
    return cell


def print_entities(page: Page[Entity], kind: Kind, title: str) -> None:
    out = console()
    if not page.items:
        out.print(cell(f"No {noun(kind)}s found."))
        return
    columns = [noun(kind.scope)] if kind.scope else []
    columns += ["#", "version"] if kind.is_version else ["name"]
    columns += ["status"] if kind is Kind.RUN else []
    table = table_of(title, *columns, "tags", "created (UTC)")
    for entity in page:
        row = [cell(entity.scope.name if entity.scope else "")] if kind.scope else []
        row += [cell(entity.number), cell(entity.name)] if kind.is_version else [cell(entity.name)]
        row += [cell(entity.status)] if kind is Kind.RUN else []
        table.add_row(*row, tag_cell(entity.tags.assigned), cell(short_time(entity.created_at)))
    out.print(table)
    if page.total is not None and page.total > len(page):
        out.print(cell(f"Showing {len(page)} of {page.total}; use --limit to see more."))


def print_entity(entity: Entity) -> None:
    """One entity in full: its fields, its tags with provenance, its latest metadata."""
    out = console()
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold")
    fields.add_column(overflow="fold")
    for label, value in _entity_fields(entity):
        if value not in (None, ""):
            fields.add_row(label, cell(value))
    out.print(fields)
    if entity.tags:
        tags = table_of("Tags", "tag", "source", "actor", "added (UTC)")
        for tag in entity.tags.assigned:
            tags.add_row(
                tag_cell([tag]), cell(tag.source), cell(tag.actor), cell(iso_time(tag.added_at))
            )
        out.print(tags)
    if entity.metadata:
        out.print(_metadata_table(entity.metadata))


def _entity_fields(entity: Entity) -> list[tuple[str, object]]:
    scope = entity.scope
    return [
        (noun(entity.kind), entity.name),
        (noun(scope.kind) if scope else "scope", scope.name if scope else None),
        ("number", entity.number),
        ("id", entity.id),
        ("status", entity.status),
        ("description", entity.description),
        ("owners", ", ".join(entity.owners)),
        ("created", iso_time(entity.created_at)),
        ("updated", iso_time(entity.updated_at)),
    ]


def _metadata_table(metadata: Mapping[str, Any]) -> Table:
    table = table_of("Metadata", "key", "type", "value")
    for key, value in metadata.items():
        type_name = value.type_name if isinstance(value, MetadataValue) else ""
        table.add_row(cell(key), cell(type_name), cell(_metadata_cell(value)))
    return table


def _metadata_cell(value: object) -> str:
    """A value short enough for a table; `--json` shows it whole."""
    plain = MetadataOut.of(value).value
    shown = plain if isinstance(plain, str) else json.dumps(plain, ensure_ascii=False)
    return shown if len(shown) <= METADATA_CELL else shown[: METADATA_CELL - 1] + "…"


def usage_text(usage: Mapping[Kind, int]) -> str:
    return ", ".join(plural(count, noun(kind)) for kind, count in sorted(usage.items()))


def print_tag_definitions(definitions: Sequence[TagDefinition], title: str | None) -> None:
    out = console()
    if not definitions:
        out.print(cell("No tags found."))
        return
    table = table_of(
        title, "tag", "exclusive", "cascade", "colour", "description", "usage", "total"
    )
    for definition in definitions:
        table.add_row(
            cell(definition.name),
            cell(_yes(definition.exclusive)),
            cell(_yes(definition.cascade)),
            cell(definition.color),
            cell(definition.description),
            cell(usage_text(definition.usage)),
            cell(definition.usage_count),
        )
    out.print(table)


def print_tag_events(events: Sequence[TagEvent]) -> None:
    out = console()
    if not events:
        out.print(cell("No tag history found."))
        return
    table = table_of(
        "Tag history, newest first",
        "time (UTC)", "kind", "entity", "tag", "action", "reason", "moved to", "source", "actor",
    )  # fmt: skip
    for event in events:
        table.add_row(
            cell(iso_time(event.at)),
            cell(event.entity.kind.value),
            cell(shown_name(event.entity)),
            cell(event.tag),
            cell(event.action),
            cell(event.reason),
            cell(shown_name(event.moved_to) if event.moved_to else ""),
            cell(event.source),
            cell(event.actor),
        )
    out.print(table)


def shown_name(ref: EntityRef) -> str:
    """An entity as history tables name it, a deleted one marked so."""
    return f"{ref.display_name} (deleted)" if ref.deleted else ref.display_name


def print_holders(holders: Sequence[EntityRef], tag: str, at: datetime) -> None:
    out = console()
    when = iso_time(at)
    if not holders:
        out.print(cell(f"No entity held {tag!r} at {when}."))
        return
    table = table_of(f"Holders of {tag!r} at {when}", "kind", "entity", "id")
    for ref in holders:
        table.add_row(cell(ref.kind.value), cell(shown_name(ref)), cell(ref.id))
    out.print(table)


def print_retagging(result: Retagging, what: str, *, err: bool = False) -> None:
    changes = [f"add {', '.join(result.add)}"] if result.add else []
    changes += [f"remove {', '.join(result.remove)}"] if result.remove else []
    verb = "Would change" if result.dry_run else "Changed"
    out = console(stderr=True) if err else console()
    counts = f"{verb} {result.changed} of {plural(result.matched, 'matching ' + what)}"
    out.print(Text(f"{counts}: {'; '.join(changes)}."))
    for ref in result.sample:
        out.print(Text(f"  {ref.display_name}"))
    if result.matched > len(result.sample):
        out.print(Text(f"  ... and {result.matched - len(result.sample)} more"))


def _moment(ms: int | None) -> str | None:
    return None if ms is None else iso_time(datetime.fromtimestamp(ms / 1000, UTC))


def print_users(users: Sequence[User], title: str | None = "Users") -> None:
    out = console()
    if not users:
        out.print(cell("No users found."))
        return
    table = table_of(title, "name", "role", "service", "actor", "email", "teams", "created (UTC)")
    for user in users:
        table.add_row(
            cell(user.name),
            cell(user.role.label),
            cell(_yes(user.service)),
            cell(user.actor),
            cell(user.email),
            cell(", ".join(user.teams)),
            cell(_moment(user.created_ms)),
        )
    out.print(table)


def print_tokens(tokens: Sequence[ApiToken], title: str | None = "API tokens") -> None:
    out = console()
    if not tokens:
        out.print(cell("No tokens found."))
        return
    table = table_of(
        title, "id", "user", "label", "starts with", "created", "expires", "revoked", "last used"
    )
    for token in tokens:
        table.add_row(
            cell(token.id),
            cell(token.user),
            cell(token.label),
            cell(f"{token.prefix}…"),
            cell(_moment(token.created_ms)),
            cell(_moment(token.expires_ms)),
            cell(_moment(token.revoked_ms)),
            cell(_moment(token.last_used_ms)),
        )
    out.print(table)
