"""Serving the app: the bind check, the socket, then uvicorn."""

from __future__ import annotations

import socket

from fastapi import FastAPI

from tagbase._client import Client
from tagbase._config import Config
from tagbase._errors import InvalidInputError
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
    security = checked_security(config, host, tokens_stored=bool(client.store.list_tokens()))
    return create_app(client, definitions=definitions, security=security, queue=queue)


def checked_security(config: Config, host: str, *, tokens_stored: bool = False) -> Security:
    """The security of a server on `host`, or InvalidInputError if that address needs tokens
    that are neither configured nor stored."""
    configured = bool(config.read_tokens or config.write_tokens)
    local_only = is_loopback(host) and not configured and not tokens_stored
    security = Security.from_config(config, LOOPBACK_NAMES if local_only else None)
    check_bind(host, security, tokens_stored=tokens_stored)
    return security


def bind(host: str, port: int) -> socket.socket:
    """The listening socket of the server, bound before the server is announced, so that a
    taken port or an unknown address is an error naming it rather than a log line."""
    listening: socket.socket | None = None
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listening = socket.socket(family, kind, proto)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
    except OSError as error:
        if listening is not None:
            listening.close()
        raise InvalidInputError(
            f"cannot serve on {host}:{port}: {error.strerror or error}. Fix: choose another "
            "--port (or --host), or stop the program that holds this one"
        ) from None
    return listening


def run_server(app: FastAPI, host: str, port: int, listening: socket.socket | None = None) -> None:
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="info")
    uvicorn.Server(config).run(sockets=None if listening is None else [listening])
