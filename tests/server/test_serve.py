"""`tagbase serve`: 127.0.0.1:3000 by default; another address only with tokens."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi import FastAPI

from tagbase._config import Config
from tagbase._errors import InvalidInputError
from tagbase.cli import _dev, cli
from tagbase.client import Client
from tagbase.server import _serve
from tagbase.server._security import LOOPBACK_NAMES


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[FastAPI, str, int]]:
    """Calls to run the server, recorded instead of run (and no port bound)."""
    calls: list[tuple[FastAPI, str, int]] = []

    def run_server(app: FastAPI, host: str = "", port: int = 0, listening: Any = None) -> None:
        calls.append((app, host, port))

    monkeypatch.setattr(_serve, "run_server", run_server)
    monkeypatch.setattr(_serve, "bind", lambda host, port: None)
    return calls


def test_a_public_address_without_tokens_is_refused(client: Client) -> None:
    config = Config.load()
    with pytest.raises(InvalidInputError, match=r"refusing to serve on '0\.0\.0\.0'"):
        _serve.server_app(config, client, "0.0.0.0")


def test_a_public_address_with_tokens_is_served(client: Client) -> None:
    config = Config.load()
    with_tokens = Config(config.home, config.database_url, write_tokens=("w",))
    app = _serve.server_app(with_tokens, client, "0.0.0.0")
    assert app.state.security.tokens_configured
    assert app.state.security.allowed_hosts is None


def test_a_local_server_without_tokens_answers_loopback_names(client: Client) -> None:
    app = _serve.server_app(Config.load(), client, "127.0.0.1")
    assert app.state.security.allowed_hosts == LOOPBACK_NAMES


def test_serve_binds_127_0_0_1_on_port_3000_by_default(
    client: Client, served: list[tuple[FastAPI, str, int]]
) -> None:
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert [(host, port) for _, host, port in served] == [("127.0.0.1", 3000)]
    assert "http://127.0.0.1:3000" in result.output


def test_serve_refuses_a_public_bind_without_tokens(
    client: Client, served: list[tuple[FastAPI, str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAGBASE_READ_TOKENS", raising=False)
    monkeypatch.delenv("TAGBASE_WRITE_TOKENS", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "error: refusing to serve on '0.0.0.0'" in result.output
    assert served == []
    monkeypatch.setenv("TAGBASE_WRITE_TOKENS", "a-long-secret")
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "8080"])
    assert result.exit_code == 0, result.output
    assert [(host, port) for _, host, port in served] == [("0.0.0.0", 8080)]


def test_serve_loads_definitions_to_launch(
    client: Client, served: list[tuple[FastAPI, str, int]], tmp_path: Any
) -> None:
    source = tmp_path / "defs.py"
    source.write_text("from tagbase import job, op\n\n@op\ndef a():\n    return 1\n\n"
                      "@job\ndef nightly():\n    a()\n")  # fmt: skip
    result = CliRunner().invoke(cli, ["serve", "-f", str(source)])
    assert result.exit_code == 0, result.output
    app = served[0][0]
    assert app.state.launcher.job_names == ("nightly",)


def test_serve_can_hand_launches_to_the_run_queue(
    client: Client, served: list[tuple[FastAPI, str, int]]
) -> None:
    assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    assert CliRunner().invoke(cli, ["serve", "--queue"]).exit_code == 0
    assert [app.state.launcher.queue for app, _, _ in served] == [False, True]


def test_serve_refuses_a_taken_port_before_announcing_it(client: Client) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    finally:
        taken.close()

    assert result.exit_code == 1
    assert f"error: cannot serve on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr
    assert "serving on" not in result.stdout


DEFINITIONS = (
    "from tagbase import job, op\n\n@op\ndef a():\n    return 1\n\n@job\ndef nightly():\n    a()\n"
)


@pytest.fixture
def definitions_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("TAGBASE_READ_TOKENS", raising=False)
    monkeypatch.delenv("TAGBASE_WRITE_TOKENS", raising=False)
    source = tmp_path / "defs.py"
    source.write_text(DEFINITIONS)
    return str(source)


def test_dev_refuses_a_public_address_without_tokens_before_starting_anything(
    client: Client, definitions_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawned: list[Any] = []
    monkeypatch.setattr(_dev, "_spawn", lambda *args: spawned.append(args))

    result = CliRunner().invoke(cli, ["dev", "-f", definitions_file, "--host", "0.0.0.0"])

    assert result.exit_code == 1
    assert "error: refusing to serve on '0.0.0.0'" in result.stderr
    assert "http://" not in result.stdout
    assert spawned == []


def test_dev_fails_with_the_reason_when_the_server_does_not_start(
    client: Client, definitions_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every process dev starts says why it cannot run, and exits
    monkeypatch.setattr(_dev, "_CLI", "import sys; print('boom: no server today'); sys.exit(3)")
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()

    result = CliRunner().invoke(cli, ["dev", "-f", definitions_file, "--port", str(port)])

    assert result.exit_code == 1
    assert "the server did not start (exit code 3): boom: no server today" in result.stderr
    assert "server.log" in result.stderr
    assert "http://" not in result.stdout
