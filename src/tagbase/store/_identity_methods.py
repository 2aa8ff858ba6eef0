"""Users, service accounts and API tokens: who may use a team server, and as whom.

A token is made here and returned once; only its SHA-256 digest (for lookup) and its first
characters (so a person can tell tokens apart) are stored. `authenticate` finds a token by
digest, so a secret is never compared character by character.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa

from tagbase._errors import (
    InvalidInputError,
    InvalidRoleError,
    InvalidUserNameError,
    UnknownTokenError,
    UnknownUserError,
    UserExistsError,
)
from tagbase._identity import SERVICE_PREFIX, ApiToken, Role, User
from tagbase.store._base import StoreBase
from tagbase.store._engine import write_unless_busy
from tagbase.store._identity_tables import api_token, tagbase_user, team_member
from tagbase.store._sql import now_ms as clock_ms

TOKEN_PREFIX = "tb_"
_PREFIX_SHOWN = 10  # `tb_` and seven characters of the secret
_LAST_USED_EVERY_MS = 60_000  # a token's use is recorded at most once a minute
_MAX_NAME = 255


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_role(role: Role | str) -> Role:
    """A `Role` from itself or its label (`viewer`, `editor`, `admin`)."""
    if isinstance(role, Role):
        return role
    try:
        return Role[str(role).upper()]
    except KeyError:
        labels = ", ".join(r.label for r in Role)
        raise InvalidRoleError(f"role {role!r} is not one of {labels}; give one of them") from None


def check_user_name(name: str, what: str = "user name") -> str:
    if not isinstance(name, str) or not name:
        raise InvalidUserNameError(f"{what} {name!r} is empty; give a name such as 'alice'")
    if len(name) > _MAX_NAME:
        raise InvalidUserNameError(
            f"{what} {name[:40]!r}... is {len(name)} characters; give at most {_MAX_NAME}"
        )
    if not name.isprintable() or any(c.isspace() for c in name):
        raise InvalidUserNameError(
            f"{what} {name!r} holds whitespace or unprintable characters; give a name "
            "without them, such as 'alice' or 'ci-bot'"
        )
    if name.startswith(SERVICE_PREFIX):
        raise InvalidUserNameError(
            f"{what} {name!r} starts with the reserved prefix {SERVICE_PREFIX!r}; give the "
            f"name alone ({name[len(SERVICE_PREFIX) :]!r}) and mark it a service account"
        )
    return name


def _check_teams(teams: Sequence[str]) -> tuple[str, ...]:
    if isinstance(teams, str):
        teams = [teams]
    return tuple(sorted({check_user_name(team, "team name") for team in teams}))


def _check_email(email: str | None) -> str | None:
    if email is None:
        return None
    if not isinstance(email, str) or "@" not in email or len(email) > 320 or " " in email:
        raise InvalidInputError(f"email {email!r} is not an address; give one such as a@b.org")
    return email


class IdentityMethods(StoreBase):
    def create_user(
        self,
        name: str,
        *,
        role: Role | str,
        email: str | None = None,
        service: bool = False,
        teams: Sequence[str] = (),
    ) -> User:
        check_user_name(name)
        parsed = parse_role(role)
        email = _check_email(email)
        team_names = _check_teams(teams)
        with self._writing() as connection:
            if _user_id(connection, name) is not None:
                raise UserExistsError(
                    f"user {name!r} already exists; give another name, or change it with "
                    "update_user / `tagbase user update`"
                )
            user_id = connection.execute(
                sa.insert(tagbase_user)
                .values(
                    name=name,
                    email=email,
                    role=int(parsed),
                    service=bool(service),
                    created_ms=clock_ms(),
                )
                .returning(tagbase_user.c.id)
            ).scalar_one()
            _set_teams(connection, user_id, team_names)
            return _load_user(connection, name)

    def get_user(self, name: str) -> User | None:
        with self._reading() as connection:
            if _user_id(connection, name) is None:
                return None
            return _load_user(connection, name)

    def list_users(self) -> builtins.list[User]:
        with self._reading() as connection:
            return _load_users(connection, None)

    def update_user(
        self,
        name: str,
        *,
        role: Role | str | None = None,
        email: str | None = None,
        teams: Sequence[str] | None = None,
    ) -> User:
        values: dict[str, object] = {}
        if role is not None:
            values["role"] = int(parse_role(role))
        if email is not None:
            values["email"] = _check_email(email) if email else None
        team_names = None if teams is None else _check_teams(teams)
        with self._writing() as connection:
            user_id = _require_user(connection, name)
            if values:
                connection.execute(
                    sa.update(tagbase_user).where(tagbase_user.c.id == user_id).values(**values)
                )
            if team_names is not None:
                _set_teams(connection, user_id, team_names)
            return _load_user(connection, name)

    def delete_user(self, name: str) -> None:
        with self._writing() as connection:
            user_id = _require_user(connection, name)
            # Deleted explicitly: SQLite enforces ON DELETE CASCADE only with foreign keys on.
            connection.execute(sa.delete(api_token).where(api_token.c.user_id == user_id))
            connection.execute(sa.delete(team_member).where(team_member.c.user_id == user_id))
            connection.execute(sa.delete(tagbase_user).where(tagbase_user.c.id == user_id))

    def create_token(
        self, user: str, *, label: str | None = None, expires_ms: int | None = None
    ) -> tuple[str, ApiToken]:
        if label is not None and (not isinstance(label, str) or len(label) > 255):
            raise InvalidInputError(f"token label {label!r} is not text of at most 255 chars")
        if expires_ms is not None and (isinstance(expires_ms, bool) or expires_ms <= 0):
            raise InvalidInputError(
                f"expires_ms {expires_ms!r} is not a time; give milliseconds since the epoch"
            )
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._writing() as connection:
            user_id = _require_user(connection, user)
            token_id = connection.execute(
                sa.insert(api_token)
                .values(
                    user_id=user_id,
                    label=label,
                    digest=token_digest(secret),
                    prefix=secret[:_PREFIX_SHOWN],
                    created_ms=clock_ms(),
                    expires_ms=expires_ms,
                )
                .returning(api_token.c.id)
            ).scalar_one()
            return secret, _load_tokens(connection, api_token.c.id == token_id)[0]

    def list_tokens(self, user: str | None = None) -> builtins.list[ApiToken]:
        with self._reading() as connection:
            if user is None:
                return _load_tokens(connection, sa.true())
            return _load_tokens(connection, api_token.c.user_id == _require_user(connection, user))

    def revoke_token(self, token_id: int) -> ApiToken:
        with self._writing() as connection:
            found = connection.execute(
                sa.select(api_token.c.revoked_ms).where(api_token.c.id == token_id)
            ).first()
            if found is None:
                raise UnknownTokenError(
                    f"no API token has id {token_id!r}; list them with `tagbase token list`"
                )
            if found.revoked_ms is None:
                connection.execute(
                    sa.update(api_token)
                    .where(api_token.c.id == token_id)
                    .values(revoked_ms=clock_ms())
                )
            return _load_tokens(connection, api_token.c.id == token_id)[0]

    def authenticate(self, secret: str, now_ms: int) -> User | None:
        if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX):
            return None
        digest = token_digest(secret)
        with self._reading() as connection:
            row = connection.execute(
                sa.select(api_token, tagbase_user.c.name)
                .join(tagbase_user, tagbase_user.c.id == api_token.c.user_id)
                .where(api_token.c.digest == digest)
            ).first()
            if row is None or row.revoked_ms is not None:
                return None
            if row.expires_ms is not None and row.expires_ms <= now_ms:
                return None
            user = _load_user(connection, row.name)
        if row.last_used_ms is None or now_ms - row.last_used_ms >= _LAST_USED_EVERY_MS:
            used = sa.update(api_token).where(api_token.c.id == row.id).values(last_used_ms=now_ms)
            write_unless_busy(self.engine, used)  # a busy database: recorded on a later use
        return user


def _user_id(connection: sa.Connection, name: str) -> int | None:
    found = connection.execute(
        sa.select(tagbase_user.c.id).where(tagbase_user.c.name == name)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def _require_user(connection: sa.Connection, name: str) -> int:
    user_id = _user_id(connection, name)
    if user_id is None:
        raise UnknownUserError(
            f"no user is named {name!r}; list them with `tagbase user list`, or create it "
            "with `tagbase user create`"
        )
    return user_id


def _set_teams(connection: sa.Connection, user_id: int, teams: tuple[str, ...]) -> None:
    connection.execute(sa.delete(team_member).where(team_member.c.user_id == user_id))
    if teams:
        connection.execute(
            sa.insert(team_member), [{"team": team, "user_id": user_id} for team in teams]
        )


def _load_user(connection: sa.Connection, name: str) -> User:
    return _load_users(connection, name)[0]


def _load_users(connection: sa.Connection, name: str | None) -> builtins.list[User]:
    query = sa.select(tagbase_user).order_by(tagbase_user.c.name)
    members = sa.select(team_member.c.user_id, team_member.c.team).order_by(team_member.c.team)
    if name is not None:
        query = query.where(tagbase_user.c.name == name)
        members = members.join(tagbase_user, tagbase_user.c.id == team_member.c.user_id).where(
            tagbase_user.c.name == name
        )
    teams: dict[int, builtins.list[str]] = {}
    for user_id, team in connection.execute(members):
        teams.setdefault(user_id, []).append(team)
    return [
        User(
            name=row.name,
            role=Role(row.role),
            email=row.email,
            service=bool(row.service),
            teams=tuple(teams.get(row.id, ())),
            created_ms=row.created_ms,
        )
        for row in connection.execute(query)
    ]


def _load_tokens(
    connection: sa.Connection, where: sa.ColumnElement[bool]
) -> builtins.list[ApiToken]:
    query = (
        sa.select(api_token, tagbase_user.c.name)
        .join(tagbase_user, tagbase_user.c.id == api_token.c.user_id)
        .where(where)
        .order_by(api_token.c.id)
    )
    return [
        ApiToken(
            id=row.id,
            user=row.name,
            label=row.label,
            prefix=row.prefix,
            created_ms=row.created_ms,
            expires_ms=row.expires_ms,
            revoked_ms=row.revoked_ms,
            last_used_ms=row.last_used_ms,
        )
        for row in connection.execute(query)
    ]
