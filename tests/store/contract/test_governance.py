"""Governed tags: allowed values, who may assign, the audit list of refused attempts."""

from __future__ import annotations

import pytest

from tagbase import Client
from tagbase._errors import (
    InvalidInputError,
    NotFoundError,
    PolicyDeniedError,
    TagNotAllowedError,
)
from tagbase._identity import GovernancePolicy
from tagbase._tag_settings import TagSettings
from tagbase._tags import Tag
from tagbase.query import Everything
from tagbase.store import StoreContract


def _tags(store: StoreContract, name: str) -> set[str]:
    entity = store.get("asset", name)
    assert entity is not None
    return {t.name for t in entity.tags.assigned}


def test_a_policy_is_set_read_listed_and_deleted(contract: StoreContract) -> None:
    policy = contract.set_tag_policy(
        "stage", allowed_values=["dev", "production"], assignable_by=["role:editor"]
    )
    assert (policy.target, policy.allowed_values, policy.assignable_by) == (
        "stage",
        ("dev", "production"),
        ("role:editor",),
    )
    assert contract.get_tag_policy("stage") == policy
    assert [p.target for p in contract.list_tag_policies()] == ["stage"]
    contract.delete_tag_policy("stage")
    assert contract.get_tag_policy("stage") is None
    with pytest.raises(NotFoundError):
        contract.delete_tag_policy("stage")


def test_bad_policies_are_refused(contract: StoreContract) -> None:
    with pytest.raises(InvalidInputError, match="not both"):
        contract.set_tag_policy("stage", allowed_values=["a"], allowed_pattern="a+")
    with pytest.raises(InvalidInputError, match="names no role"):
        contract.set_tag_policy("stage", assignable_by=["role:boss"])
    with pytest.raises(InvalidInputError, match="regular"):
        contract.set_tag_policy("stage", allowed_pattern="(")


def test_a_value_outside_the_allowed_list_or_pattern_is_refused(contract: StoreContract) -> None:
    contract.set_tag_policy("stage", allowed_values=["dev", "production"])
    contract.set_tag_policy("ticket", allowed_pattern=r"T-\d+")
    Client(contract).create("asset", "data", tags=["stage=dev", "ticket=T-12"])
    with pytest.raises(TagNotAllowedError, match="dev, production"):
        contract.add_tags("asset", "data", tags=["stage=qa"])
    with pytest.raises(TagNotAllowedError, match=r"T-\\\\d\+"):
        contract.add_tags("asset", "data", tags=["ticket=T-12x"])
    with pytest.raises(TagNotAllowedError):
        Client(contract).create("asset", "other", tags=["stage=qa"])
    with pytest.raises(NotFoundError):
        contract.get("asset", "other")
    assert _tags(contract, "data") == {"stage=dev", "ticket=T-12"}


def test_assignable_by_a_user_name(contract: StoreContract) -> None:
    contract.set_tag_policy("approved", assignable_by=["alice"])
    Client(contract).create("asset", "data")
    with pytest.raises(PolicyDeniedError, match="alice") as refused:
        contract.add_tags("asset", "data", tags=["approved"], actor="bob")
    assert "approved" in str(refused.value)
    assert _tags(contract, "data") == set()
    contract.add_tags("asset", "data", tags=["approved"], actor="alice")
    assert _tags(contract, "data") == {"approved"}
    with pytest.raises(PolicyDeniedError):
        contract.remove_tags("asset", "data", tags=["approved"], actor="bob")
    assert _tags(contract, "data") == {"approved"}


def test_only_team_ml_leads_moves_production_and_denials_are_audited(
    contract: StoreContract,
) -> None:
    contract.create_user("lead", role="editor", teams=["ml-leads"])
    contract.create_user("bob", role="editor", teams=["ml"])
    contract.register_tag("production", TagSettings(exclusive=True))
    contract.set_tag_policy("production", assignable_by=["team:ml-leads"])
    Client(contract).create("asset", "one")
    Client(contract).create("asset", "two")
    contract.add_tags("asset", "one", tags=["production"], actor="lead")
    with pytest.raises(PolicyDeniedError, match="team:ml-leads"):
        contract.add_tags("asset", "two", tags=["production"], actor="bob")
    assert _tags(contract, "one") == {"production"}
    assert _tags(contract, "two") == set()
    with pytest.raises(PolicyDeniedError):
        contract.retag("asset", Everything(), add=["production"], actor="bob")
    assert _tags(contract, "one") == {"production"}
    contract.add_tags("asset", "two", tags=[Tag("production")], actor="lead")
    assert (_tags(contract, "one"), _tags(contract, "two")) == (set(), {"production"})
    audit = contract.list_audit()
    assert [(a.actor, a.action, a.rule) for a in audit] == [
        ("bob", "assign", "assignable_by"),
        ("bob", "assign", "assignable_by"),
    ]
    assert "production" in (audit[0].detail or "")


def test_a_denial_inside_a_transaction_rolls_back_and_is_still_audited(
    contract: StoreContract,
) -> None:
    contract.set_tag_policy("approved", assignable_by=["alice"])

    def create_and_tag() -> None:
        with contract.atomic():
            Client(contract).create("asset", "data")
            contract.add_tags("asset", "data", tags=["approved"], actor="bob")

    with pytest.raises(PolicyDeniedError):
        create_and_tag()
    with pytest.raises(NotFoundError):
        contract.get("asset", "data")
    assert [a.actor for a in contract.list_audit()] == ["bob"]


def test_policy_records_cross(contract: StoreContract) -> None:
    assert isinstance(contract.set_tag_policy("k"), GovernancePolicy)
