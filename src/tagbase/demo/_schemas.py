"""The table schemas and column lineage of the demo's marketing tables (Dagster's `leads`)."""

from __future__ import annotations

from collections.abc import Sequence

from tagbase.metadata import (
    AssetKey,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableConstraints,
    TableSchema,
)


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
