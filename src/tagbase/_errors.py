"""The exception tree of tagbase.

    TagbaseError
    ├── InvalidInputError (also ValueError)      bad input; nothing was written
    │   ├── TagValidationError                   one or more bad tags, all listed
    │   ├── MetadataValidationError              one or more bad metadata entries
    │   ├── OwnerValidationError                 an owner that is no email or team:<name>
    │   ├── TargetError                          wrong combination of target arguments
    │   ├── DefinitionError                      a decorator or definition breaks rules, all listed
    │   ├── PartitionKeyError                    a partition key a job lacks, or a missing one
    │   ├── LimitExceededError                   over a documented limit (`tagbase._limits`)
    │   └── QueryError                           a malformed query, with its position
    ├── NotFoundError (also LookupError)         no entity or tag of that name or id
    │   └── UnknownDefinitionError               no asset, op or job of that name is defined
    ├── ConflictError                            the store holds something that forbids the write
    │   ├── AlreadyExistsError                   an entity of that name exists in that scope
    │   └── ExclusiveTagConflictError            an exclusive tag would be held twice in a scope
    └── StoreError                               the store itself cannot be used
        ├── SchemaVersionError                   the schema is older or newer than this code
        ├── ForeignDatabaseError                 the database is not a tagbase catalog
        ├── DamagedDatabaseError                 corrupt, truncated, or missing tables
        ├── ReadOnlyDatabaseError                the database cannot be written
        ├── DatabaseFullError                    the disk (or quota) is full
        ├── StatementTimeoutError                a read ran past the statement timeout
        ├── PoolTimeoutError                     no database connection came free in time
        └── ArtifactIntegrityError               a stored value is not what tagbase wrote

Every message names the bad value, the rule it breaks and how to fix it. A fix that names a
call (`Client().list(...)`, `tagbase artifact list`, `GET /api/assets`) is a `Fix` with one
text per front-end; `str(error)` says it for Python, the CLI and the API say it their way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

FrontEnd = Literal["python", "cli", "api"]


@dataclass(frozen=True, slots=True)
class Fix:
    """How to fix an error, in the caller's terms: Python, the `tagbase` command line and the
    REST API each name their own calls."""

    python: str
    cli: str
    api: str


class TagbaseError(Exception):
    """Root of every error tagbase raises on purpose."""

    def __init__(self, message: str = "", *, fix: Fix | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(message if fix is None else f"{message}. Fix: {fix.python}")

    def explained(self, front_end: FrontEnd) -> str:
        """The message, with its fix as `front_end` says it."""
        if self.fix is None:
            return str(self)
        return f"{self.message}. Fix: {getattr(self.fix, front_end)}"


class InvalidInputError(TagbaseError, ValueError):
    """Input that breaks a rule. Nothing was written."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: what was wrong, which rule, and how to fix it."""

    subject: str
    rule: str
    fix: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.rule}. Fix: {self.fix}"


class _ProblemsError(InvalidInputError):
    """An input error that reports every problem found, not just the first."""

    headline = "invalid input"
    headline_plural = "invalid inputs"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        count = len(self.problems)
        headline = self.headline if count == 1 else self.headline_plural
        super().__init__(f"{count} {headline}:\n{lines}")


class TagValidationError(_ProblemsError):
    headline = "invalid tag"
    headline_plural = "invalid tags"


class MetadataValidationError(_ProblemsError):
    headline = "invalid metadata entry"
    headline_plural = "invalid metadata entries"


class OwnerValidationError(_ProblemsError):
    headline = "invalid owner"
    headline_plural = "invalid owners"


class DefinitionError(_ProblemsError):
    """A definition (decorator arguments, a graph, a selection) breaks one or more rules."""

    headline = "invalid definition"
    headline_plural = "invalid definitions"


class PartitionKeyError(_ProblemsError):
    """A partition key that is not one of a job's partitions, one given to a job without
    partitions, or none given to a job with partitions."""

    headline = "invalid partition key"
    headline_plural = "invalid partition keys"


class LimitExceededError(InvalidInputError):
    """A value over one of the documented limits (a size, a length, a page number)."""


class TargetError(InvalidInputError):
    """A call named no target, several targets, or an incomplete one."""


class QueryError(InvalidInputError):
    """A malformed query. `position` is the 0-based column of the problem."""

    def __init__(self, message: str, *, query: str, position: int, hint: str = "") -> None:
        self.query = query
        self.position = position
        self.hint = hint
        pointer = " " * position + "^"
        text = f"{message} at column {position + 1}\n  {query}\n  {pointer}"
        super().__init__(f"{text}\nHint: {hint}" if hint else text)


class NotFoundError(TagbaseError, LookupError):
    """No entity or tag matches the given name or id."""


class UnknownDefinitionError(NotFoundError):
    """A name (in a selection, a job name, a dependency) that no definition carries."""


class ConflictError(TagbaseError):
    """The write conflicts with what the store already holds."""


class AlreadyExistsError(ConflictError):
    """An entity of this kind and name already exists in the scope."""


class ExclusiveTagConflictError(ConflictError):
    """An exclusive tag would end up on more than one entity of a scope."""


class StoreError(TagbaseError):
    """The store cannot be used as configured."""


class SchemaVersionError(StoreError):
    """The database schema does not match this version of tagbase."""


class ForeignDatabaseError(StoreError):
    """The database holds tables, but not tagbase's: another program's file or schema."""


class DamagedDatabaseError(StoreError):
    """The database file is corrupt or truncated, or a table of tagbase's schema is gone."""


class ReadOnlyDatabaseError(StoreError):
    """The database (its file, folder or server) refuses writes."""


class DatabaseFullError(StoreError):
    """The database cannot grow: its disk or quota is full. The write was rolled back."""


class StatementTimeoutError(StoreError):
    """A read ran longer than the configured statement timeout and was stopped."""


class PoolTimeoutError(StoreError):
    """Every connection of the pool stayed busy for the configured pool timeout."""


class ArtifactIntegrityError(StoreError):
    """A stored value's bytes or location differ from what tagbase recorded when it wrote
    them; nothing was deserialised."""


class UnknownUserError(NotFoundError):
    """No user of the server has this name."""


class UserExistsError(AlreadyExistsError):
    """A user of this name already exists."""


class InvalidRoleError(InvalidInputError):
    """A role that is not viewer, editor or admin."""


class InvalidUserNameError(InvalidInputError):
    """A user name that breaks the naming rule."""


class UnknownTokenError(NotFoundError):
    """No API token has this id."""


class AuthenticationError(TagbaseError):
    """No token, or an unknown, revoked or expired one (HTTP 401)."""


class PermissionDeniedError(TagbaseError):
    """A role below what the call needs, or a write sent from another site (HTTP 403)."""


class RemoteStoreError(StoreError):
    """The tagbase server could not be reached, or answered with something that is not
    tagbase's (a proxy's error page, a cut connection)."""


class PolicyDeniedError(PermissionDeniedError):
    """A governed tag's policy does not let this actor assign, remove or move it (HTTP 403).
    Nothing was written; the attempt is kept in the audit list."""


class TagNotAllowedError(InvalidInputError):
    """A value a governed tag key does not allow (HTTP 400). Nothing was written."""
