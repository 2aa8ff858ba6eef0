"""Importing definitions writes nothing; loading them from -f syncs the catalog."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tagbase.cli import cli


def test_importing_the_example_definitions_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGBASE_")}
    env["TAGBASE_HOME"] = str(home)
    subprocess.run(
        [sys.executable, "-c", "import tagbase.examples.definitions"], env=env, check=True
    )
    assert list(home.iterdir()) == []


def test_tagbase_load_records_the_definitions(tmp_path: Path) -> None:
    project = tmp_path / "project.py"
    project.write_text("from tagbase import asset\n\n@asset\ndef leads() -> int:\n    return 1\n")
    env = {"TAGBASE_HOME": str(tmp_path / "home"), "TAGBASE_DATABASE_URL": ""}
    runner = CliRunner(env=env)
    assert runner.invoke(cli, ["load", "-f", str(project)]).exit_code == 0
    listed = runner.invoke(cli, ["asset", "list", "--json"])
    assert "leads" in listed.output
