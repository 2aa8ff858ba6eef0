"""What a page handler reads from the app: the client and the launcher the API uses too."""

from __future__ import annotations

from fastapi import Request

from tagbase.definitions import Definitions
from tagbase.server._api._deps import client_of, launcher_of

__all__ = ["client_of", "definitions_of", "launchable", "launcher_of"]


def definitions_of(request: Request) -> Definitions | None:
    """The definitions the server was started with, if any."""
    return launcher_of(request).definitions


def launchable(request: Request) -> frozenset[str]:
    """The jobs this server can run (those of its definitions)."""
    return frozenset(launcher_of(request).job_names)
