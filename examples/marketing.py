"""The growth team's lead tables, refreshed every night by an asset job that selects them by tag.

`crm_contacts` is made elsewhere (the CRM export): an `AssetSpec` the others depend on.
`leads` is cleaned from it; `hot_leads` and `cold_leads` split it by score; `leads_by_channel`
sums it up, with column lineage to both; `campaign_audience` is a graph of ops over the hot
leads. Every asset tagged `refresh=nightly` belongs to the `nightly_marketing` job.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from tagbase import (
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    Output,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableSchema,
    asset,
    define_asset_job,
    graph_asset,
    multi_asset,
    op,
)

from . import data

DOCS = "https://docs.example.com/growth"
HOT_SCORE = 70.0


def _column(
    name: str,
    type_: str,
    description: str,
    *,
    required: bool = False,
    unique: bool = False,
    pii: bool = False,
) -> TableColumn:
    constraints = TableColumnConstraints(nullable=not required, unique=unique)
    return TableColumn(name, type_, description, constraints, {"pii": "true"} if pii else None)


LEADS_SCHEMA = TableSchema(
    columns=[
        _column("lead_id", "int", "Id of the lead", required=True, unique=True),
        _column("email", "string", "Contact address", required=True, unique=True, pii=True),
        _column("full_name", "string", "Name as entered on the form", pii=True),
        _column("source", "string", "Acquisition channel: ads, web, event or referral"),
        _column("score", "float", "Likelihood to buy, 0 to 100"),
        _column("created_at", "timestamp", "When the lead signed up", required=True),
    ]
)  # fmt: skip
CHANNEL_SCHEMA = TableSchema(
    columns=[
        _column("source", "string", "Acquisition channel", required=True, unique=True),
        _column("leads", "int", "Leads from the channel", required=True),
        _column("hot_leads", "int", f"Leads scoring {HOT_SCORE:g} or more", required=True),
        _column("hot_share", "float", "hot_leads / leads"),
        _column("mean_score", "float", "Mean score of the channel's leads"),
    ]
)  # fmt: skip


def _from(asset_name: str, *columns: str) -> list[TableColumnDep]:
    return [TableColumnDep(AssetKey(asset_name), column) for column in columns]


CHANNEL_LINEAGE = TableColumnLineage(
    deps_by_column={
        "source": _from("leads", "source"),
        "leads": _from("leads", "lead_id"),
        "hot_leads": _from("hot_leads", "lead_id"),
        "hot_share": _from("leads", "lead_id") + _from("hot_leads", "lead_id"),
        "mean_score": _from("leads", "score"),
    }
)

crm_contacts = AssetSpec(
    "crm_contacts",
    description="Contacts the CRM exports every night; made outside tagbase.",
    owners=["team:sales-ops"],
    tags={"domain": "sales", "source": "crm"},
    kinds={"salesforce"},
    group_name="marketing",
    metadata={"tagbase/relation_identifier": "crm.export.contacts"},
)


@asset(
    deps=[crm_contacts],
    tags={"domain": "marketing", "pii": "true", "refresh": "nightly"},
    owners=["team:growth", "ada.lovelace@example.com"],
    kinds={"python", "pandas"},
    group_name="marketing",
    code_version="2",
    metadata={
        "tagbase/column_schema": LEADS_SCHEMA,
        "tagbase/relation_identifier": "marketing.crm.leads",
        "docs": MetadataValue.url(f"{DOCS}/leads"),
        "snippet": MetadataValue.md("One row per person who signed up; `email` is unique."),
    },
    description="People who showed interest in the product, cleaned from the CRM export.",
)
def leads(context: AssetExecutionContext) -> pd.DataFrame:
    rng = data.generator(context.run_id)
    raw = data.leads(rng, rows=int(rng.integers(800, 1200)))
    cleaned = raw.drop_duplicates(subset="email")
    context.add_output_metadata(
        {"duplicates_removed": len(raw) - len(cleaned), "mean_score": float(cleaned.score.mean())}
    )
    return cleaned


@multi_asset(
    outs={
        "hot_leads": AssetOut(
            tags={"domain": "marketing", "tier": "hot", "refresh": "nightly"},
            metadata={"min_score": HOT_SCORE},
            owners=["team:growth"],
            kinds={"pandas"},
            description=f"Leads scoring {HOT_SCORE:g} or more: sales calls them this week.",
        ),
        "cold_leads": AssetOut(
            tags={"domain": "marketing", "tier": "cold", "refresh": "nightly"},
            metadata={"max_score": HOT_SCORE},
            owners=["team:growth"],
            kinds={"pandas"},
            description="The other leads: they get the newsletter.",
        ),
    },
    group_name="marketing",
)
def split_leads(leads: pd.DataFrame) -> Iterator[Output]:
    hot = leads[leads.score >= HOT_SCORE]
    yield Output(hot, output_name="hot_leads", metadata={"share": round(len(hot) / len(leads), 4)})
    yield Output(leads[leads.score < HOT_SCORE], output_name="cold_leads")


@asset(
    tags={"domain": "marketing", "refresh": "nightly"},
    owners=["team:growth"],
    kinds={"python", "pandas"},
    group_name="marketing",
    metadata={
        "tagbase/column_schema": CHANNEL_SCHEMA,
        "tagbase/column_lineage": CHANNEL_LINEAGE,
        "tagbase/relation_identifier": "marketing.reporting.leads_by_channel",
    },
    description="Leads, hot leads and mean score per acquisition channel.",
)
def leads_by_channel(leads: pd.DataFrame, hot_leads: pd.DataFrame) -> MaterializeResult:
    summary = pd.DataFrame(
        {
            "leads": leads.groupby("source").size(),
            "hot_leads": hot_leads.groupby("source").size(),
            "mean_score": leads.groupby("source").score.mean().round(1),
        }
    ).fillna(0)
    summary["hot_leads"] = summary.hot_leads.astype(int)
    summary["hot_share"] = (summary.hot_leads / summary.leads).round(4)
    summary = summary.reset_index(names="source")
    best = str(summary.sort_values("hot_share").source.iloc[-1])
    return MaterializeResult(value=summary, metadata={"best_channel": best})


@op(tags={"channel": "email"})
def choose_recipients(hot_leads: pd.DataFrame) -> pd.DataFrame:
    return hot_leads[["lead_id", "email", "full_name", "source"]]


@op
def drop_unsubscribed(recipients: pd.DataFrame) -> pd.DataFrame:
    """Every 20th lead has unsubscribed (the CRM says so; here, the id says so)."""
    return recipients[recipients.lead_id % 20 != 0]


@graph_asset(
    tags={"domain": "marketing", "pii": "true", "refresh": "nightly"},
    owners=["team:growth"],
    kinds={"pandas"},
    group_name="marketing",
    description="Who gets this week's campaign e-mail.",
)
def campaign_audience(hot_leads: pd.DataFrame) -> pd.DataFrame:
    return drop_unsubscribed(choose_recipients(hot_leads))


nightly_marketing = define_asset_job(
    "nightly_marketing",
    selection="tag:refresh=nightly",
    tags={"team": "growth", "schedule": "nightly", "tagbase/max_runtime": 900},
    metadata={"owner": "growth analytics", "docs": MetadataValue.url(f"{DOCS}/nightly")},
    description="Refreshes every marketing asset tagged refresh=nightly.",
)

ASSETS: tuple[AssetsDefinition | AssetSpec, ...] = (
    crm_contacts,
    leads,
    split_leads,
    leads_by_channel,
    campaign_audience,
)
