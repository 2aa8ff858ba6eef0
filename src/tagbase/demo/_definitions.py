"""The demo's tag registry and the definitions it creates: assets, pipelines, models and run
templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tagbase._kinds import Kind
from tagbase._tags import Tag, TagsInput
from tagbase.demo._schemas import (
    CUSTOMERS_SCHEMA,
    LEADS_SCHEMA,
    ORDERS_SCHEMA,
    SUMMARY_LINEAGE,
    SUMMARY_SCHEMA,
)
from tagbase.metadata import (
    MetadataValue,
    TableSchema,
    UrlCodeReference,
)

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
class Definition:
    """A definition the demo creates when it is missing."""

    kind: Kind
    name: str
    tags: TagsInput = None
    metadata: Mapping[str, object] = field(default_factory=dict)
    owners: tuple[str, ...] = ()
    description: str | None = None
    scope: str | None = None


ASSETS: tuple[Definition, ...] = (
    Definition(
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
    Definition(
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
    Definition(
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
    Definition(
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
    Definition(
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

PIPELINES: tuple[Definition, ...] = (
    Definition(
        Kind.JOB,
        TRAINING,
        tags=["batch_run", "daily"],
        metadata={"owner": "data team", "docs": MetadataValue.url(f"{DOCS}/ml/training")},
        owners=("team:ml",),
        description="Loads iris_data, trains and evaluates iris_classifier every night.",
    ),
    Definition(
        Kind.JOB,
        "experiment_pipeline",
        tags=[Tag("experiment_42", cascade=True), "training"],
        metadata={"owner": "ml research", "docs": MetadataValue.url(f"{DOCS}/ml/experiments")},
        owners=("team:ml",),
        description="Hyper-parameter sweeps for the next iris_classifier.",
    ),
    Definition(
        Kind.JOB,
        "production_pipeline",
        tags=["production"],
        metadata={"owner": "risk team", "docs": MetadataValue.url(f"{DOCS}/risk/scoring")},
        owners=("team:risk",),
        description="Scores the day's transactions with the production fraud_detector.",
    ),
    Definition(
        Kind.JOB,
        "my_job_with_tags",
        tags={"foo": "bar"},
        metadata={"owner": "api team", "docs": MetadataValue.url(f"{DOCS}/api/jobs")},
        owners=("team:api",),
        description="The job tags example: every run carries foo=bar.",
    ),
    Definition(
        Kind.JOB,
        "marketing_job",
        tags={"tagbase/max_runtime": 10},
        metadata={"owner": "marketing analytics", "selection": "*"},
        owners=("team:marketing",),
        description="Materializes leads, customers, orders and marketing_summary.",
    ),
)

MODELS: tuple[Definition, ...] = (
    Definition(
        Kind.MODEL,
        IRIS_CLASSIFIER,
        tags=["classification", "iris-dataset"],
        metadata={"framework": "scikit-learn", "trained_on": MetadataValue.asset(IRIS_DATA)},
        owners=("team:ml",),
        description="Predicts the species of an iris from its measurements.",
    ),
    Definition(
        Kind.MODEL,
        FRAUD_DETECTOR,
        tags=["fraud-detection"],
        metadata={"framework": "xgboost", "docs": MetadataValue.url(f"{DOCS}/risk/model")},
        owners=("team:risk", "alan.turing@example.com"),
        description="Flags card transactions that are likely fraudulent.",
    ),
)

RUN_TEMPLATES: tuple[Definition, ...] = (
    Definition(
        Kind.RUN_TEMPLATE,
        "nightly_training",
        tags=["daily_training", "approved"],
        metadata={"cron": "0 2 * * *", "run_config": {"trainer": {"max_iter": 200}}},
        description="The nightly training launch, with the approved configuration.",
        scope=TRAINING,
    ),
)
