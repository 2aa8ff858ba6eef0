"""The web UI's pages, rendered by Jinja2 from the same data the API serves."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
