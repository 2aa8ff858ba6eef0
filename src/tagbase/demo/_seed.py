"""The seed catalog: the tag and metadata examples of the seed documents, as one coherent story.

It is written through the client, not by running code (the example project that `tagbase demo`
runs is `tagbase.examples`): a month of made-up history that the web UI's tests browse.

A marketing team owns tables (Dagster's `leads` with its tags, owners, docs link, table schema
and column lineage); an ML team owns the `iris_data` artifact, the `iris_classifier` and
`fraud_detector` models and their pipelines (ZenML's examples, with the exclusive `champion`,
`production` and `latest` tags); a month of runs and materializations makes lists look real.

`load_demo` only uses the public client. Definitions are created when missing and history is
seeded when its parent has none, so calling it again succeeds; every call also adds a training
run, an `iris_data` version and (after the first call) an `iris_classifier` version, and the
exclusive `latest` and `champion` tags move to them, so tag history grows as in a live catalog.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tagbase._client import Client
from tagbase._errors import NotFoundError
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._tags import Tag
from tagbase.demo._definitions import (
    ASSETS,
    CHAMPION,
    FRAUD_DETECTOR,
    HISTORY_DAYS,
    IRIS_CLASSIFIER,
    IRIS_DATA,
    LATEST,
    MODELS,
    PIPELINES,
    REGISTERED_TAGS,
    RUN_TEMPLATES,
    TRAINING,
    Definition,
)
from tagbase.demo._history import (
    FRAUD_DETECTOR_VERSIONS,
    IRIS_CLASSIFIER_VERSIONS,
    IRIS_DATA_VERSIONS,
    MATERIALIZATIONS,
    RUN_PLANS,
    Materializations,
    RunPlan,
    Version,
    iris_metadata,
    model_scores,
    training_run,
)
from tagbase.store import EntitySpec


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What one `load_demo` call added: newly registered tags and new entities by kind."""

    tags: int = 0
    assets: int = 0
    asset_versions: int = 0
    pipelines: int = 0
    runs: int = 0
    run_templates: int = 0
    models: int = 0
    model_versions: int = 0

    @property
    def entities(self) -> int:
        return (
            self.assets
            + self.asset_versions
            + self.pipelines
            + self.runs
            + self.run_templates
            + self.models
            + self.model_versions
        )


# -- loading -------------------------------------------------------------------------------


