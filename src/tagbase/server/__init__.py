"""The HTTP side of tagbase: a REST API under /api and the web UI, in one FastAPI app."""

from tagbase.server._app import create_app

__all__ = ["create_app"]
