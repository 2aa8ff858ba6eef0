"""The contract suite names no implementation detail, so another store can run it unchanged."""

from __future__ import annotations

import ast
from pathlib import Path

SUITE = Path(__file__).parent


def _details(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Attribute) and node.attr == "engine":
            names = [".engine"]
        else:
            continue
        found += [
            f"{path.name}:{node.lineno}: {name}"
            for name in names
            if name.startswith(("sqlalchemy", "tagbase.store._", "."))
        ]
    return found


def test_the_contract_suite_uses_no_engine_table_or_private_store_module() -> None:
    files = sorted(SUITE.glob("*.py"))
    assert len(files) > 5
    assert [detail for path in files for detail in _details(path)] == []
