"""Serving the app: the bind check, then uvicorn."""

from __future__ import annotations

from fastapi import FastAPI

from tagbase._client import Client
from tagbase._config import Config
from tagbase.definitions import Definitions
from tagbase.server._app import create_app
from tagbase.server._security import LOOPBACK_NAMES, Security, check_bind, is_loopback

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000


def server_app(
    config: Config,
    client: Client,
    host: str,
    definitions: Definitions | None = None,
    *,
    queue: bool = False,
) -> FastAPI:
    """The app to serve on `host`, or InvalidInputError if that address needs tokens that
    are not configured. Without tokens, only loopback host names are answered."""
    local_only = is_loopback(host) and not (config.read_tokens or config.write_tokens)
    security = Security.from_config(config, LOOPBACK_NAMES if local_only else None)
    check_bind(host, security)
    return create_app(client, definitions=definitions, security=security, queue=queue)


def run_server(app: FastAPI, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="info")
