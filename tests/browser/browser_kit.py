"""What browser tests share besides fixtures: the served app's address and the problems a
page met. (A module of its own: test modules cannot import `conftest` unambiguously.)"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from tagbase.client import Client


@dataclass(frozen=True, slots=True)
class Served:
    url: str
    client: Client

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Problems:
    """Script errors and failed requests a page met (a test ends by checking there are none)."""

    seen: list[str]

    def check(self) -> None:
        assert self.seen == [], self.seen
