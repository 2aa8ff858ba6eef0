"""The Python client: create, get, list, update and delete every entity, tag and metadata.

Method names and arguments follow the seed documents (`create_model_version(model_name_or_id=,
name=, tags=)`, `list_runs(tags=[...])`...); generic `create/get/list/update/delete` take a kind
(`CatalogClient`); here are the methods of each kind, in one place, and the run queue's.
"""

from __future__ import annotations

import builtins
import uuid as uuidlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tagbase import _fixes
from tagbase._artifact_version import ArtifactVersion, loadable
from tagbase._client_catalog import CatalogClient, TagFilter
from tagbase._errors import NotFoundError
from tagbase._kinds import Kind
from tagbase._records import Entity, Page
from tagbase._run_records import RunEvent, StepRecord
from tagbase._tags import TagsInput
from tagbase.definitions._partitions import PARTITION_TAG
from tagbase.execution import load_definitions, sync_definitions
from tagbase.orchestration import cancel_run, launch_run
from tagbase.orchestration._backfill import launch_backfill
from tagbase.orchestration._templates import launch_template
from tagbase.store import Ref


class Client(CatalogClient):
    """Talks to the catalog of `store`; of the tagbase server at `url` (with `token`); of
    `database_url` or `home` (a store of its own); else of the runtime in use (by default the
    configured one: `TAGBASE_URL` and `TAGBASE_TOKEN` for a server, else `$TAGBASE_HOME` or
    `TAGBASE_DATABASE_URL`), so `Client()` is cheap to call often."""

    # -- models -----------------------------------------------------------------------------

    def create_model(
        self,
        name: str,
        tags: TagsInput = None,
        description: str | None = None,
        metadata: Mapping[str, object] | None = None,
        owners: Sequence[str] | None = None,
    ) -> Entity:
        return self.create(
            Kind.MODEL, name, tags=tags, description=description, metadata=metadata, owners=owners
        )

    def create_model_version(
        self,
        model_name_or_id: Ref,
        name: str | None = None,
        description: str | None = None,
        tags: TagsInput = None,
        metadata: Mapping[str, object] | None = None,
    ) -> Entity:
        return self.create(
            Kind.MODEL_VERSION,
            name,
            scope=model_name_or_id,
            tags=tags,
            description=description,
            metadata=metadata,
        )

    def get_model(self, model_name_or_id: Ref) -> Entity:
        return self.get(Kind.MODEL, model_name_or_id)

    def get_model_version(
        self, model_name_or_id: Ref, model_version_name_or_number_or_id: Ref | None = None
    ) -> Entity:
        """By model and version (name, number or id); by version id alone; by alias,
        `"iris_classifier@champion"` (the version holding the exclusive tag `champion`); or,
        given a model alone, its latest version."""
        return self._version(
            Kind.MODEL_VERSION, model_name_or_id, model_version_name_or_number_or_id
        )

    def list_models(self, tags: TagFilter = None, **filters: Any) -> Page[Entity]:
        return self.list(Kind.MODEL, tags=tags, **filters)

    def list_model_versions(
        self, model_name_or_id: Ref | None = None, tags: TagFilter = None, **filters: Any
    ) -> Page[Entity]:
        return self.list(Kind.MODEL_VERSION, scope=model_name_or_id, tags=tags, **filters)

    def update_model(
        self,
        model_name_or_id: Ref,
        add_tags: TagsInput = None,
        remove_tags: Sequence[str] | None = None,
        **changes: Any,
    ) -> Entity:
        return self.update(
            Kind.MODEL, model_name_or_id, add_tags=add_tags, remove_tags=remove_tags, **changes
        )

    def update_model_version(
        self,
        model_name_or_id: Ref,
        version_name_or_id: Ref,
        add_tags: TagsInput = None,
        remove_tags: Sequence[str] | None = None,
        **changes: Any,
    ) -> Entity:
        return self.update(
            Kind.MODEL_VERSION,
            version_name_or_id,
            model_name_or_id,
            add_tags=add_tags,
            remove_tags=remove_tags,
            **changes,
        )

    def delete_model(self, model_name_or_id: Ref, recursive: bool = False) -> None:
        self.delete(Kind.MODEL, model_name_or_id, recursive=recursive)

    def delete_model_version(self, model_name_or_id: Ref, version_name_or_id: Ref) -> None:
        self.delete(Kind.MODEL_VERSION, version_name_or_id, model_name_or_id)

    # -- artifacts (assets) and their versions ----------------------------------------------

    def create_artifact(
        self,
        name: str,
        tags: TagsInput = None,
        metadata: Mapping[str, object] | None = None,
        owners: Sequence[str] | None = None,
        description: str | None = None,
    ) -> Entity:
        return self.create(
            Kind.ASSET, name, tags=tags, metadata=metadata, owners=owners, description=description
        )

    def create_artifact_version(
        self,
        artifact_name_or_id: Ref,
        version: str | None = None,
        tags: TagsInput = None,
        metadata: Mapping[str, object] | None = None,
        created_at: datetime | None = None,
    ) -> Entity:
        return self.create(
            Kind.ASSET_VERSION,
            version,
            scope=artifact_name_or_id,
            tags=tags,
            metadata=metadata,
            created_at=created_at,
        )

    def get_artifact(self, name_id_or_prefix: Ref) -> Entity:
        return self.get(Kind.ASSET, name_id_or_prefix)

    def get_artifact_version(
        self, name_id_or_prefix: Ref, version: Ref | None = None
    ) -> ArtifactVersion:
        """By version id, by artifact name and version (name, number or id), or by alias,
        `"iris_data@production"` (the version holding the exclusive tag `production`); an
        artifact name alone gives its latest version. `.load()` reads the value back."""
        return self._loadable(self._version(Kind.ASSET_VERSION, name_id_or_prefix, version))

    def _loadable(self, version: Entity) -> ArtifactVersion:
        return loadable(version, self.store.find_stored_artifact(version.id))

    def _version(self, kind: Kind, parent: Ref, version: Ref | None) -> Entity:
        """A version by parent and version, by its id, by alias, or the parent's latest."""
        if version is not None:
            return self.get(kind, version, parent)
        if _is_uuid(parent):
            return self.get(kind, parent)
        return self.store.find_alias(kind, parent) or self._latest_version(kind, parent)

    def _latest_version(self, kind: Kind, parent: Ref) -> Entity:
        newest = self.list(kind, scope=parent, size=1).items
        if not newest:
            assert kind.scope is not None
            raise NotFoundError(
                f"{kind.scope.label} {str(parent)!r} has no versions yet",
                fix=_fixes.first_version(kind, str(parent)),
            )
        return newest[0]

    def load_artifact(self, name_id_or_prefix: Ref, version: Ref | None = None) -> Any:
        """The stored value of an artifact version: of the newest, without `version`; of the
        holder of an alias, `load_artifact("iris_data@production")`."""
        if version is None:
            held = self.store.find_alias(Kind.ASSET_VERSION, name_id_or_prefix)
            if held is not None:
                return self._loadable(held).load()
            if self.store.find(Kind.ASSET, name_id_or_prefix) is not None:  # its id, too
                newest = self._latest_version(Kind.ASSET_VERSION, name_id_or_prefix)
                return self._loadable(newest).load()
        return self.get_artifact_version(name_id_or_prefix, version).load()

    def list_artifacts(self, tags: TagFilter = None, **filters: Any) -> Page[Entity]:
        return self.list(Kind.ASSET, tags=tags, **filters)

    def list_artifact_versions(
        self, artifact_name_or_id: Ref | None = None, tags: TagFilter = None, **filters: Any
    ) -> Page[Entity]:
        return self.list(Kind.ASSET_VERSION, scope=artifact_name_or_id, tags=tags, **filters)

    def update_artifact(
        self,
        name_id_or_prefix: Ref,
        add_tags: TagsInput = None,
        remove_tags: Sequence[str] | None = None,
        **changes: Any,
    ) -> Entity:
        return self.update(
            Kind.ASSET, name_id_or_prefix, add_tags=add_tags, remove_tags=remove_tags, **changes
        )

    def update_artifact_version(
        self,
        name_id_or_prefix: Ref,
        version: Ref | None = None,
        add_tags: TagsInput = None,
        remove_tags: Sequence[str] | None = None,
        **changes: Any,
    ) -> Entity:
        scope, ref = _version_ref(name_id_or_prefix, version)
        return self.update(
            Kind.ASSET_VERSION, ref, scope, add_tags=add_tags, remove_tags=remove_tags, **changes
        )

    def delete_artifact(self, name_id_or_prefix: Ref, recursive: bool = False) -> None:
        self.delete(Kind.ASSET, name_id_or_prefix, recursive=recursive)

    def delete_artifact_version(self, name_id_or_prefix: Ref, version: Ref | None = None) -> None:
        scope, ref = _version_ref(name_id_or_prefix, version)
        self.delete(Kind.ASSET_VERSION, ref, scope)

    # -- pipelines (jobs), runs and run templates -------------------------------------------

    def create_pipeline(
        self,
        name: str,
        tags: TagsInput = None,
        metadata: Mapping[str, object] | None = None,
        owners: Sequence[str] | None = None,
        description: str | None = None,
    ) -> Entity:
        return self.create(
            Kind.JOB, name, tags=tags, metadata=metadata, owners=owners, description=description
        )

    def get_pipeline(self, name_id_or_prefix: Ref) -> Entity:
        return self.get(Kind.JOB, name_id_or_prefix)

    def list_pipelines(self, tags: TagFilter = None, **filters: Any) -> Page[Entity]:
        return self.list(Kind.JOB, tags=tags, **filters)

    def create_run(
        self,
        pipeline_name_or_id: Ref,
        name: str | None = None,
        tags: TagsInput = None,
        metadata: Mapping[str, object] | None = None,
        status: str | None = None,
        created_at: datetime | None = None,
    ) -> Entity:
        """Record a run of a pipeline, e.g. one imported from another system."""
        return self.create(
            Kind.RUN,
            name,
            scope=pipeline_name_or_id,
            tags=tags,
            metadata=metadata,
            status=status,
            created_at=created_at,
        )

    def get_pipeline_run(self, name_id_or_prefix: Ref) -> Entity:
        return self.get(Kind.RUN, name_id_or_prefix)

    get_run = get_pipeline_run

    def list_runs(
        self, tags: TagFilter = None, pipeline_name_or_id: Ref | None = None, **filters: Any
    ) -> Page[Entity]:
        return self.list(Kind.RUN, scope=pipeline_name_or_id, tags=tags, **filters)

    list_pipeline_runs = list_runs

    def list_run_steps(self, run_name_or_id: Ref) -> builtins.list[StepRecord]:
        """A run's steps, in the order they started, with status, times and errors."""
        run = self.get(Kind.RUN, run_name_or_id)
        return self.store.list_steps(run.id)

    def list_run_events(self, run_name_or_id: Ref) -> builtins.list[RunEvent]:
        """A run's events (queued, started, step started/succeeded/failed, logs...), in order."""
        run = self.get(Kind.RUN, run_name_or_id)
        return self.store.list_events(run.id)

    def update_run(
        self,
        name_id_or_prefix: Ref,
        add_tags: TagsInput = None,
        remove_tags: Sequence[str] | None = None,
        **changes: Any,
    ) -> Entity:
        return self.update(
            Kind.RUN, name_id_or_prefix, add_tags=add_tags, remove_tags=remove_tags, **changes
        )

    def delete_run(self, name_id_or_prefix: Ref) -> None:
        self.delete(Kind.RUN, name_id_or_prefix)

    def create_run_template(
        self,
        name: str,
        pipeline_name_or_id: Ref,
        tags: TagsInput = None,
        description: str | None = None,
        metadata: Mapping[str, object] | None = None,
        run_config: Mapping[str, Any] | None = None,
    ) -> Entity:
        """Save a job with tags (and run config, kept as `tagbase/run_config`) to launch
        from: `launch_run_template(name)`."""
        if run_config is not None:
            metadata = {**(metadata or {}), "tagbase/run_config": dict(run_config)}
        return self.create(
            Kind.RUN_TEMPLATE,
            name,
            scope=pipeline_name_or_id,
            tags=tags,
            description=description,
            metadata=metadata,
        )

    def get_run_template(self, name_id_or_prefix: Ref, pipeline: Ref | None = None) -> Entity:
        return self.get(Kind.RUN_TEMPLATE, name_id_or_prefix, pipeline)

    def list_run_templates(
        self, tags: TagFilter = None, pipeline_name_or_id: Ref | None = None, **filters: Any
    ) -> Page[Entity]:
        return self.list(Kind.RUN_TEMPLATE, scope=pipeline_name_or_id, tags=tags, **filters)

    # -- the run queue ----------------------------------------------------------------------

    def launch_run(
        self,
        job: Any,
        *,
        tags: TagsInput = None,
        op_selection: Sequence[str] | None = None,
        definitions: Any = None,
        file: str | None = None,
        module: str | None = None,
        partition_key: str | None = None,
    ) -> Entity:
        """Queue a run of a job and return at once with the run (status `queued`); a worker
        (`tagbase worker`) runs it. `job` is a job definition or a job name: of
        `definitions`, of the definitions in `file` or `module`, else of the catalog. A job
        with partitions runs one: `partition_key` (or the tag `tagbase/partition`)."""
        if file is not None or module is not None:  # loaded from -f/-m: synced, as the CLI does
            sync_definitions(definitions := load_definitions(file, module), self.store)
        return launch_run(
            job,
            tags=tags,
            op_selection=op_selection,
            definitions=definitions,
            system=None if partition_key is None else {PARTITION_TAG: partition_key},
            store=self.store,
        )

    def launch_run_template(
        self, template: Ref, *, tags: TagsInput = None, pipeline: Ref | None = None
    ) -> Entity:
        """Queue a run from a run template: its job, its tags, then `tags` over them."""
        return launch_template(self.store, template, tags=tags, pipeline=pipeline)

    def cancel_run(self, run_name_or_id: Ref) -> Entity:
        """Cancel a queued run (at once) or a running one (its worker stops it)."""
        return cancel_run(self.store, run_name_or_id)

    def launch_backfill(
        self,
        job: Any,
        *,
        partition_keys: Sequence[str] | None = None,
        start: str | None = None,
        end: str | None = None,
        tags: TagsInput = None,
        definitions: Any = None,
    ) -> Any:
        """Queue a run per partition (the keys given, or those from `start` to `end` of the
        job's partitions), all tagged `tagbase/backfill` with one id; the `Backfill`."""
        return launch_backfill(
            job,
            partition_keys=partition_keys,
            start=start,
            end=end,
            tags=tags,
            definitions=definitions,
            store=self.store,
        )


def _is_uuid(ref: Ref) -> bool:
    if isinstance(ref, uuidlib.UUID):
        return True
    try:
        uuidlib.UUID(str(ref))
    except ValueError:
        return False
    return True


def _version_ref(name_id_or_prefix: Ref, version: Ref | None) -> tuple[Ref | None, Ref]:
    """(scope, ref) of an artifact version named by its id alone, or by artifact and version."""
    return (None, name_id_or_prefix) if version is None else (name_id_or_prefix, version)
