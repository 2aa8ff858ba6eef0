"""`tagbase user` and `tagbase token` on the local catalog (SQLite and PostgreSQL)."""

from __future__ import annotations

import time

from tagbase import Client
from tests.cli.test_cli import error_lines, fails, ok, ok_json


def test_users_are_created_listed_updated_and_deleted(client: Client) -> None:
    made = ok_json(
        "user", "create", "alice", "--role", "editor", "--email", "a@x.org", "--team", "ml"
    )
    assert (made["name"], made["role"], made["teams"]) == ("alice", "editor", ["ml"])
    ci = ok_json("user", "create", "ci", "--service", "--role", "editor")
    assert ci["actor"] == "service:ci"
    listed = ok("user", "list").stdout
    assert "alice" in listed
    assert "service:ci" in listed
    changed = ok_json("user", "update", "alice", "--role", "admin")
    assert (changed["role"], changed["teams"]) == ("admin", ["ml"])
    ok("user", "delete", "ci")
    assert [found["name"] for found in ok_json("user", "list")] == ["alice"]


def test_bad_user_input_is_a_clear_error(client: Client) -> None:
    ok("user", "create", "alice")
    assert "already exists" in error_lines(fails("user", "create", "alice"))[0]
    assert "whitespace" in error_lines(fails("user", "create", "a b"))[0]
    assert "service:" in error_lines(fails("user", "create", "service:ci"))[0]
    assert "no user is named 'bob'" in error_lines(fails("user", "delete", "bob"))[0]
    fails("user", "create", "x", "--role", "owner", exit_code=2)
    fails("user", "update", "alice", exit_code=2)


def test_a_token_is_printed_once_and_only_listed_by_its_start(client: Client) -> None:
    ok("user", "create", "alice", "--role", "editor")
    created = ok("token", "create", "--user", "alice", "--name", "laptop", "--expires", "30")
    secret = created.stdout.strip()
    assert secret.startswith("tb_")
    assert "will not be shown again" in created.stderr
    user = client.store.authenticate(secret, time.time_ns() // 1_000_000)
    assert user is not None
    assert user.name == "alice"
    listed = ok_json("token", "list", "--user", "alice")
    assert [(found["label"], found["user"]) for found in listed] == [("laptop", "alice")]
    assert listed[0]["expires_at"] is not None
    assert secret not in ok("token", "list").stdout
    revoked = ok_json("token", "revoke", str(listed[0]["id"]))
    assert revoked["revoked_at"] is not None
    assert client.store.authenticate(secret, time.time_ns() // 1_000_000) is None
    assert "no API token has id 999" in error_lines(fails("token", "revoke", "999"))[0]
    assert "no user is named 'bob'" in error_lines(fails("token", "create", "--user", "bob"))[0]
