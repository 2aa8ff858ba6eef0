"""`tagbase demo`: load a small catalog and show around it."""

from __future__ import annotations

import click

from tagbase._demo import load_demo
from tagbase._kinds import Kind
from tagbase.cli._app import State, pass_state
from tagbase.cli._entities import list_entities
from tagbase.cli._render import print_tag_definitions, shown_location

DEMO_RUNS = 10
TRY = (
    "tagbase model version update iris_classifier 1.0.0 --tag champion",
    "tagbase tag history --tag champion",
    "tagbase run list --filter 'tag:env=prod and not tag:high_accuracy'",
)


@click.command("demo")
@pass_state
def demo(state: State) -> None:
    """Load a demo catalog (models, artifacts, pipeline runs, tags) and show some of it."""
    client = state.client
    added = load_demo(client)
    click.echo(f"Demo loaded: {added}")
    list_entities(client, Kind.MODEL)
    list_entities(client, Kind.MODEL_VERSION, scope="iris_classifier")
    list_entities(client, Kind.ASSET_VERSION, scope="iris_data")
    list_entities(client, Kind.RUN, limit=DEMO_RUNS)
    print_tag_definitions(client.list_tags(registered_only=True), "Registered tags")
    click.echo(f"\nThe catalog is at {shown_location(client.store.url)}. Try:")
    for command in TRY:
        click.echo(f"  {command}")
