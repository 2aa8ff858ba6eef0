"""The typed shapes of the API's requests and responses (they make the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tagbase._kinds import Kind

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


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- responses -------------------------------------------------------------------------------


class RefOut(_Out):
    id: str
    kind: Kind
    name: str
    scope: str | None = Field(description="the parent's name, for scoped kinds")
    deleted: bool = Field(
        False, description="the entity was deleted; the tag history still names it"
    )


class TagOut(_Out):
    name: str = Field(description="the string form: `key` for a label, `key=value` otherwise")
    key: str
    value: str
    label: bool
    system: bool = Field(description="set by tagbase (under tagbase/)")
    source: str = Field(description="definition, launch, user, system, cascade or api")
    actor: str | None
    added_at: datetime
    exclusive: bool


class MetadataOut(_Out):
    type: str = Field(description="text, url, md, int, float, json, table_schema, ...")
    value: Any


class EntityOut(_Out):
    id: str
    kind: Kind
    name: str
    scope: RefOut | None
    version: str | None
    number: int | None
    status: str | None
    description: str | None
    tags: list[TagOut]
    metadata: dict[str, MetadataOut]
    owners: list[str]
    created_at: datetime
    updated_at: datetime


class EntityPage(_Out):
    items: list[EntityOut]
    total: int | None
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")
    page: int
    size: int
    total_pages: int | None


class CountOut(_Out):
    count: int


class FacetValue(_Out):
    value: str
    count: int


class FacetsOut(_Out):
    key: str
    values: list[FacetValue] = Field(description="most held first")


class TagDefinitionOut(_Out):
    name: str
    key: str
    value: str
    registered: bool
    exclusive: bool
    cascade: bool
    multi_valued: bool
    color: str | None
    description: str | None
    usage: dict[str, int] = Field(description="entities holding the tag, per kind")
    usage_total: int
    created_at: datetime
    updated_at: datetime


class TagEventOut(_Out):
    at: datetime
    entity: RefOut
    tag: str
    action: str = Field(description="added or removed")
    reason: str | None = Field(description="for removals: removed, replaced, moved, deleted")
    moved_to: RefOut | None
    source: str
    actor: str | None


class MetadataEntryOut(_Out):
    key: str
    value: MetadataOut
    source: str
    actor: str | None
    at: datetime


class PointOut(_Out):
    entity: RefOut
    value: float
    at: datetime


class StepOut(_Out):
    key: str
    op: str
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: float | None
    error: str | None


class EventOut(_Out):
    at: datetime
    event: str
    step: str | None
    message: str | None


class RunDetailOut(_Out):
    run: EntityOut
    steps: list[StepOut]
    events: list[EventOut]
    asset_versions: list[RefOut] = Field(description="asset versions the run created")


class RetagOut(_Out):
    matched: int = Field(description="how many entities the query matched")
    changed: int = Field(description="how many of them had their tags changed")
    add: list[str]
    remove: list[str]
    sample: list[RefOut]
    dry_run: bool


class DeletedTagOut(_Out):
    name: str
    removed_from: int = Field(description="how many entities held the tag")


class JobOut(_Out):
    name: str
    launchable: bool = True


class SessionOut(_Out):
    access: str = Field(description="none, read or write")
    tokens_required: bool


class ProblemOut(_Out):
    value: str = Field(description="what was wrong")
    rule: str = Field(description="the rule it breaks")
    fix: str = Field(description="how to fix it")


class ErrorDetail(_Out):
    type: str = Field(description="the error class, e.g. TagValidationError, NotFoundError")
    status: int
    message: str
    problems: list[ProblemOut]
    position: int | None = Field(description="for a QueryError: the 0-based column")
    query: str | None = Field(description="for a QueryError: the query")


class ErrorOut(_Out):
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


class TagCreate(_In):
    name: str = Field(description="`key` or `key=value`")
    exclusive: bool | None = None
    cascade: bool | None = None
    multi_valued: bool | None = None
    color: str | None = Field(None, description="#rrggbb")
    description: str | None = None


class TagUpdate(_In):
    exclusive: bool | None = None
    cascade: bool | None = None
    multi_valued: bool | None = None
    color: str | None = None
    description: str | None = None


class Launch(_In):
    job: str | None = Field(None, description="a job or pipeline of the served definitions")
    template: str | None = Field(None, description="a run template (name or id) instead")
    tags: TagsIn | None = Field(None, description="launch tags; override the job's")


class Reexecute(_In):
    from_failure: bool = True
    tags: TagsIn | None = None


class SessionIn(_In):
    token: str
