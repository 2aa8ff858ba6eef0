"""Users, service accounts and tokens: who a token belongs to, and when it stops working."""

from __future__ import annotations

import pytest

from tagbase import (
    InvalidInputError,
    InvalidRoleError,
    InvalidUserNameError,
    UnknownTokenError,
    UnknownUserError,
    UserExistsError,
)
from tagbase._identity import Role
from tagbase.store import StoreContract

NOW = 1_800_000_000_000


def test_a_user_is_created_read_listed_and_updated(contract: StoreContract) -> None:
    alice = contract.create_user("alice", role="editor", email="a@x.org", teams=["ml", "ops"])
    assert (alice.name, alice.role, alice.email, alice.teams) == (
        "alice",
        Role.EDITOR,
        "a@x.org",
        ("ml", "ops"),
    )
    assert alice.actor == "alice"
    contract.create_user("ci", role=Role.EDITOR, service=True)
    assert contract.get_user("alice") == alice
    assert contract.get_user("nobody") is None
    assert [user.name for user in contract.list_users()] == ["alice", "ci"]
    assert contract.get_user("ci").actor == "service:ci"  # type: ignore[union-attr]
    changed = contract.update_user("alice", role="admin", teams=["ml-leads"])
    assert (changed.role, changed.email, changed.teams) == (Role.ADMIN, "a@x.org", ("ml-leads",))
    assert contract.update_user("alice", email="").email is None


@pytest.mark.parametrize(
    "name", ["", "has space", "tab\there", "x" * 256, "service:ci", "bell\x07"]
)
def test_a_bad_user_name_is_refused(contract: StoreContract, name: str) -> None:
    with pytest.raises(InvalidUserNameError):
        contract.create_user(name, role="viewer")
    assert contract.list_users() == []


def test_a_bad_role_or_a_taken_name_is_refused(contract: StoreContract) -> None:
    with pytest.raises(InvalidRoleError, match="viewer, editor, admin"):
        contract.create_user("bob", role="owner")
    contract.create_user("bob", role="viewer")
    with pytest.raises(UserExistsError, match="bob"):
        contract.create_user("bob", role="admin", service=True)
    with pytest.raises(InvalidRoleError):
        contract.update_user("bob", role="root")
    assert contract.get_user("bob").role == Role.VIEWER  # type: ignore[union-attr]


def test_an_unknown_user_is_named(contract: StoreContract) -> None:
    for call in (
        lambda: contract.update_user("ghost", role="admin"),
        lambda: contract.delete_user("ghost"),
        lambda: contract.create_token("ghost"),
        lambda: contract.list_tokens("ghost"),
    ):
        with pytest.raises(UnknownUserError, match="ghost"):
            call()


def test_a_token_authenticates_its_user_and_only_its_digest_is_kept(
    contract: StoreContract,
) -> None:
    contract.create_user("alice", role="editor")
    secret, token = contract.create_token("alice", label="laptop")
    assert secret.startswith("tb_")
    assert len(secret) > 40
    assert secret.startswith(token.prefix)
    assert len(token.prefix) < 16
    assert (token.user, token.label, token.revoked_ms) == ("alice", "laptop", None)
    user = contract.authenticate(secret, NOW)
    assert user is not None
    assert user.name == "alice"
    assert contract.authenticate(secret + "x", NOW) is None
    assert contract.authenticate("", NOW) is None
    assert contract.authenticate("not-a-token", NOW) is None
    listed = contract.list_tokens("alice")
    assert [t.id for t in listed] == [token.id]
    assert all(secret not in repr(t) for t in listed)
    assert listed[0].last_used_ms == NOW


def test_last_use_is_recorded_at_most_once_a_minute(contract: StoreContract) -> None:
    contract.create_user("alice", role="viewer")
    secret, _ = contract.create_token("alice")
    contract.authenticate(secret, NOW)
    contract.authenticate(secret, NOW + 30_000)
    assert contract.list_tokens()[0].last_used_ms == NOW
    contract.authenticate(secret, NOW + 61_000)
    assert contract.list_tokens()[0].last_used_ms == NOW + 61_000


def test_revoked_and_expired_tokens_stop_authenticating(contract: StoreContract) -> None:
    contract.create_user("alice", role="editor")
    revoked, token = contract.create_token("alice")
    expiring, _ = contract.create_token("alice", expires_ms=NOW + 1000)
    assert contract.authenticate(expiring, NOW) is not None
    assert contract.authenticate(expiring, NOW + 1000) is None
    first = contract.revoke_token(token.id)
    assert first.revoked_ms is not None
    assert contract.revoke_token(token.id).revoked_ms == first.revoked_ms
    assert contract.authenticate(revoked, NOW) is None
    with pytest.raises(UnknownTokenError, match="999999"):
        contract.revoke_token(999_999)
    with pytest.raises(InvalidInputError):
        contract.create_token("alice", expires_ms=-5)


def test_deleting_a_user_takes_its_tokens(contract: StoreContract) -> None:
    contract.create_user("alice", role="admin")
    contract.create_user("bob", role="viewer")
    secret, _ = contract.create_token("alice")
    contract.create_token("bob")
    contract.delete_user("alice")
    assert contract.get_user("alice") is None
    assert contract.authenticate(secret, NOW) is None
    assert [t.user for t in contract.list_tokens()] == ["bob"]
    contract.create_user("alice", role="viewer")  # the name is free again
    assert contract.list_tokens("alice") == []