class _Loader:
    """The client, the time of this call and what the call created."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.now = datetime.now(UTC)
        self.created: Counter[Kind] = Counter()
        self.registered = 0

    def note(self, entity: Entity) -> Entity:
        self.created[entity.kind] += 1
        return entity

    def ensure(self, definition: Definition) -> Entity:
        try:
            return self.client.get(definition.kind, definition.name, definition.scope)
        except NotFoundError:
            return self.note(
                self.client.create(
                    definition.kind,
                    definition.name,
                    scope=definition.scope,
                    tags=definition.tags,
                    metadata=definition.metadata,
                    owners=definition.owners,
                    description=definition.description,
                )
            )

    def has_children(self, kind: Kind, scope: str) -> bool:
        return self.client.count(kind, scope=scope) > 0

    def summary(self) -> DemoSummary:
        return DemoSummary(
            tags=self.registered,
            assets=self.created[Kind.ASSET],
            asset_versions=self.created[Kind.ASSET_VERSION],
            pipelines=self.created[Kind.JOB],
            runs=self.created[Kind.RUN],
            run_templates=self.created[Kind.RUN_TEMPLATE],
            models=self.created[Kind.MODEL],
            model_versions=self.created[Kind.MODEL_VERSION],
        )


def load_demo(client: Client) -> DemoSummary:
    """Fill the catalog with the demo; safe to call again (see the module docstring)."""
    loader = _Loader(client)
    for tag in REGISTERED_TAGS:
        loader.registered += _register(client, tag)
    jobs = {job.name: job for job in map(loader.ensure, PIPELINES)}
    for definition in ASSETS + MODELS + RUN_TEMPLATES:
        loader.ensure(definition)
    _seed_history(loader, jobs)
    _seed_iris_data(loader)
    _seed_model(loader, FRAUD_DETECTOR, FRAUD_DETECTOR_VERSIONS)
    if not _seed_iris_classifier(loader):
        _new_champion(loader)
    _new_iris_data_version(loader)
    _new_training_run(loader, jobs[TRAINING])
    return loader.summary()


def _register(client: Client, tag: Tag) -> bool:
    """Register (or refresh) a tag of the demo; True if it was not registered before."""
    try:
        known = client.get_tag(tag.name).registered
    except NotFoundError:
        known = False
    (client.update_tag if known else client.create_tag)(
        tag.name,
        exclusive=bool(tag.exclusive),
        cascade=bool(tag.cascade),
        color=tag.color,
        description=tag.description,
    )
    return not known


def _run_tags(job: Entity, own: Mapping[str, str], leave_out: set[str]) -> dict[str, str]:
    """The job's tags, which every run carries, overridden by the run's own; minus `leave_out`."""
    merged = {held.key: held.value for held in job.tags.assigned} | dict(own)
    return {key: value for key, value in merged.items() if Tag(key, value).name not in leave_out}


def _seed_history(loader: _Loader, jobs: Mapping[str, Entity]) -> None:
    """A month of runs and materializations, in one transaction, for parents that have none.

    Many runs of a job cannot share an exclusive tag: the newest run gets those afterwards.
    """
    rng = random.Random(42)
    exclusive = {d.name for d in loader.client.list_tags(registered_only=True) if d.exclusive}
    plans = [p for p in RUN_PLANS if not loader.has_children(Kind.RUN, p.pipeline)]
    specs = [
        spec for p in plans for spec in _run_specs(loader, p, jobs[p.pipeline], exclusive, rng)
    ]
    specs += [
        spec
        for m in MATERIALIZATIONS
        if not loader.has_children(Kind.ASSET_VERSION, m.asset)
        for spec in _materialization_specs(loader, m, rng)
    ]
    if not specs:
        return
    specs.sort(key=lambda spec: spec.created_at or loader.now)  # ids follow time
    loader.client.bulk_create(specs)
    loader.created.update(Kind.parse(spec.kind) for spec in specs)
    for plan in plans:
        newest = loader.client.list_runs(pipeline_name_or_id=plan.pipeline, size=1)[0]
        job_exclusive = [
            Tag(t.key, t.value) for t in jobs[plan.pipeline].tags.assigned if t.exclusive
        ]
        loader.client.add_tags(Kind.RUN, newest.id, [Tag(LATEST), *job_exclusive])


def _spread(loader: _Loader, count: int, rng: random.Random) -> list[datetime]:
    """`count` times, evenly spread with some jitter over the last HISTORY_DAYS days."""
    step = timedelta(days=HISTORY_DAYS) / count
    start = loader.now - timedelta(days=HISTORY_DAYS)
    return [start + step * (i + rng.uniform(0.1, 0.9)) for i in range(count)]


def _run_specs(
    loader: _Loader, plan: RunPlan, job: Entity, exclusive: set[str], rng: random.Random
) -> list[EntitySpec]:
    specs = []
    for at in _spread(loader, plan.count, rng):
        ok = rng.random() >= plan.failure_rate
        tags, metadata = plan.details(rng, at, ok)
        specs.append(
            EntitySpec(
                Kind.RUN,
                scope=plan.pipeline,
                tags=_run_tags(job, tags, exclusive),
                metadata=metadata,
                status="success" if ok else "failed",
                created_at=at,
            )
        )
    return specs


def _materialization_specs(
    loader: _Loader, plan: Materializations, rng: random.Random
) -> list[EntitySpec]:
    times = _spread(loader, plan.count, rng)
    return [
        EntitySpec(
            Kind.ASSET_VERSION,
            scope=plan.asset,
            metadata={
                "tagbase/row_count": plan.rows + plan.daily_growth * (at - times[0]).days,
                "duration_s": round(rng.uniform(2, 40), 1),
            },
            created_at=at,
        )
        for at in times
    ]


def _seed_iris_data(loader: _Loader) -> None:
    """The seed's versions of iris_data: `final` by version name, `validated` by version id."""
    if loader.has_children(Kind.ASSET_VERSION, IRIS_DATA):
        return
    client = loader.client
    for version in IRIS_DATA_VERSIONS:
        loader.note(
            client.create_artifact_version(
                IRIS_DATA, version.name, version.tags, version.metadata, version.created_at
            )
        )
    client.update_artifact_version(IRIS_DATA, "2023-06-15", add_tags=["final"])
    dated = client.get_artifact_version(IRIS_DATA, "2023-06-15")
    client.update_artifact_version(dated.id, add_tags=["validated"])


