"""Helpers of the worker tests."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

from tagbase import Client

Spawn = Callable[..., subprocess.Popen[bytes]]


def wait_for(check: Callable[[], object], timeout: float = 30.0, what: str = "") -> object:
    """Poll until `check()` is truthy; its value."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")


def status(client: Client, run_id: str) -> str | None:
    return client.get_run(run_id).status
