"""The store contract's part for a team server: users, service accounts and API tokens (kept
apart from `_contract` for its length; `StoreContract` includes it)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Protocol

from tagbase._identity import ApiToken, AuditEntry, GovernancePolicy, Role, User


class Identities(Protocol):
    """Users (people and service accounts), their teams and their API tokens.

    A user name is a non-empty printable string of at most 255 characters without whitespace,
    not starting with `service:` (a service account's actor is `service:NAME`; its name is
    NAME): else InvalidUserNameError. Team names follow the same rule. A role is a `Role` or
    its label (`viewer`, `editor`, `admin`): else InvalidRoleError. A name no user has is an
    UnknownUserError. These writes record no actor: they are not catalog history."""

    def create_user(
        self,
        name: str,
        *,
        role: Role | str,
        email: str | None = None,
        service: bool = False,
        teams: Sequence[str] = (),
    ) -> User:
        """Add a user; UserExistsError if the name is taken (by a person or a service)."""
        ...

    def get_user(self, name: str) -> User | None:
        """The user of this name, or None."""
        ...

    def list_users(self) -> builtins.list[User]:
        """Every user, by name."""
        ...

    def update_user(
        self,
        name: str,
        *,
        role: Role | str | None = None,
        email: str | None = None,
        teams: Sequence[str] | None = None,
    ) -> User:
        """Change what is given (None: unchanged; `email=""` clears it; `teams` replaces the
        user's teams); the user as it now is."""
        ...

    def delete_user(self, name: str) -> None:
        """Remove the user with its teams and tokens (its tokens stop authenticating)."""
        ...

    def create_token(
        self, user: str, *, label: str | None = None, expires_ms: int | None = None
    ) -> tuple[str, ApiToken]:
        """A new token for `user`: the secret (`tb_...`), returned this once and never stored
        (only its SHA-256 digest and its first characters are), and its listing. It stops
        authenticating at `expires_ms`, if given."""
        ...

    def list_tokens(self, user: str | None = None) -> builtins.list[ApiToken]:
        """Tokens (never their secrets), oldest first: of `user`, or of everyone."""
        ...

    def revoke_token(self, token_id: int) -> ApiToken:
        """Stop the token authenticating from now on (revoking twice keeps the first time);
        UnknownTokenError if no token has this id."""
        ...

    def authenticate(self, secret: str, now_ms: int) -> User | None:
        """The user a token secret belongs to, or None if it is unknown, revoked or expired
        at `now_ms`. Found by digest, never compared character by character. Records the
        token's `last_used_ms`, at most once a minute, so that reads seldom write."""
        ...


class Governance(Protocol):
    """Governed tags: a policy per tag key (`stage`) or per tag (`stage=production`) says which
    values the key allows (`allowed_values`, or `allowed_pattern` that the whole value must
    match: else TagNotAllowedError), who may assign, remove or move it (`assignable_by`: user
    names, `role:NAME` for that role or higher, `team:NAME`; empty: anyone who may write: else
    PolicyDeniedError, and the attempt is kept in the audit list) and which kinds must carry
    the key (`required_on`, checked when definitions are loaded). Only an admin sets, deletes
    or audits (PermissionDeniedError); outside an authenticated request, or with no users,
    the local actor is an admin."""

    def set_tag_policy(
        self,
        target: str,
        *,
        allowed_values: Sequence[str] | None = None,
        allowed_pattern: str | None = None,
        assignable_by: Sequence[str] = (),
        required_on: Sequence[str] = (),
    ) -> GovernancePolicy:
        """Set (replace) the policy of a key or `key=value`; the policy as stored."""
        ...

    def get_tag_policy(self, target: str) -> GovernancePolicy | None:
        """The policy of this key or tag, or None."""
        ...

    def list_tag_policies(self) -> builtins.list[GovernancePolicy]:
        """Every policy, by target."""
        ...

    def delete_tag_policy(self, target: str) -> None:
        """Remove a policy; NotFoundError if there is none."""
        ...

    def list_audit(self, limit: int = 100) -> builtins.list[AuditEntry]:
        """The refused attempts, newest first."""
        ...
