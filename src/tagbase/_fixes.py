"""The fixes errors suggest, said in each front-end's terms (`Fix`): the Python call, the
`tagbase` command and the REST API route that do the same thing. One place names them all, so a
CLI error never tells its user to call `Client()`, and `tests/test_fixes.py` checks that every
command and route named here exists."""

from __future__ import annotations

import json
import shlex
from urllib.parse import quote

from tagbase._errors import Fix
from tagbase._kinds import Kind

# How the CLI checks a name of each kind; `{scope}` becomes the parent, as the command takes
# it, or nothing. Ops and run templates have no list command: their fixes say how to make one.
_CLI_CHECKS = {
    Kind.ASSET: "`tagbase artifact list` lists them",
    Kind.ASSET_VERSION: "`tagbase artifact version list{scope}` lists them",
    Kind.OP: "`tagbase load -f FILE` records a project's ops",
    Kind.JOB: "`tagbase pipeline list` lists them",
    Kind.RUN: "`tagbase run list{scope}` lists them",
    Kind.RUN_TEMPLATE: "`tagbase template save NAME --job JOB` makes one",
    Kind.MODEL: "`tagbase model list` lists them",
    Kind.MODEL_VERSION: "`tagbase model version list{scope}` lists them",
}
_CLI_SCOPE_OPTION = {Kind.RUN: " --pipeline {}"}  # others take the parent as an argument
# The command that tags an entity of each kind; `{scope}` is the parent, as an argument.
_CLI_TAGGING = {
    Kind.ASSET: "tagbase artifact update {ref} -t {tag}",
    Kind.ASSET_VERSION: "tagbase artifact version update{scope} {ref} -t {tag}",
    Kind.JOB: "tagbase pipeline update {ref} -t {tag}",
    Kind.RUN: "tagbase run update {ref} -t {tag}",
    Kind.MODEL: "tagbase model update {ref} -t {tag}",
    Kind.MODEL_VERSION: "tagbase model version update{scope} {ref} -t {tag}",
}


def api_route(kind: Kind) -> str:
    """The path of a kind's routes: `/api/assets`, `/api/model_versions`..."""
    return f"/api/{kind.value}s"


def _cli_scope(kind: Kind, scope: str | None) -> str:
    if scope is None or kind.scope is None:
        return ""
    return _CLI_SCOPE_OPTION.get(kind, " {}").format(shlex.quote(scope))


def _api_scope(kind: Kind, scope: str | None) -> str:
    return "" if scope is None or kind.scope is None else f"?scope={quote(scope, safe='')}"


def listing(kind: Kind, scope: str | None = None) -> Fix:
    """Check a name against the entities of a kind (in `scope`, for a scoped kind)."""
    scoped = scope is not None and kind.scope is not None
    return Fix(
        python="check the name or id (Client().list("
        + (f"{kind.value!r}, scope={scope!r}" if scoped else repr(kind.value))
        + ") lists them)",
        cli=f"check the name or id ({_CLI_CHECKS[kind].format(scope=_cli_scope(kind, scope))})",
        api=f"check the name or id (GET {api_route(kind)}{_api_scope(kind, scope)} lists them)",
    )


def first_version(kind: Kind, parent: str) -> Fix:
    """A parent that has no versions yet: make one, or check the parent's name."""
    assert kind.scope is not None
    made = "materialize it" if kind is Kind.ASSET_VERSION else "create a version"
    check = listing(kind.scope)
    return Fix(
        python=f"{made} first, or {check.python}",
        cli=f"{made} first ({_cli_making(kind, parent)}), or {check.cli}",
        api=f"create one first (POST {api_route(kind)} with scope {parent!r}), or {check.api}",
    )


def _cli_making(kind: Kind, parent: str) -> str:
    if kind is Kind.ASSET_VERSION:
        return f"tagbase materialize --select {shlex.quote(parent)} -f FILE"
    return f"tagbase run JOB -f FILE, with a pipeline whose model is {parent!r}"


def tagging(kind: Kind, scope: str | None, tag: str) -> Fix:
    """Give `tag` to an entity of `kind` (in `scope`), named VERSION or NAME."""
    ref = "VERSION" if kind.is_version else "NAME"
    scoped = scope is not None and kind.scope is not None
    cli_tag = shlex.quote(tag)
    command = _CLI_TAGGING.get(kind, "").format(ref=ref, scope=_cli_scope(kind, scope), tag=cli_tag)
    return Fix(
        python=f"tag one: Client().add_tags({kind.value!r}, {ref}, [{tag!r}]"
        + (f", scope={scope!r})" if scoped else ")"),
        cli=f"tag one: {command}" if command else "tag one from Python or the API",
        api=f"tag one: POST {api_route(kind)}/{ref}/tags{_api_scope(kind, scope)} with "
        + json.dumps({"tags": [tag]}),
    )


def tag_registry(name: str) -> Fix:
    """A tag the catalog has never seen: check the spelling, or register it."""
    return Fix(
        python=f"check the spelling (Client().list_tags()), or register it with "
        f"Client().create_tag({name!r})",
        cli="check the spelling with `tagbase tag list`, or register it with "
        f"`tagbase tag register {shlex.quote(name)}`",
        api="check the spelling (GET /api/tags), or register it: POST /api/tags with "
        + json.dumps({"name": name}),
    )


def tag_update(name: str) -> Fix:
    """A tag registered already: change its settings instead of registering it again."""
    return Fix(
        python=f"change its settings with Client().update_tag({name!r}, exclusive=..., ...)",
        cli=f"change its settings with `tagbase tag update {shlex.quote(name)}` (--exclusive, "
        "--no-exclusive, --color ...)",
        api=f"change its settings: PATCH /api/tags/{quote(name, safe='')} with the settings to "
        "change",
    )


def recursive_delete(kind: Kind) -> Fix:
    """An entity with children: delete them first, or everything at once."""
    return Fix(
        python="delete them first, or pass recursive=True",
        cli="delete them first, or the whole from Python (recursive=True) or the API "
        f"(DELETE {api_route(kind)}/NAME?recursive=true)",
        api="delete them first, or add ?recursive=true",
    )


def job_definitions() -> Fix:
    """A launch that needs the job's definition, which the catalog alone does not hold."""
    return Fix(
        python="pass definitions=... (or file=... / module=...)",
        cli="give the project with -f FILE or -m MODULE",
        api="serve the project's definitions: tagbase serve -f FILE (or -m MODULE)",
    )


def recorded_job() -> Fix:
    """A job launched by name that the catalog has not recorded."""
    return Fix(
        python="record it first (Definitions(...) records its jobs), or pass definitions=...",
        cli="record it first (tagbase load -f FILE), or launch with -f FILE / -m MODULE",
        api="record it first (tagbase load -f FILE), or serve the project with "
        "tagbase serve -f FILE",
    )


def backfill_range() -> Fix:
    """A backfill that names no partitions."""
    return Fix(
        python="pass partition_keys=[...], or start= and end=",
        cli="give --partition KEY (repeated), or --from KEY and --to KEY",
        api="give partition keys, or a start and end key",
    )
