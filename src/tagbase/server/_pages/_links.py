"""Every link of the UI is built here, so a route and the links to it change together.

Names go into paths percent-encoded (asset and tag names may hold `/` or `=`); queries go
into query strings. Values of the query language are quoted when they need it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, urlencode

from tagbase._kinds import Kind
from tagbase._records import EntityRef

_BARE = re.compile(r"[A-Za-z0-9_.\-:/@]+")


def _path(name: str) -> str:
    return quote(name, safe="")


def with_query(path: str, **params: str | None) -> str:
    """`path` with the given parameters, leaving out empty ones."""
    kept = {key: value for key, value in params.items() if value}
    return f"{path}?{urlencode(kept)}" if kept else path


def asset(name: str) -> str:
    return f"/assets/{_path(name)}"


def job(name: str) -> str:
    return f"/jobs/{_path(name)}"


def model(name: str) -> str:
    return f"/models/{_path(name)}"


def run(run_id: str) -> str:
    return f"/runs/{run_id}"


def asset_version(version_id: str) -> str:
    return f"/asset-versions/{version_id}"


def model_version(version_id: str) -> str:
    return f"/model-versions/{version_id}"


def tag(name: str) -> str:
    return f"/tags/{_path(name)}"


def launchpad(job_name: str | None = None, template: str | None = None) -> str:
    return with_query("/launchpad", job=job_name, template=template)


def entity_tags(kind: Kind, entity_id: str) -> str:
    """Where the add/remove tag forms of an entity post to."""
    return f"/entity-tags/{kind.value}/{entity_id}"


def entity(ref: EntityRef) -> str:
    """The page of any entity a tag history or a series names."""
    if ref.kind in _PAGE_BY_NAME:
        return _PAGE_BY_NAME[ref.kind](ref.name)
    if ref.kind in _PAGE_BY_ID:
        return _PAGE_BY_ID[ref.kind](ref.id)
    if ref.kind is Kind.RUN_TEMPLATE and ref.scope_name:
        return launchpad(ref.scope_name, ref.name)
    return with_query("/tags", q=ref.name)


_PAGE_BY_NAME: dict[Kind, Callable[[str], str]] = {
    Kind.ASSET: asset,
    Kind.JOB: job,
    Kind.MODEL: model,
}
_PAGE_BY_ID: dict[Kind, Callable[[str], str]] = {
    Kind.RUN: run,
    Kind.ASSET_VERSION: asset_version,
    Kind.MODEL_VERSION: model_version,
}


def query_value(text: str) -> str:
    """`text` as one value of the query language: bare when it can be, quoted otherwise."""
    if _BARE.fullmatch(text) and not text.startswith("*") and not text.endswith("*"):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def tag_term(key: str, value: str) -> str:
    """The query term selecting a tag: `tag:k=v`, or `tag:k=` for the label k."""
    return f"tag:{query_value(key)}={query_value(value) if value else ''}"


def refine(query: str, term: str) -> str:
    """`query` narrowed by `term` (unchanged if the term is in it already)."""
    query = query.strip()
    if not query:
        return term
    if term in query.split():
        return query
    needs_group = " or " in f" {query.lower()} "
    return f"({query}) and {term}" if needs_group else f"{query} and {term}"
