"""The store API's method table covers the contract exactly, so a new contract method cannot
reach clients over HTTP without a role to check."""

from __future__ import annotations

from tagbase.store._remote._methods import LOCAL, NEEDS, Need, contract_members


def test_every_contract_member_is_served_or_kept_local() -> None:
    assert set(NEEDS) | LOCAL == contract_members()
    assert not set(NEEDS) & LOCAL


def test_managing_people_and_the_registry_needs_an_admin() -> None:
    for method in ("create_user", "create_token", "revoke_token", "register_tag", "delete_tag"):
        assert NEEDS[method] is Need.ADMIN
    assert NEEDS["authenticate"] is Need.ADMIN  # a token's owner is the server's business
    assert NEEDS["list"] is Need.READ
    assert NEEDS["claim"] is Need.WRITE
