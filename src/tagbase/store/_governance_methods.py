"""The part of the store that keeps tag policies and lists the refused attempts."""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence

import sqlalchemy as sa

from tagbase._acting import acting_actor
from tagbase._changes import ChangeType
from tagbase._errors import NotFoundError, PermissionDeniedError
from tagbase._identity import AuditEntry, GovernancePolicy, Role
from tagbase.store import _governance as governance
from tagbase.store import _outbox
from tagbase.store._base import StoreBase
from tagbase.store._identity_tables import audit_entry, tag_policy
from tagbase.store._sql import now_ms


class GovernanceMethods(StoreBase):
    def set_tag_policy(
        self,
        target: str,
        *,
        allowed_values: Sequence[str] | None = None,
        allowed_pattern: str | None = None,
        assignable_by: Sequence[str] = (),
        required_on: Sequence[str] = (),
    ) -> GovernancePolicy:
        policy = governance.validated(
            target, allowed_values, allowed_pattern, assignable_by, required_on
        )
        with self._writing() as connection:
            name = self._require_admin(connection, f"set the policy of {target!r}")
            values = {
                "allowed_values": None
                if policy.allowed_values is None
                else json.dumps(list(policy.allowed_values)),
                "allowed_pattern": policy.allowed_pattern,
                "assignable_by": json.dumps(list(policy.assignable_by)),
                "required_on": json.dumps(list(policy.required_on)),
                "updated_ms": now_ms(),
                "actor": name,
            }
            done = connection.execute(
                sa.update(tag_policy).where(tag_policy.c.target == target).values(**values)
            )
            if not done.rowcount:
                connection.execute(sa.insert(tag_policy).values(target=target, **values))
            row = connection.execute(
                sa.select(tag_policy).where(tag_policy.c.target == target)
            ).one()
            self._note_policy(connection, target, "set")
            return governance.from_row(row)

    def get_tag_policy(self, target: str) -> GovernancePolicy | None:
        with self._reading() as connection:
            row = connection.execute(
                sa.select(tag_policy).where(tag_policy.c.target == target)
            ).first()
            return None if row is None else governance.from_row(row)

    def list_tag_policies(self) -> builtins.list[GovernancePolicy]:
        with self._reading() as connection:
            rows = connection.execute(sa.select(tag_policy).order_by(tag_policy.c.target))
            return [governance.from_row(row) for row in rows]

    def delete_tag_policy(self, target: str) -> None:
        with self._writing() as connection:
            self._require_admin(connection, f"delete the policy of {target!r}")
            done = connection.execute(sa.delete(tag_policy).where(tag_policy.c.target == target))
            if not done.rowcount:
                raise NotFoundError(
                    f"no tag policy for {target!r}. Fix: list them with `tagbase tag policy list`"
                )
            self._note_policy(connection, target, "deleted")

    def _note_policy(self, connection: sa.Connection, target: str, action: str) -> None:
        change = self._change(connection, "api", None)
        payload = _outbox.payload({"target": target, "action": action})
        changed = ChangeType.POLICY_CHANGED
        _outbox.note(
            connection, _outbox.row(changed, change.now, change.actor_id, None, payload=payload)
        )

    def list_audit(self, limit: int = 100) -> builtins.list[AuditEntry]:
        with self._reading() as connection:
            self._require_admin(connection, "read the audit list")
            rows = connection.execute(
                sa.select(audit_entry)
                .order_by(audit_entry.c.id.desc())
                .limit(max(1, min(int(limit), 10_000)))
            )
            return [AuditEntry(*row) for row in rows]

    def _require_admin(self, connection: sa.Connection, what: str) -> str | None:
        name = acting_actor() or self.actor
        actor = governance.who(connection, name)
        if actor.role < Role.ADMIN:
            raise PermissionDeniedError(
                f"{name or 'an anonymous actor'} may not {what}: only an admin may. "
                "Fix: ask an admin, or use an admin's token"
            )
        return name
