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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeAlias

from tagbase._client import Client
from tagbase._errors import NotFoundError
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase._tags import Tag, TagsInput
from tagbase.metadata import (
    AssetKey,
    MetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableConstraints,
    TableSchema,
    UrlCodeReference,
)
from tagbase.store import EntitySpec

HISTORY_DAYS = 30
DOCS = "https://docs.example.com/data"
LAKE = "s3://acme-lake"
REPO = "https://github.com/acme/analytics/blob/main"
TRAINING = "training_pipeline"
IRIS_DATA = "iris_data"
IRIS_CLASSIFIER = "iris_classifier"
FRAUD_DETECTOR = "fraud_detector"
LATEST = "latest"
CHAMPION = "champion"


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


# -- the tag registry ------------------------------------------------------------------------

REGISTERED_TAGS: tuple[Tag, ...] = (
    Tag("production", exclusive=True, color="green",
        description="Serving live traffic: one version per model, one run per pipeline."),
    Tag(CHAMPION, exclusive=True, color="#eab308",
        description="The best model version so far; exactly one per model."),
    Tag(LATEST, exclusive=True, color="blue",
        description="The newest run of a pipeline, or the newest version of an artifact."),
    Tag("pii=true", color="red",
        description="Holds personal data: access is logged and limited to the owners."),
    Tag("experiment_42", cascade=True, color="purple",
        description="Experiment 42: everything its pipeline produces is tagged with it."),
    Tag("validated", color="teal", description="Passed the data validation suite."),
    Tag("high_accuracy", color="indigo", description="A run whose model scored over 0.9."),
    Tag("env=prod", color="orange", description="Ran in the production environment."),
)  # fmt: skip


# -- definitions: assets, pipelines, models, run templates -----------------------------------


@dataclass(frozen=True, slots=True)
class _Definition:
    """A definition the demo creates when it is missing."""

    kind: Kind
    name: str
    tags: TagsInput = None
    metadata: Mapping[str, object] = field(default_factory=dict)
    owners: tuple[str, ...] = ()
    description: str | None = None
    scope: str | None = None


def _column(
    name: str,
    type_: str,
    description: str,
    *,
    required: bool = False,
    unique: bool = False,
    other: Sequence[str] = (),
    pii: bool = False,
) -> TableColumn:
    constraints = TableColumnConstraints(nullable=not required, unique=unique, other=other)
    return TableColumn(name, type_, description, constraints, {"pii": "true"} if pii else None)


LEADS_SCHEMA = TableSchema(
    columns=[
        _column("lead_id", "int", "Id of the lead", required=True, unique=True),
        _column("email", "string", "Contact address", required=True, unique=True, pii=True,
                other=["a valid email address"]),
        _column("full_name", "string", "Name as entered on the form", pii=True),
        _column("source", "string", "Acquisition channel", required=True,
                other=["one of: ads, web, event, referral"]),
        _column("score", "float", "Lead score", other=["0 <= score <= 100"]),
        _column("created_at", "timestamp", "When the lead signed up", required=True),
    ],
    constraints=TableConstraints(other=["primary key (lead_id)"]),
)  # fmt: skip
CUSTOMERS_SCHEMA = TableSchema(
    columns=[
        _column("customer_id", "int", "Id of the customer", required=True, unique=True),
        _column("lead_id", "int", "The lead the customer converted from", unique=True),
        _column("email", "string", "Billing address", required=True, pii=True),
        _column("country", "string", "ISO 3166 country code", other=["2 upper-case letters"]),
        _column("signed_up_at", "timestamp", "First purchase", required=True),
    ],
    constraints=TableConstraints(other=["primary key (customer_id)"]),
)
ORDERS_SCHEMA = TableSchema(
    columns=[
        _column("order_id", "int", "Id of the order", required=True, unique=True),
        _column("customer_id", "int", "Who ordered", required=True),
        _column("amount_eur", "decimal(12,2)", "Order total", required=True, other=["> 0"]),
        _column("ordered_at", "timestamp", "When the order was placed", required=True),
    ],
    constraints=TableConstraints(
        other=["primary key (order_id)", "foreign key (customer_id) references customers"]
    ),
)
SUMMARY_SCHEMA = TableSchema(
    columns=[
        _column("source", "string", "Acquisition channel", required=True, unique=True),
        _column("leads", "int", "Leads from the channel", required=True),
        _column("customers", "int", "Leads that became customers", required=True),
        _column("conversion_rate", "float", "customers / leads", other=["0 <= rate <= 1"]),
        _column("revenue_eur", "decimal(14,2)", "Revenue of those customers"),
    ]
)


