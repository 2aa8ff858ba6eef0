"""Governed tags: checking a tag write against the tag policies, in the store's one write path.

A policy's `assignable_by` lists user names (`alice`, `service:ci`), `role:NAME` (that role or
a higher one: `role:editor` admits editors and admins) and `team:NAME`. An empty list lets
anyone who may write. With no users at all, or outside an authenticated request (the local,
single-user mode), the local actor counts as an admin, as the server treats it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from tagbase._acting import acting_actor
from tagbase._errors import InvalidInputError, PolicyDeniedError, TagNotAllowedError
from tagbase._identity import SERVICE_PREFIX, AuditEntry, GovernancePolicy, Role, User
from tagbase._kinds import Kind
from tagbase._tags import Tag, tag_string
from tagbase.store._engine import writing
from tagbase.store._identity_tables import audit_entry, tag_policy, tagbase_user, team_member
from tagbase.store._sql import chunks, now_ms

log = logging.getLogger("tagbase.store")


@dataclass(frozen=True, slots=True)
class Who:
    """The actor a check is made for: its name, role and teams."""

    name: str | None
    role: Role
    teams: tuple[str, ...] = ()


def who(connection: sa.Connection, name: str | None) -> Who:
    """The acting actor as a policy sees it. Local mode (no authenticated request, or no
    users at all) is an admin."""
    if (
        acting_actor() is None
        or connection.execute(sa.select(tagbase_user.c.id).limit(1)).first() is None
    ):
        user = _user(connection, name) if name else None
        return Who(name, Role.ADMIN, user.teams if user else ())
    user = _user(connection, name) if name else None
    if user is None:
        return Who(name, Role.VIEWER)
    return Who(name, user.role, user.teams)


def _user(connection: sa.Connection, actor_name: str) -> User | None:
    service = actor_name.startswith(SERVICE_PREFIX)
    name = actor_name.removeprefix(SERVICE_PREFIX)
    row = connection.execute(
        sa.select(tagbase_user.c.id, tagbase_user.c.role).where(
            tagbase_user.c.name == name, tagbase_user.c.service == service
        )
    ).first()
    if row is None:
        return None
    teams = connection.execute(
        sa.select(team_member.c.team).where(team_member.c.user_id == row.id)
    ).scalars()
    return User(name, Role(row.role), service=service, teams=tuple(teams))


def may_assign(policy: GovernancePolicy, actor: Who) -> bool:
    if not policy.assignable_by:
        return True
    for rule in policy.assignable_by:
        if rule.startswith("role:"):
            if actor.role >= Role[rule.removeprefix("role:").upper()]:
                return True
        elif rule.startswith("team:"):
            if rule.removeprefix("team:") in actor.teams:
                return True
        elif rule == actor.name:
            return True
    return False


def policies(connection: sa.Connection, tags: Iterable[Tag]) -> dict[str, GovernancePolicy]:
    """The policies of these tags' keys and of the tags themselves, by target: one query a
    chunk of targets (one for most writes)."""
    targets = sorted({t.key for t in tags} | {tag_string(t.key, t.value) for t in tags})
    found: dict[str, GovernancePolicy] = {}
    for part in chunks(targets):
        rows = connection.execute(sa.select(tag_policy).where(tag_policy.c.target.in_(part)))
        found.update((policy.target, policy) for policy in map(from_row, rows))
    return found


def check(
    connection: sa.Connection,
    tags: Sequence[Tag],
    actor_name: str | None,
    *,
    action: str,
    where: str,
) -> None:
    """Raise if a policy forbids the actor to put (or take off) these tags; `where` names the
    entities for the message. Without a policy on these keys, one query."""
    found = policies(connection, tags)
    if not found:
        return
    actor = who(connection, actor_name)
    for t in tags:
        text = tag_string(t.key, t.value)
        key_policy = found.get(t.key)
        if key_policy is not None and action == "assign":
            _check_value(key_policy, t, text)
        for policy in (key_policy, found.get(f"{t.key}={t.value}")):
            if policy is not None and not may_assign(policy, actor):
                raise PolicyDeniedError(
                    f"{actor.name or 'an anonymous actor'} may not {action} tag {text!r} on "
                    f"{where}: the policy of {policy.target!r} lets only "
                    f"{', '.join(policy.assignable_by)} assign it. Fix: ask one of them, or "
                    "an admin to change the policy (`tagbase tag policy set`)"
                )


def _check_value(policy: GovernancePolicy, t: Tag, text: str) -> None:
    if policy.allowed_values is not None and t.value not in policy.allowed_values:
        raise TagNotAllowedError(
            f"tag {text!r}: {t.key!r} allows only the values "
            f"{', '.join(policy.allowed_values)}. Fix: use one of them"
        )
    if policy.allowed_pattern is not None and not re.fullmatch(policy.allowed_pattern, t.value):
        raise TagNotAllowedError(
            f"tag {text!r}: the values of {t.key!r} must match the pattern "
            f"{policy.allowed_pattern!r}. Fix: use a value that matches it"
        )


def from_row(row: sa.Row[object]) -> GovernancePolicy:
    m = row._mapping
    values = m["allowed_values"]
    return GovernancePolicy(
        target=m["target"],
        allowed_values=None if values is None else tuple(json.loads(values)),
        allowed_pattern=m["allowed_pattern"],
        assignable_by=tuple(json.loads(m["assignable_by"])),
        required_on=tuple(json.loads(m["required_on"])),
        updated_ms=m["updated_ms"],
        actor=m["actor"],
    )


def validated(
    target: str,
    allowed_values: Sequence[str] | None,
    allowed_pattern: str | None,
    assignable_by: Sequence[str],
    required_on: Sequence[str],
) -> GovernancePolicy:
    """A policy whose every part is checked: else InvalidInputError naming the part."""
    if not target or any(c.isspace() for c in target):
        raise InvalidInputError(
            f"policy target {target!r} is not a tag key or `key=value`. Fix: give e.g. `stage`"
        )
    if allowed_values is not None and allowed_pattern is not None:
        raise InvalidInputError(
            f"policy of {target!r}: give allowed values or a pattern, not both. Fix: drop one"
        )
    if allowed_pattern is not None:
        try:
            re.compile(allowed_pattern)
        except re.error as error:
            raise InvalidInputError(
                f"policy of {target!r}: pattern {allowed_pattern!r} is not a regular "
                f"expression ({error}). Fix: correct the pattern"
            ) from None
    for rule in assignable_by:
        if rule.startswith("role:") and rule.removeprefix("role:").upper() not in Role.__members__:
            raise InvalidInputError(
                f"policy of {target!r}: {rule!r} names no role. Fix: use role:viewer, "
                "role:editor or role:admin"
            )
        if not rule or rule in ("role:", "team:") or any(c.isspace() for c in rule):
            raise InvalidInputError(
                f"policy of {target!r}: {rule!r} is not a user, role:NAME or team:NAME. "
                "Fix: give e.g. alice, role:admin or team:ml-leads"
            )
    if required_on and "=" in target:
        raise InvalidInputError(
            f"policy of {target!r}: required_on needs a tag key, not one tag. "
            f"Fix: set it on {target.split('=')[0]!r}"
        )
    kinds = tuple(Kind.parse(kind).value for kind in required_on)
    return GovernancePolicy(
        target,
        None if allowed_values is None else tuple(allowed_values),
        allowed_pattern,
        tuple(assignable_by),
        kinds,
    )


_DENIALS = "tagbase_denials"


def note_denial(
    connection: sa.Connection, error: Exception, actor: str | None, action: str, where: str
) -> None:
    """Keep a refused attempt with the write's connection until its transaction has ended
    (a transaction the server holds may end in another thread): it is written then, apart,
    so that the refused write's rollback does not undo it and no lock is waited for twice."""
    rule = "allowed_values" if isinstance(error, TagNotAllowedError) else "assignable_by"
    entry = AuditEntry(0, now_ms(), actor, action, where, rule, str(error))
    connection.info.setdefault(_DENIALS, []).append(entry)


def take_denials(connection: sa.Connection) -> list[AuditEntry]:
    """The refused attempts noted on `connection` (forgotten there)."""
    entries: list[AuditEntry] = connection.info.pop(_DENIALS, [])
    return entries


def write_denials(engine: sa.Engine, entries: Sequence[AuditEntry]) -> None:
    """Write refused attempts once their transaction has ended; best effort: the audit list
    never turns a refusal into another error."""
    if not entries:
        return
    rows = [
        {
            "at_ms": e.at_ms,
            "actor": e.actor,
            "action": e.action,
            "target": e.target,
            "rule": e.rule,
            "detail": e.detail,
        }
        for e in entries
    ]
    try:
        with writing(engine) as connection:
            connection.execute(sa.insert(audit_entry), rows)
    except sa.exc.SQLAlchemyError:
        log.warning("could not keep %d refused attempts in the audit list", len(rows))
