"""Governed tags over REST: tag policies (read by anyone who may read; set and deleted by an
admin) and the audit list of refused attempts (an admin's)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tagbase._errors import NotFoundError
from tagbase._identity import AuditEntry, GovernancePolicy
from tagbase.server._api._deps import ClientDep
from tagbase.server._schemas import AuditEntryOut, TagPolicyIn, TagPolicyOut
from tagbase.server._security import require_admin

router = APIRouter(tags=["tag policies"])


def _out(policy: GovernancePolicy) -> TagPolicyOut:
    return TagPolicyOut.model_validate(dataclasses.asdict(policy))


@router.get("/tags/policies", response_model=list[TagPolicyOut])
def list_policies(client: ClientDep) -> list[TagPolicyOut]:
    """Every tag policy, by target."""
    return [_out(p) for p in client.store.list_tag_policies()]


@router.get("/tags/policies/{target:path}", response_model=TagPolicyOut)
def get_policy(target: str, client: ClientDep) -> TagPolicyOut:
    """The policy of a tag key or of one tag `key=value`."""
    found = client.store.get_tag_policy(target)
    if found is None:
        raise NotFoundError(f"no tag policy for {target!r}. Fix: GET /api/tags/policies lists them")
    return _out(found)


@router.put(
    "/tags/policies/{target:path}",
    response_model=TagPolicyOut,
    dependencies=[Depends(require_admin)],
)
def set_policy(target: str, body: TagPolicyIn, client: ClientDep) -> TagPolicyOut:
    """Set (replace) the policy of a key or tag."""
    return _out(
        client.store.set_tag_policy(
            target,
            allowed_values=body.allowed_values,
            allowed_pattern=body.allowed_pattern,
            assignable_by=body.assignable_by,
            required_on=body.required_on,
        )
    )


@router.delete(
    "/tags/policies/{target:path}", status_code=204, dependencies=[Depends(require_admin)]
)
def delete_policy(target: str, client: ClientDep) -> None:
    client.store.delete_tag_policy(target)


@router.get("/audit", response_model=list[AuditEntryOut], dependencies=[Depends(require_admin)])
def list_audit(
    client: ClientDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 100
) -> list[AuditEntryOut]:
    """Attempts a tag policy refused, newest first."""
    entries: list[AuditEntry] = client.store.list_audit(limit)
    return [AuditEntryOut.model_validate(dataclasses.asdict(e)) for e in entries]