def _deps(*columns: str) -> list[TableColumnDep]:
    """`"asset.column"` strings as lineage dependencies."""
    return [TableColumnDep(AssetKey(c.split(".")[0]), c.split(".")[1]) for c in columns]


SUMMARY_LINEAGE = TableColumnLineage(
    deps_by_column={
        "source": _deps("leads.source"),
        "leads": _deps("leads.lead_id"),
        "customers": _deps("customers.customer_id", "customers.lead_id"),
        "conversion_rate": _deps("leads.lead_id", "customers.lead_id"),
        "revenue_eur": _deps("orders.amount_eur", "orders.customer_id"),
    }
)

ASSETS: tuple[_Definition, ...] = (
    _Definition(
        Kind.ASSET,
        "leads",
        tags={
            "domain": "marketing",
            "pii": "true",
            "tagbase/kind/python": "",
            "tagbase/kind/pandas": "",
        },
        metadata={
            "link_to_docs": MetadataValue.url(f"{DOCS}/marketing/leads"),
            "snippet": MetadataValue.md(
                "# Leads\nEvery sign-up from ads, the web site, events and referrals.\n\n"
                "- refreshed daily by `marketing_job`\n- one row per person (`email` is unique)"
            ),
            "file_size_kb": MetadataValue.int(1024),
            "tagbase/column_schema": LEADS_SCHEMA,
            "tagbase/relation_identifier": "marketing_db.crm.leads",
            "tagbase/uri": f"{LAKE}/marketing/leads.parquet",
        },
        owners=("team:marketing", "ada.lovelace@example.com"),
        description="People who showed interest in the product, before they buy.",
    ),
    _Definition(
        Kind.ASSET,
        "customers",
        tags={
            "domain": "sales",
            "pii": "true",
            "tagbase/kind/python": "",
            "tagbase/kind/snowflake": "",
        },
        metadata={
            "tagbase/column_schema": CUSTOMERS_SCHEMA,
            "tagbase/relation_identifier": "analytics.sales.customers",
            "link_to_docs": MetadataValue.url(f"{DOCS}/sales/customers"),
        },
        owners=("team:sales", "grace.hopper@example.com"),
        description="Leads that bought at least once.",
    ),
    _Definition(
        Kind.ASSET,
        "orders",
        tags={"domain": "sales", "tagbase/kind/python": "", "tagbase/kind/duckdb": ""},
        metadata={
            "tagbase/column_schema": ORDERS_SCHEMA,
            "tagbase/relation_identifier": "analytics.sales.orders",
            "file_size_kb": MetadataValue.int(48_200),
        },
        owners=("team:sales",),
        description="Every order, one row each.",
    ),
    _Definition(
        Kind.ASSET,
        "marketing_summary",
        tags={"domain": "marketing", "tagbase/kind/python": "", "tagbase/kind/pandas": ""},
        metadata={
            "tagbase/column_schema": SUMMARY_SCHEMA,
            "tagbase/column_lineage": SUMMARY_LINEAGE,
            "tagbase/relation_identifier": "marketing_db.reporting.marketing_summary",
            "tagbase/code_references": MetadataValue.code_references(
                [UrlCodeReference(f"{REPO}/marketing/summary.py#L12", "marketing_summary")]
            ),
            "snippet": MetadataValue.md("Conversion by channel; feeds the weekly report."),
        },
        owners=("team:marketing",),
        description="Leads, customers and revenue per acquisition channel.",
    ),
    _Definition(
        Kind.ASSET,
        IRIS_DATA,
        tags={"domain": "ml", "dataset": "", "tagbase/kind/pandas": ""},
        metadata={
            "link_to_docs": MetadataValue.url(f"{DOCS}/ml/iris"),
            "tagbase/column_schema": TableSchema.from_name_type_dict(
                {
                    "sepal_length_cm": "float",
                    "sepal_width_cm": "float",
                    "petal_length_cm": "float",
                    "petal_width_cm": "float",
                    "species": "string",
                }
            ),
        },
        owners=("team:ml",),
        description="Fisher's iris measurements, loaded and cleaned by data_loader.",
    ),
)

