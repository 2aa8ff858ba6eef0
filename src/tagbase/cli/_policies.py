"""`tagbase tag policy` and `tagbase audit`: governed tags (allowed values, who may assign,
required kinds) and the list of attempts a policy refused. Setting, deleting and auditing
need an admin (the local user is one when no one is signed in)."""

from __future__ import annotations

import dataclasses

import click
from rich.table import Table

from tagbase._identity import AuditEntry, GovernancePolicy
from tagbase._records import from_millis
from tagbase.cli._app import State, pass_state
from tagbase.cli._options import json_option
from tagbase.cli._render import console, emit_json


@click.group("policy")
def policy() -> None:
    """Tag policies: which values a key allows and who may assign a key or one tag."""


@policy.command("set")
@click.argument("target", metavar="KEY[=VALUE]")
@click.option("--allowed-values", metavar="A,B", help="The only values the key allows.")
@click.option("--pattern", metavar="RE", help="A regular expression each value must match.")
@click.option(
    "--assignable-by",
    "assignable_by",
    multiple=True,
    metavar="WHO",
    help="A user (alice, service:ci), role:NAME (that role or higher) or team:NAME.",
)
@click.option("--required-on", "required_on", multiple=True, metavar="KIND")
@json_option
@pass_state
def set_policy(
    state: State,
    target: str,
    allowed_values: str | None,
    pattern: str | None,
    assignable_by: tuple[str, ...],
    required_on: tuple[str, ...],
    as_json: bool,
) -> None:
    """Set (replace) the policy of a tag key, or of one tag `key=value`."""
    values = None if allowed_values is None else [v.strip() for v in allowed_values.split(",")]
    stored = state.client.store.set_tag_policy(
        target,
        allowed_values=values,
        allowed_pattern=pattern,
        assignable_by=assignable_by,
        required_on=required_on,
    )
    _show([stored], as_json)


@policy.command("show")
@click.argument("target", metavar="KEY[=VALUE]")
@json_option
@pass_state
def show_policy(state: State, target: str, as_json: bool) -> None:
    """The policy of a key or tag."""
    found = state.client.store.get_tag_policy(target)
    if found is None:
        raise click.ClickException(
            f"no tag policy for {target!r}. Fix: list them with `tagbase tag policy list`"
        )
    _show([found], as_json)


@policy.command("list")
@json_option
@pass_state
def list_policies(state: State, as_json: bool) -> None:
    """Every tag policy."""
    _show(state.client.store.list_tag_policies(), as_json)


@policy.command("delete")
@click.argument("target", metavar="KEY[=VALUE]")
@pass_state
def delete_policy(state: State, target: str) -> None:
    """Remove a policy: the key or tag is no longer governed."""
    state.client.store.delete_tag_policy(target)
    click.echo(f"deleted the tag policy of {target}")


def _show(policies: list[GovernancePolicy], as_json: bool) -> None:
    if as_json:
        emit_json([dataclasses.asdict(p) for p in policies])
        return
    table = Table("target", "allowed", "assignable by", "required on", "set by")
    for p in policies:
        allowed = (
            ", ".join(p.allowed_values)
            if p.allowed_values is not None
            else (f"/{p.allowed_pattern}/" if p.allowed_pattern else "any")
        )
        table.add_row(
            p.target,
            allowed,
            ", ".join(p.assignable_by) or "anyone who may write",
            ", ".join(p.required_on) or "-",
            p.actor or "-",
        )
    console().print(table)


@click.group("audit")
def audit() -> None:
    """Attempts a tag policy refused."""


@audit.command("list")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@json_option
@pass_state
def list_audit(state: State, limit: int, as_json: bool) -> None:
    """The refused attempts, newest first."""
    entries: list[AuditEntry] = state.client.store.list_audit(limit)
    if as_json:
        emit_json([dataclasses.asdict(e) for e in entries])
        return
    table = Table("when", "actor", "action", "on", "rule", "message")
    for e in entries:
        table.add_row(
            from_millis(e.at_ms).isoformat(timespec="seconds"),
            e.actor or "-",
            e.action,
            e.target,
            e.rule,
            e.detail or "",
        )
    console().print(table)
