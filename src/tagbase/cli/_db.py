"""`tagbase db`: the catalog's schema version, and upgrading it.

These commands open the database without a Client, because a Client refuses an old schema.
"""

from __future__ import annotations

import click

from tagbase.cli._app import State, pass_state
from tagbase.cli._options import json_option
from tagbase.cli._render import emit_json, shown_url
from tagbase.store import database_revision, head_revision, upgrade_database


@click.group("db")
def db() -> None:
    """The catalog database: schema status and upgrades."""


@db.command("status")
@json_option
@pass_state
def status(state: State, as_json: bool) -> None:
    """Show the database's schema revision and the one this tagbase needs."""
    url = state.config().database_url
    current = database_revision(url)  # refuses another program's or a newer one
    head = head_revision()
    if as_json:
        emit_json(
            {
                "database": shown_url(url),
                "current": current,
                "head": head,
                "up_to_date": current == head,
            }
        )
        return
    click.echo(f"database: {shown_url(url)}")
    click.echo(f"current:  {current or 'none (no tagbase schema yet)'}")
    click.echo(f"head:     {head}")
    click.echo("up to date" if current == head else "needs an upgrade: run `tagbase db upgrade`")


@db.command("upgrade")
@json_option
@pass_state
def upgrade_command(state: State, as_json: bool) -> None:
    """Bring the database's schema to the newest revision. Back the database up first."""
    url = state.config().database_url
    before, after = upgrade_database(url)
    if as_json:
        emit_json({"database": shown_url(url), "from": before, "to": after})
    elif before == after:
        click.echo(f"{shown_url(url)} is already at revision {after}.")
    else:
        click.echo(f"Upgraded {shown_url(url)} from revision {before or 'none'} to {after}.")