PIPELINES: tuple[_Definition, ...] = (
    _Definition(
        Kind.JOB,
        TRAINING,
        tags=["batch_run", "daily"],
        metadata={"owner": "data team", "docs": MetadataValue.url(f"{DOCS}/ml/training")},
        owners=("team:ml",),
        description="Loads iris_data, trains and evaluates iris_classifier every night.",
    ),
    _Definition(
        Kind.JOB,
        "experiment_pipeline",
        tags=[Tag("experiment_42", cascade=True), "training"],
        metadata={"owner": "ml research", "docs": MetadataValue.url(f"{DOCS}/ml/experiments")},
        owners=("team:ml",),
        description="Hyper-parameter sweeps for the next iris_classifier.",
    ),
    _Definition(
        Kind.JOB,
        "production_pipeline",
        tags=["production"],
        metadata={"owner": "risk team", "docs": MetadataValue.url(f"{DOCS}/risk/scoring")},
        owners=("team:risk",),
        description="Scores the day's transactions with the production fraud_detector.",
    ),
    _Definition(
        Kind.JOB,
        "my_job_with_tags",
        tags={"foo": "bar"},
        metadata={"owner": "api team", "docs": MetadataValue.url(f"{DOCS}/api/jobs")},
        owners=("team:api",),
        description="The job tags example: every run carries foo=bar.",
    ),
    _Definition(
        Kind.JOB,
        "marketing_job",
        tags={"tagbase/max_runtime": 10},
        metadata={"owner": "marketing analytics", "selection": "*"},
        owners=("team:marketing",),
        description="Materializes leads, customers, orders and marketing_summary.",
    ),
)

MODELS: tuple[_Definition, ...] = (
    _Definition(
        Kind.MODEL,
        IRIS_CLASSIFIER,
        tags=["classification", "iris-dataset"],
        metadata={"framework": "scikit-learn", "trained_on": MetadataValue.asset(IRIS_DATA)},
        owners=("team:ml",),
        description="Predicts the species of an iris from its measurements.",
    ),
    _Definition(
        Kind.MODEL,
        FRAUD_DETECTOR,
        tags=["fraud-detection"],
        metadata={"framework": "xgboost", "docs": MetadataValue.url(f"{DOCS}/risk/model")},
        owners=("team:risk", "alan.turing@example.com"),
        description="Flags card transactions that are likely fraudulent.",
    ),
)

RUN_TEMPLATES: tuple[_Definition, ...] = (
    _Definition(
        Kind.RUN_TEMPLATE,
        "nightly_training",
        tags=["daily_training", "approved"],
        metadata={"cron": "0 2 * * *", "run_config": {"trainer": {"max_iter": 200}}},
        description="The nightly training launch, with the approved configuration.",
        scope=TRAINING,
    ),
)


# -- versions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Version:
    name: str
    tags: TagsInput
    metadata: Mapping[str, object]
    created_at: datetime | None = None


def _iris_metadata(rows: int, missing: int, sepal: float, file: str) -> dict[str, object]:
    return {
        "tagbase/row_count": rows,
        "missing_values": missing,
        "mean_sepal_length_cm": sepal,
        "tagbase/uri": f"{LAKE}/ml/iris_data/{file}.parquet",
    }


