"""Alembic environment: migrations run on the connection tagbase hands over."""

from __future__ import annotations

from alembic import context

from tagbase.store._schema import metadata_obj

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("tagbase runs migrations through `tagbase db upgrade`")
context.configure(
    connection=connection,
    target_metadata=metadata_obj,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
