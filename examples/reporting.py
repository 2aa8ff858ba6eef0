"""Jobs made of plain ops: the weekly campaign report, and a clean-up of stale leads.

Ops pass values in memory and record no asset versions; their runs carry the job's tags.
"""

from __future__ import annotations

import pandas as pd

from tagbase import Client, MetadataValue, OpExecutionContext, graph, job, op

from . import data


@op(tags={"reads": "catalog"})
def fetch_channel_summary() -> pd.DataFrame:
    """The newest `leads_by_channel` (materialize it first: `nightly_marketing` does)."""
    summary: pd.DataFrame = Client().load_artifact("leads_by_channel")
    return summary


@op
def render_report(summary: pd.DataFrame) -> str:
    lines = [
        f"- {row.source}: {row.leads} leads, {row.hot_share:.0%} hot"
        for row in summary.itertuples()
    ]
    return "# Leads this week\n" + "\n".join(lines)


@op(tags={"channel": "slack"})
def publish_report(context: OpExecutionContext, report: str) -> None:
    context.log.info("posted to #growth:\n%s", report)
    context.add_run_metadata({"report": MetadataValue.md(report)})


@job(
    tags={"team": "growth", "report": "weekly"},
    metadata={
        "owner": "growth analytics",
        "docs": MetadataValue.url("https://docs.example.com/growth/weekly-report"),
        "recipients": ["growth@example.com", "sales@example.com"],
    },
)
def weekly_campaign_report() -> None:
    """Post the leads per channel to the growth team's channel."""
    publish_report(render_report(fetch_channel_summary()))


@op
def find_stale_leads(context: OpExecutionContext) -> pd.DataFrame:
    rng = data.generator(context.run_id)
    frame = data.leads(rng, rows=300)
    return frame[frame.created_at < pd.Timestamp("2024-02-01", tz="UTC")]


@op(tags={"writes": "crm"})
def archive_leads(context: OpExecutionContext, stale: pd.DataFrame) -> int:
    context.add_run_metadata({"archived": len(stale)})
    return len(stale)


@graph
def lead_hygiene() -> None:
    """Archive leads that signed up long ago and never bought."""
    archive_leads(find_stale_leads())


lead_hygiene_job = lead_hygiene.to_job(
    "lead_hygiene",
    tags={"team": "growth", "maintenance": "true"},
    metadata={"owner": "growth analytics", "runbook": MetadataValue.url(
        "https://docs.example.com/growth/runbooks/lead-hygiene"
    )},
)  # fmt: skip
