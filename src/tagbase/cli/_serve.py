"""`tagbase serve`: the REST API and the web UI, on 127.0.0.1:3000 unless told otherwise."""

from __future__ import annotations

import click

from tagbase.cli._app import State, pass_state
from tagbase.cli._execution import _load, source_options


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to bind. Any other than a loopback address needs tokens "
    "(server.read_tokens / server.write_tokens in tagbase.yaml).",
)
@click.option("--port", default=3000, show_default=True, type=int, help="The port to bind.")
@click.option(
    "--queue",
    is_flag=True,
    help="Launch runs into the run queue for workers (`tagbase worker`) instead of running "
    "them in the server.",
)
@source_options
@pass_state
def serve(
    state: State, host: str, port: int, queue: bool, file: str | None, module: str | None
) -> None:
    """Serve the REST API (/api, OpenAPI at /api/openapi.json) and the web UI.

    With -f FILE or -m MODULE, the jobs they define can be launched from the API and the UI.
    """
    from tagbase.server import _serve  # the web stack is slow to import: only here

    definitions = None if file is None and module is None else _load(state, file, module)
    app = _serve.server_app(state.config(), state.client, host, definitions, queue=queue)
    listening = _serve.bind(host, port)  # a refusal is an error here, before any URL is shown
    click.echo(f"tagbase serving on http://{host}:{port} (API docs at /api/docs)")
    _serve.run_server(app, host, port, listening)