def _seed_model(loader: _Loader, model: str, versions: Sequence[Version]) -> bool:
    """Create the model's versions in order if it has none; True if it did."""
    if loader.has_children(Kind.MODEL_VERSION, model):
        return False
    for version in versions:
        loader.note(
            loader.client.create_model_version(
                model_name_or_id=model,
                name=version.name,
                tags=version.tags,
                metadata=version.metadata,
            )
        )
    return True


def _seed_iris_classifier(loader: _Loader) -> bool:
    """1.0.0 then 2.0.0 take `champion` (a move in tag history); the seed's CLI updates."""
    if not _seed_model(loader, IRIS_CLASSIFIER, IRIS_CLASSIFIER_VERSIONS):
        return False
    loader.client.update_model(IRIS_CLASSIFIER, add_tags=["production-ready"])
    loader.client.update_model_version(IRIS_CLASSIFIER, "2.0.0", add_tags=["approved"])
    return True


def _new_champion(loader: _Loader) -> None:
    """A retrained iris_classifier, 2.<n>.0, that takes `champion` from its predecessor."""
    minor = 1
    while _exists(loader.client, Kind.MODEL_VERSION, f"2.{minor}.0", IRIS_CLASSIFIER):
        minor += 1
    accuracy = min(0.99, 0.953 + 0.002 * minor)
    loader.note(
        loader.client.create_model_version(
            IRIS_CLASSIFIER,
            f"2.{minor}.0",
            description="Nightly retraining on the newest iris_data.",
            tags=["candidate", CHAMPION],
            metadata={
                **model_scores(accuracy, accuracy + 0.004, accuracy - 0.004),
                "training_rows": 118,
            },
        )
    )


def _exists(client: Client, kind: Kind, name: str, scope: str) -> bool:
    try:
        client.get(kind, name, scope)
    except NotFoundError:
        return False
    return True


def _new_iris_data_version(loader: _Loader) -> None:
    """This call's output of data_loader; it takes `latest` from the previous version."""
    rng = random.Random(loader.client.count(Kind.ASSET_VERSION, scope=IRIS_DATA))
    metadata = iris_metadata(
        147 + rng.randint(0, 3), rng.randint(0, 2), round(5.84 + rng.uniform(-0.01, 0.01), 3),
        loader.now.strftime("%Y%m%dT%H%M%S"),
    )  # fmt: skip
    loader.note(
        loader.client.create_artifact_version(
            IRIS_DATA, tags=["raw", "cleaned", LATEST], metadata=metadata
        )
    )


def _new_training_run(loader: _Loader, job: Entity) -> None:
    """This call's nightly training run; it takes `latest` from the previous run."""
    rng = random.Random(loader.client.count(Kind.RUN, scope=TRAINING))
    own, metadata = training_run(rng, loader.now, ok=True)
    tags = _run_tags(job, own, leave_out=set()) | {LATEST: ""}
    loader.note(loader.client.create_run(TRAINING, tags=tags, metadata=metadata, status="success"))
