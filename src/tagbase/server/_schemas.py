"""The typed shapes of the API's requests, and of the responses only the API sends (they make
the OpenAPI schema); the shapes the CLI's `--json` shares are declared in `tagbase._json`."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from tagbase._json import EntityOut, EventOut, RefOut, Shape, StepOut
from tagbase._kinds import Kind
from tagbase._tag_settings import TagSettings
from tagbase.server._data import RunDetail

TagsIn = list[str] | dict[str, str]
"""Tags as `["key", "key=value"]` or `{"key": "value"}` (a label's value is "")."""


class KindPath(StrEnum):
    """The entity kinds as path segments, in both vocabularies."""

    assets = "assets"
    artifacts = "artifacts"
    asset_versions = "asset_versions"
    artifact_versions = "artifact_versions"
    ops = "ops"
    steps = "steps"
    jobs = "jobs"
    pipelines = "pipelines"
    runs = "runs"
    run_templates = "run_templates"
    models = "models"
    model_versions = "model_versions"

    @property
    def kind(self) -> Kind:
        return Kind.parse(self.value.removesuffix("s"))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- responses (the shapes the CLI prints too live in `tagbase._json`) ----------------------


class CountOut(Shape):
    count: int


class FacetValue(Shape):
    value: str
    count: int


class FacetsOut(Shape):
    key: str
    values: list[FacetValue] = Field(description="most held first")

    @classmethod
    def of(cls, key: str, counts: Iterable[tuple[str, int]]) -> Self:
        return cls(key=key, values=[FacetValue(value=v, count=n) for v, n in counts])


class RunDetailOut(Shape):
    run: EntityOut
    steps: list[StepOut]
    events: list[EventOut]
    asset_versions: list[RefOut] = Field(description="asset versions the run created")

    @classmethod
    def of(cls, detail: RunDetail) -> Self:
        return cls(
            run=EntityOut.of(detail.run),
            steps=[StepOut.of(step) for step in detail.steps],
            events=[EventOut.of(event) for event in detail.events],
            asset_versions=[RefOut.of(ref) for ref in detail.asset_versions],
        )


class JobOut(Shape):
    name: str
    launchable: bool = True


class SessionOut(Shape):
    access: str = Field(description="none, read, write or admin")
    tokens_required: bool


class ProblemOut(Shape):
    value: str = Field(description="what was wrong")
    rule: str = Field(description="the rule it breaks")
    fix: str = Field(description="how to fix it")


class ErrorDetail(Shape):
    type: str = Field(description="the error class, e.g. TagValidationError, NotFoundError")
    status: int
    message: str
    problems: list[ProblemOut]
    position: int | None = Field(description="for a QueryError: the 0-based column")
    query: str | None = Field(description="for a QueryError: the query")


class ErrorOut(Shape):
    """The one shape of every error response."""

    error: ErrorDetail


# -- requests --------------------------------------------------------------------------------


class EntityCreate(_In):
    name: str | None = Field(None, description="required, except for versions and runs")
    scope: str | None = Field(None, description="the parent's name or id, for scoped kinds")
    tags: TagsIn | None = None
    metadata: dict[str, Any] | None = None
    owners: list[str] | None = None
    description: str | None = None
    status: str | None = None


class EntityUpdate(_In):
    name: str | None = None
    description: str | None = None
    status: str | None = None
    metadata: dict[str, Any] | None = Field(None, description="logged as new values (history)")
    owners: list[str] | None = Field(None, description="replaces the owners")
    add_tags: TagsIn | None = None
    remove_tags: list[str] | None = None


class TagsAdd(_In):
    tags: TagsIn


class MetadataLog(_In):
    metadata: dict[str, Any]


class Retag(_In):
    query: str | None = Field(None, description="a selection, e.g. `tag:env=dev and name:x*`")
    tags: list[str] | None = Field(None, description="operator strings, e.g. `startswith:exp`")
    scope: str | None = None
    add: TagsIn | None = None
    remove: list[str] | None = None
    dry_run: bool = False
    all: bool = Field(
        False, description="change every entity of the kind: an empty query is refused without"
    )


class TagUpdate(_In):
    """A tag's settings, each named as in `TagSettings`; one left out stays as it is."""

    exclusive: bool | None = None
    cascade: bool | None = None
    multi_valued: bool | None = None
    color: str | None = Field(None, description="#rrggbb, or a name like blue")
    description: str | None = None

    def settings(self) -> TagSettings:
        return TagSettings(**self.model_dump(include=set(TagSettings.names())))


class TagCreate(TagUpdate):
    name: str = Field(description="`key` or `key=value`")


class Launch(_In):
    job: str | None = Field(None, description="a job or pipeline of the served definitions")
    template: str | None = Field(None, description="a run template (name or id) instead")
    tags: TagsIn | None = Field(None, description="launch tags; override the job's")


class Reexecute(_In):
    from_failure: bool = True
    tags: TagsIn | None = None


class SessionIn(_In):
    token: str


class UserCreate(_In):
    name: str = Field(description="no whitespace, at most 255 characters")
    role: str = Field("viewer", description="viewer, editor or admin")
    email: str | None = None
    service: bool = Field(False, description="a service account: its actor is `service:NAME`")
    teams: list[str] = []


class UserUpdate(_In):
    """What to change; a field left out stays as it is (`email: ""` clears it)."""

    role: str | None = None
    email: str | None = None
    teams: list[str] | None = None


class TokenCreate(_In):
    user: str
    label: str | None = None
    expires_days: float | None = Field(
        None,
        gt=0,
        le=36_500,
        allow_inf_nan=False,
        description="days until it stops working (at most 100 years)",
    )


class TagPolicyIn(_In):
    """A governed tag's policy: `allowed_values` or `allowed_pattern` (not both), who may
    assign (`alice`, `service:ci`, `role:editor`, `team:ml-leads`), kinds that must carry it."""

    allowed_values: list[str] | None = None
    allowed_pattern: str | None = None
    assignable_by: list[str] = Field(default_factory=list)
    required_on: list[str] = Field(default_factory=list)


class TagPolicyOut(BaseModel):
    target: str
    allowed_values: list[str] | None
    allowed_pattern: str | None
    assignable_by: list[str]
    required_on: list[str]
    updated_ms: int
    actor: str | None


class AuditEntryOut(BaseModel):
    id: int
    at_ms: int
    actor: str | None
    action: str
    target: str
    rule: str
    detail: str | None
