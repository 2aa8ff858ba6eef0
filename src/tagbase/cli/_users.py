"""`tagbase user` and `tagbase token`: the people and service accounts of a team server, and
their API tokens (only a digest of a token is stored; it is printed once). These work on the
local catalog, as the server's admin does before anyone can sign in."""

from __future__ import annotations

import time

import click

from tagbase._json import ApiTokenOut, CreatedTokenOut, UserOut
from tagbase.cli._app import State, pass_state
from tagbase.cli._options import json_option
from tagbase.cli._render import console, emit_json, print_tokens, print_users

ROLES = click.Choice(["viewer", "editor", "admin"])
_DAY_MS = 86_400_000


@click.group("user")
def user() -> None:
    """Users and service accounts: who may read, write or administer a tagbase server."""


@user.command("create")
@click.argument("name")
@click.option("--role", type=ROLES, default="viewer", show_default=True, help="What it may do.")
@click.option("--email", metavar="E", help="An address to reach the user.")
@click.option("--service", is_flag=True, help="A service account (CI, a worker): service:NAME.")
@click.option("--team", "teams", multiple=True, metavar="T", help="A team it belongs to.")
@json_option
@pass_state
def create_user(
    state: State,
    name: str,
    role: str,
    email: str | None,
    service: bool,
    teams: tuple[str, ...],
    as_json: bool,
) -> None:
    """Create user NAME.

    \b
    Example:
      tagbase user create alice --role admin --email alice@example.org
      tagbase user create ci --service --role editor
    """
    made = state.client.store.create_user(
        name, role=role, email=email, service=service, teams=teams
    )
    if as_json:
        emit_json(UserOut.of(made))
    else:
        print_users([made], "Created user")


@user.command("list")
@json_option
@pass_state
def list_users(state: State, as_json: bool) -> None:
    """List every user, by name."""
    users = state.client.store.list_users()
    if as_json:
        emit_json([UserOut.of(found) for found in users])
    else:
        print_users(users)


@user.command("update")
@click.argument("name")
@click.option("--role", type=ROLES, help="A new role.")
@click.option("--email", metavar="E", help='A new address ("" clears it).')
@click.option("--team", "teams", multiple=True, metavar="T", help="Its teams (replaces them).")
@click.option("--no-teams", is_flag=True, help="Take the user out of every team.")
@json_option
@pass_state
def update_user(
    state: State,
    name: str,
    role: str | None,
    email: str | None,
    teams: tuple[str, ...],
    no_teams: bool,
    as_json: bool,
) -> None:
    """Change user NAME; what is not given stays as it is."""
    if role is None and email is None and not teams and not no_teams:
        raise click.UsageError("nothing to change: give --role, --email, --team or --no-teams")
    new_teams = () if no_teams else (teams or None)
    changed = state.client.store.update_user(name, role=role, email=email, teams=new_teams)
    if as_json:
        emit_json(UserOut.of(changed))
    else:
        print_users([changed], "Updated user")


@user.command("delete")
@click.argument("name")
@pass_state
def delete_user(state: State, name: str) -> None:
    """Delete user NAME and its tokens (they stop working at once)."""
    state.client.store.delete_user(name)
    console().print(f"Deleted user {name!r} and its tokens.", markup=False)


@click.group("token")
def token() -> None:
    """API tokens: how a user or service account signs in to a tagbase server."""


@token.command("create")
@click.option("--user", "user_name", required=True, metavar="NAME", help="Whose token.")
@click.option("--expires", type=click.FloatRange(min=0, min_open=True), metavar="DAYS")
@click.option("--name", "label", metavar="LABEL", help="What it is for, e.g. laptop or ci.")
@json_option
@pass_state
def create_token(
    state: State, user_name: str, expires: float | None, label: str | None, as_json: bool
) -> None:
    """Make a token for a user and print it, this once: only its digest is kept.

    \b
    Example:
      tagbase token create --user ci --name github-actions --expires 90
    """
    expires_ms = None if expires is None else time.time_ns() // 1_000_000 + int(expires * _DAY_MS)
    secret, made = state.client.store.create_token(user_name, label=label, expires_ms=expires_ms)
    if as_json:
        emit_json(CreatedTokenOut(token=secret, listing=ApiTokenOut.of(made)))
        return
    click.echo(secret)
    click.echo(
        f"Token {made.id} for {made.user}: copy it now, it will not be shown again.", err=True
    )


@token.command("list")
@click.option("--user", "user_name", metavar="NAME", help="Only this user's tokens.")
@json_option
@pass_state
def list_tokens(state: State, user_name: str | None, as_json: bool) -> None:
    """List tokens (never the tokens themselves: their first characters), oldest first."""
    tokens = state.client.store.list_tokens(user_name)
    if as_json:
        emit_json([ApiTokenOut.of(found) for found in tokens])
    else:
        print_tokens(tokens)


@token.command("revoke")
@click.argument("token_id", type=int, metavar="ID")
@json_option
@pass_state
def revoke_token(state: State, token_id: int, as_json: bool) -> None:
    """Revoke token ID (see `tagbase token list`): it stops working at once."""
    revoked = state.client.store.revoke_token(token_id)
    if as_json:
        emit_json(ApiTokenOut.of(revoked))
    else:
        print_tokens([revoked], "Revoked token")
