"""Metadata values as the pages show them, by type: markdown rendered and sanitised, links
only for web URLs, JSON pretty-printed, schemas and lineage as tables, sizes and times
readable. The template macro `metadata_value` draws each `Shown.style`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from tagbase._tags import RESERVED_PREFIX
from tagbase.metadata import (
    CodeReferencesMetadataValue,
    JobMetadataValue,
    LocalFileCodeReference,
    MetadataValue,
    StorageSizeMetadataValue,
    TableMetadataValue,
    TimestampMetadataValue,
    UrlCodeReference,
)
from tagbase.server._pages import _links

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_WEB_SCHEMES = frozenset({"http", "https"})
_PLAIN = frozenset({"text", "path", "notebook", "uri", "dtype"})
_NUMBERS = frozenset({"int", "float"})
HEADING_SHIFT = 3


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str | None  # None: shown as text (not a web address)


@dataclass(frozen=True, slots=True)
class Shown:
    """One metadata entry ready for a template: `style` picks the macro branch."""

    key: str
    type_name: str
    style: str
    data: Any


def render_markdown(text: str) -> Markup:
    """Markdown as HTML with raw HTML disabled, then sanitised by nh3 (links get rel=noopener).
    Its headings start at h4, under the page's own."""
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + HEADING_SHIFT)}"
    html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return Markup(nh3.clean(html))


def web_link(text: str) -> Link:
    """A link only for http(s) addresses: `javascript:` and the like stay text."""
    scheme = urlsplit(text.strip()).scheme.lower()
    return Link(text, text.strip() if scheme in _WEB_SCHEMES else None)


def format_number(value: float) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.6g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.3e}"


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def show(key: str, value: object) -> Shown:
    if not isinstance(value, MetadataValue):
        return Shown(key, "text", "text", str(value))
    style, data = _styled(value)
    return Shown(key, value.type_name, style, data)


def user_keys_first(key: str) -> tuple[bool, str]:
    """A sort key: the user's keys, then `tagbase/` ones, each by name."""
    return key.startswith(RESERVED_PREFIX), key


def show_all(metadata: Mapping[str, object]) -> list[Shown]:
    """Every entry, user keys first, then `tagbase/` ones, each sorted by key."""
    ordered = sorted(metadata, key=user_keys_first)
    return [show(key, metadata[key]) for key in ordered]


def _styled(value: MetadataValue) -> tuple[str, Any]:
    name = value.type_name
    if name in _PLAIN:
        return "code" if name != "text" else "text", str(value.value)
    if name in _NUMBERS:
        return "number", format_number(value.value)
    handler = _HANDLERS.get(name)
    if handler is not None:
        return handler(value)
    return "text", str(value.value)


def _url(value: MetadataValue) -> tuple[str, Any]:
    return "link", web_link(str(value.value))


def _markdown(value: MetadataValue) -> tuple[str, Any]:
    return "markdown", render_markdown(str(value.value))


def _json(value: MetadataValue) -> tuple[str, Any]:
    return "json", json.dumps(value.value, indent=2, ensure_ascii=False, sort_keys=True)


def _bool(value: MetadataValue) -> tuple[str, Any]:
    return "text", "true" if value.value else "false"


def _null(value: MetadataValue) -> tuple[str, Any]:
    return "muted", "null"


def _timestamp(value: MetadataValue) -> tuple[str, Any]:
    assert isinstance(value, TimestampMetadataValue)
    return "text", format_time(value.as_datetime())


def _size(value: MetadataValue) -> tuple[str, Any]:
    assert isinstance(value, StorageSizeMetadataValue)
    return "text", value.human_readable


def _schema(value: MetadataValue) -> tuple[str, Any]:
    return "table_schema", value.value


def _lineage(value: MetadataValue) -> tuple[str, Any]:
    rows = [
        (column, [(dep.asset_key.to_user_string(), dep.column_name) for dep in deps])
        for column, deps in value.value.deps_by_column.items()
    ]
    return "column_lineage", rows


def _table(value: MetadataValue) -> tuple[str, Any]:
    assert isinstance(value, TableMetadataValue)
    columns: list[str] = (
        [c.name for c in value.schema.columns]
        if value.schema
        else list(dict.fromkeys(k for r in value.records for k in r.data))
    )
    rows = [[record.data.get(column) for column in columns] for record in value.records]
    return "table", {"columns": columns, "rows": rows}


def _code_references(value: MetadataValue) -> tuple[str, Any]:
    assert isinstance(value, CodeReferencesMetadataValue)
    return "links", [_code_link(reference) for reference in value.code_references]


def _code_link(reference: LocalFileCodeReference | UrlCodeReference) -> Link:
    """A git host URL as a link; a local file as a file link named `path:line`."""
    if isinstance(reference, UrlCodeReference):
        return Link(reference.label or reference.url, web_link(reference.url).href)
    line = f":{reference.line_number}" if reference.line_number else ""
    text = reference.label or f"{reference.file_path}{line}"
    return Link(text, f"file://{quote(reference.file_path)}")


def _asset(value: MetadataValue) -> tuple[str, Any]:
    name = value.value.to_user_string()
    return "links", [Link(name, _links.asset(name))]


def _job(value: MetadataValue) -> tuple[str, Any]:
    assert isinstance(value, JobMetadataValue)
    name = value.job_name
    return "links", [Link(name, _links.job(name))]


_HANDLERS = {
    "url": _url,
    "md": _markdown,
    "json": _json,
    "bool": _bool,
    "null": _null,
    "timestamp": _timestamp,
    "storage_size": _size,
    "table_schema": _schema,
    "column_lineage": _lineage,
    "table": _table,
    "code_references": _code_references,
    "asset": _asset,
    "job": _job,
}


def numeric_keys(metadata: Mapping[str, object]) -> list[str]:
    """Keys whose value is a number (not a bool): they form a time series."""
    return [
        key
        for key, value in metadata.items()
        if isinstance(value, MetadataValue) and value.type_name in _NUMBERS
    ]


def summary(value: object, limit: int = 48) -> str:
    """A one-line form of a value, for tables of versions and runs."""
    shown = show("", value)
    text = shown.data if isinstance(shown.data, str) else _short_of(value)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_of(value: object) -> str:
    if isinstance(value, MetadataValue):
        return f"({value.type_name})"
    return str(value)


SUMMARY_KEYS = frozenset({"tagbase/row_count", "tagbase/partition_row_count"})


def brief(metadata: Mapping[str, object]) -> list[tuple[str, str]]:
    """The entries a row of versions shows: the user's keys and the row counts, one line each
    (schemas, URIs and run links have places of their own)."""
    return [
        (key, summary(value))
        for key, value in sorted(metadata.items())
        if not key.startswith("tagbase/") or key in SUMMARY_KEYS
    ]
