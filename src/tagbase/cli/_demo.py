"""`tagbase demo`: run the example project a few times, show what it recorded, and serve it."""

from __future__ import annotations

import os

import click
from rich import box
from rich.table import Table
from rich.text import Text

from tagbase._client import Client
from tagbase._kinds import Kind
from tagbase._records import Entity
from tagbase.cli._app import State, pass_state
from tagbase.cli._render import (
    console,
    plural,
    print_entities,
    print_tag_definitions,
    short_time,
    shown_location,
    shown_name,
    tag_cell,
)
from tagbase.definitions import Definitions
from tagbase.demo import DEFAULT_ROUNDS, EXAMPLES_MODULE, SERIES, DemoRuns, run_demo

NEWEST_RUNS = 15
MOVES_SHOWN = 8
SPARKS = "▁▂▃▄▅▆▇█"
SCORES = ("accuracy", "auc", "precision", "recall", "training_rows")
TRY = (
    f"tagbase load -m {EXAMPLES_MODULE}",
    f"tagbase materialize --select 'tag:refresh=nightly' -m {EXAMPLES_MODULE}",
    f"tagbase run iris_training -m {EXAMPLES_MODULE} --tag env=dev",
    "tagbase artifact metadata leads tagbase/row_count",
    "tagbase model version list iris_classifier",
    "tagbase tag history --tag champion",
    "tagbase run list --filter 'tag:env=demo and tag:high_accuracy'",
)


@click.command("demo")
@click.option(
    "--rounds",
    default=DEFAULT_ROUNDS,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many times to run each job of the example project.",
)
@click.option("--serve", is_flag=True, help="Then serve the web UI (and API) over the catalog.")
@click.option("--port", default=3000, show_default=True, type=int, help="The port to serve on.")
@pass_state
def demo(state: State, rounds: int, serve: bool, port: int) -> None:
    """Run the example project (marketing assets, iris and fraud model training, reports) a
    few times, so the catalog has history, and show what it recorded."""
    _share_options(state)
    client = state.client
    made = run_demo(client, rounds)
    print_demo(client, made)
    if serve:
        _serve(state, made.definitions, port)


def _share_options(state: State) -> None:
    """Step code and the artifact store read the environment: give them --home and
    --database-url too, so everything the demo runs writes to the catalog shown."""
    if state.home is not None:
        os.environ["TAGBASE_HOME"] = state.home
    if state.database_url is not None:
        os.environ["TAGBASE_DATABASE_URL"] = state.database_url


def print_demo(client: Client, made: DemoRuns) -> None:
    out = console()
    failed = sum(not run.success for run in made.runs)
    out.print(
        Text(
            f"Ran the example project: {plural(len(made.runs), 'run')} "
            f"({failed} failed), {plural(made.asset_versions, 'artifact version')}."
        )
    )
    out.print(_assets_table(client))
    print_entities(client.list(Kind.RUN, size=NEWEST_RUNS), Kind.RUN, "Newest runs")
    out.print(_models_table(client))
    out.print(_series_table(client))
    out.print(_moves_table(client))
    print_tag_definitions(client.list_tags(registered_only=True), "Registered tags")
    out.print(Text(f"\nThe catalog is at {shown_location(client.store.url)}. Try:"))
    for command in TRY:
        out.print(Text(f"  {command}"))


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _latest_value(entity: Entity, key: str) -> str:
    value = entity.metadata.get(key)
    return "" if value is None else str(getattr(value, "value", value))


def _assets_table(client: Client) -> Table:
    table = _table("Assets", "asset", "owners", "tags", "versions", "rows (newest)")
    for asset in client.list(Kind.ASSET, size=100):
        newest = client.list(Kind.ASSET_VERSION, scope=asset.id, size=1)
        table.add_row(
            Text(asset.name),
            Text(", ".join(asset.owners)),
            tag_cell(asset.tags.assigned),
            Text(str(newest.total)),
            Text(_latest_value(newest.items[0], "tagbase/row_count") if newest.items else ""),
        )
    return table


def _models_table(client: Client) -> Table:
    table = _table("Model versions", "model", "version", "tags", *SCORES, "created (UTC)")
    for version in client.list(Kind.MODEL_VERSION, size=50):
        table.add_row(
            Text(version.scope.name if version.scope else ""),
            Text(version.name),
            tag_cell(version.tags.assigned),
            *(Text(_latest_value(version, key)) for key in SCORES),
            Text(short_time(version.created_at)),
        )
    return table


def sparkline(values: list[float]) -> str:
    """The values as a row of bars, lowest to highest."""
    low, high = min(values, default=0.0), max(values, default=0.0)
    span = (high - low) or 1.0
    return "".join(SPARKS[round((value - low) / span * (len(SPARKS) - 1))] for value in values)


def _series_table(client: Client) -> Table:
    table = _table("Metric series (oldest first)", "series", "points", "trend", "last values")
    for kind, name, key in SERIES:
        values = [float(point.value) for point in client.metadata_series(kind, name, key)]
        shown = ", ".join(f"{value:g}" for value in values[-6:])
        table.add_row(Text(f"{name} {key}"), Text(str(len(values))), sparkline(values), shown)
    return table


def _moves_table(client: Client) -> Table:
    table = _table("Exclusive tag moves (newest first)", "tag", "from", "to", "at (UTC)")
    for tag in ("latest", "champion"):
        moves = [e for e in client.tag_history(tag=tag, limit=200) if e.reason == "moved"]
        for event in moves[:MOVES_SHOWN]:
            table.add_row(
                Text(tag),
                Text(shown_name(event.entity)),
                Text(shown_name(event.moved_to) if event.moved_to else ""),
                Text(short_time(event.at)),
            )
    return table


def _serve(state: State, definitions: Definitions, port: int) -> None:
    try:
        from tagbase.server import _pages  # the web stack is slow to import: only here
        from tagbase.server._serve import DEFAULT_HOST, run_server, server_app
    except ImportError as error:  # the server's dependencies are missing
        click.echo(f"\nThe web UI cannot start here ({error}); the catalog is ready anyway.")
        return
    if not _pages.router.routes:
        click.echo("\nThis tagbase has no web UI pages yet; `tagbase serve` serves the API.")
        return
    app = server_app(state.config(), state.client, DEFAULT_HOST, definitions)
    click.echo(f"\nThe web UI: http://{DEFAULT_HOST}:{port} (Ctrl+C stops it)")
    run_server(app, DEFAULT_HOST, port)