def _scores(accuracy: float, precision: float, recall: float) -> dict[str, object]:
    f1 = 2 * precision * recall / (precision + recall)
    return {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": round(f1, 4)}


IRIS_DATA_VERSIONS: tuple[_Version, ...] = (
    _Version("1", ["raw", "cleaned"], _iris_metadata(150, 4, 5.843, "1"),
             datetime(2023, 6, 1, 2, tzinfo=UTC)),
    _Version("2", ["raw", "cleaned"], _iris_metadata(149, 1, 5.838, "2"),
             datetime(2023, 6, 8, 2, tzinfo=UTC)),
    _Version("2023-06-15", ["raw", "cleaned"], _iris_metadata(147, 0, 5.851, "2023-06-15"),
             datetime(2023, 6, 15, 2, tzinfo=UTC)),
)  # fmt: skip
IRIS_CLASSIFIER_VERSIONS: tuple[_Version, ...] = (
    _Version("1.0.0", ["production", "sklearn", "logistic-regression", CHAMPION],
             {**_scores(0.913, 0.918, 0.902), "training_rows": 120}),
    _Version("2.0.0", ["candidate", "experiment-42", CHAMPION],
             {**_scores(0.953, 0.957, 0.949), "training_rows": 118}),
)  # fmt: skip
FRAUD_DETECTOR_VERSIONS: tuple[_Version, ...] = (
    _Version("3.1.0", ["production", "xgboost", "fraud-detection", "2023-05-training"],
             {**_scores(0.981, 0.842, 0.771), "auc": 0.941}),
    _Version("3.2.1",
             [Tag("production", exclusive=True), "xgboost", "fraud-detection", "2023-07-training"],
             {**_scores(0.986, 0.871, 0.804), "auc": 0.957}),
)  # fmt: skip


# -- a month of runs and materializations --------------------------------------------------

_RunDetails: TypeAlias = tuple[dict[str, str], dict[str, object]]


def _training_run(rng: random.Random, at: datetime, ok: bool) -> _RunDetails:
    tags = {
        "env": "prod",
        "tagbase/schedule_name": "nightly_training_schedule",
        "tagbase/partition": at.date().isoformat(),
    }
    if not ok:
        return tags, {"duration_s": round(rng.uniform(20, 90), 1), "error": "OOM in trainer"}
    accuracy = round(rng.uniform(0.9, 0.96), 4)
    return tags, {"accuracy": accuracy, "duration_s": round(rng.uniform(300, 900), 1)}


def _experiment_run(rng: random.Random, at: datetime, ok: bool) -> _RunDetails:
    tags = {"env": "dev", rng.choice(["v1", "v2"]): ""}
    if not ok:
        return tags, {"duration_s": round(rng.uniform(5, 60), 1), "error": "diverged"}
    accuracy = round(rng.uniform(0.82, 0.97), 4)
    if accuracy > 0.9:  # as the seed's evaluation_step does
        tags["high_accuracy"] = ""
    learning_rate = rng.choice([0.001, 0.003, 0.01, 0.03])
    return tags, {"accuracy": accuracy, "learning_rate": learning_rate, "epochs": 20}


def _production_run(rng: random.Random, at: datetime, ok: bool) -> _RunDetails:
    tags = {
        "env": "prod",
        "tagbase/priority": "10",
        "tagbase/schedule_name": "fraud_scoring_schedule",
        "tagbase/image": "registry.example.com/fraud-scoring:3.2.1",
    }
    if not ok:
        return tags, {"error": "feature store timed out"}
    scored = rng.randint(40_000, 60_000)
    flagged = int(scored * rng.uniform(0.002, 0.006))
    return tags, {"transactions_scored": scored, "transactions_flagged": flagged}


def _tagged_job_run(rng: random.Random, at: datetime, ok: bool) -> _RunDetails:
    tags = {"env": rng.choice(["dev", "prod"])}
    if rng.random() < 0.4:
        tags["tagbase/sensor_name"] = "new_upload_sensor"
    return tags, {"duration_s": round(rng.uniform(1, 30), 1)}


def _marketing_run(rng: random.Random, at: datetime, ok: bool) -> _RunDetails:
    trigger = (
        ("tagbase/backfill", "marketing_backfill_0412")
        if rng.random() < 0.2
        else ("tagbase/schedule_name", "marketing_daily")
    )
    tags = {"env": "prod", "tagbase/partition": at.date().isoformat(), trigger[0]: trigger[1]}
    return tags, {"duration_s": round(rng.uniform(4, 9.5), 1)}


@dataclass(frozen=True, slots=True)
class _RunPlan:
    pipeline: str
    count: int
    failure_rate: float
    details: Callable[[random.Random, datetime, bool], _RunDetails]


RUN_PLANS: tuple[_RunPlan, ...] = (
    _RunPlan(TRAINING, 30, 0.07, _training_run),
    _RunPlan("experiment_pipeline", 70, 0.15, _experiment_run),
    _RunPlan("production_pipeline", 45, 0.04, _production_run),
    _RunPlan("my_job_with_tags", 25, 0.1, _tagged_job_run),
    _RunPlan("marketing_job", 30, 0.1, _marketing_run),
)


@dataclass(frozen=True, slots=True)
class _Materializations:
    asset: str
    count: int
    rows: int
    daily_growth: int


MATERIALIZATIONS: tuple[_Materializations, ...] = (
    _Materializations("leads", 10, 12_400, 160),
    _Materializations("customers", 10, 2_310, 21),
    _Materializations("orders", 10, 8_950, 95),
    _Materializations("marketing_summary", 10, 4, 0),
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

    def ensure(self, definition: _Definition) -> Entity:
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
    loader: _Loader, plan: _RunPlan, job: Entity, exclusive: set[str], rng: random.Random
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
    loader: _Loader, plan: _Materializations, rng: random.Random
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


def _seed_model(loader: _Loader, model: str, versions: Sequence[_Version]) -> bool:
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
                **_scores(accuracy, accuracy + 0.004, accuracy - 0.004),
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
    metadata = _iris_metadata(
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
    own, metadata = _training_run(rng, loader.now, ok=True)
    tags = _run_tags(job, own, leave_out=set()) | {LATEST: ""}
    loader.note(loader.client.create_run(TRAINING, tags=tags, metadata=metadata, status="success"))
