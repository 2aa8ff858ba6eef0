"""Who acts on a team server, and the rules a governed tag sets: plain records, no I/O.

A **user** (a person, or a service account such as a CI job or a worker, whose actor name is
`service:NAME`) has one role; roles are ordered, each including the ones below it:

- `viewer` reads;
- `editor` also writes the catalog and launches runs;
- `admin` also manages users, tokens, the tag registry and tag policies.

A user may belong to teams (`team:NAME` in a policy's `assignable_by`). Tokens belong to a
user; only a digest of a token is stored.

A **tag policy** governs a tag key (`stage`) or one tag (`stage=production`): which values the
key allows (a list, or a regular expression the whole value must match), who may assign,
remove or move it (user names, `role:NAME`, `team:NAME`; empty: anyone who may write), and
which kinds of entity must carry the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

SERVICE_PREFIX = "service:"


class Role(IntEnum):
    """What a user may do; a higher role includes the lower ones."""

    VIEWER = 1
    EDITOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    email: str | None = None
    service: bool = False
    teams: tuple[str, ...] = ()
    created_ms: int = 0

    @property
    def actor(self) -> str:
        """The name its changes are recorded under."""
        return f"{SERVICE_PREFIX}{self.name}" if self.service else self.name


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token as listed: never the token itself."""

    id: int
    user: str
    label: str | None
    prefix: str  # the first characters, so a person can tell their tokens apart
    created_ms: int
    expires_ms: int | None = None
    revoked_ms: int | None = None
    last_used_ms: int | None = None


@dataclass(frozen=True, slots=True)
class GovernancePolicy:
    target: str  # a tag key, or one tag as `key=value`
    allowed_values: tuple[str, ...] | None = None
    allowed_pattern: str | None = None
    assignable_by: tuple[str, ...] = ()
    required_on: tuple[str, ...] = ()  # kind names
    updated_ms: int = 0
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An attempt a policy or a permission refused."""

    id: int
    at_ms: int
    actor: str | None
    action: str  # assign, remove, move, ...
    target: str  # what it was tried on: an entity and a tag, a user, ...
    rule: str  # the rule that refused it
    detail: str | None = None
