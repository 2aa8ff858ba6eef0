"""Worker processes for tests: `tagbase worker` started as a subprocess (never forked from
pytest), on the test's store, with quick heartbeats."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.orchestration.queue_support import Spawn

PROJECT = """
import os
import time
from pathlib import Path

from tagbase import add_tags, job, op

HOLD = Path(os.environ["TAGBASE_TEST_HOLD"])


@op
def noop() -> int:
    return 1


@op
def first() -> int:
    return 1


@op
def hold(value: int) -> int:
    while HOLD.exists():  # the test holds the run here until it removes the file
        time.sleep(0.05)
    return value + 1


@op
def after(value: int) -> int:
    return value + 1


@op
def sleep_long() -> int:
    time.sleep(60)
    return 1


@op
def mark() -> int:
    add_tags(["checked"])  # in a step, no target: the step's own run
    return 1


@job
def trivial():
    noop()


@job
def marking():
    mark()


@job
def held():
    after(hold(first()))


@job
def sleepy():
    sleep_long()
"""

SETTINGS = "run_queue:\n  heartbeat_interval_s: 0.3\n  heartbeat_timeout_s: 2\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = Path(os.environ["TAGBASE_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "tagbase.yaml").write_text(SETTINGS)
    monkeypatch.setenv("TAGBASE_TEST_HOLD", str(tmp_path / "hold"))
    path = tmp_path / "project.py"
    path.write_text(PROJECT)
    return path


@pytest.fixture
def spawn_worker(project: Path, tmp_path: Path) -> Iterator[Spawn]:
    started: list[subprocess.Popen[bytes]] = []

    def spawn(*extra: str) -> subprocess.Popen[bytes]:
        log = open(tmp_path / f"worker{len(started)}.log", "wb")  # noqa: SIM115 - kept open
        command = [sys.executable, "-c", "from tagbase.cli import main; main()"]
        process = subprocess.Popen(
            [*command, "worker", "-f", str(project), *extra], stdout=log, stderr=log
        )
        log.close()
        started.append(process)
        return process

    yield spawn
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
