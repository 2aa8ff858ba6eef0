"""A long fuzz run of the REST API: the schemathesis test of `make test` with many more examples
per operation, on SQLite and PostgreSQL. Prints a table of operations, cases and failures.

    .venv/bin/python benchmarks/fuzz_api.py [EXAMPLES]      # default 1000 per operation

A failure (a 500, a response off its schema, a write without a token) stops its database's run
and is printed with the operation and the request that found it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
FUZZED = re.compile(r"fuzzed: (\d+) operations, (\d+) cases")


def run(examples: int, test: str) -> tuple[str, list[tuple[int, int]], float, str]:
    env = {**os.environ, "CI": "true", "TAGBASE_FUZZ_EXAMPLES": str(examples)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         f"tests/server/test_fuzz.py::{test}"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    counts = [(int(a), int(b)) for a, b in FUZZED.findall(done.stdout)]
    outcome = "clean" if done.returncode == 0 else "FAILED"
    return outcome, counts, seconds, done.stdout[-3000:] if done.returncode else ""


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    table = Table(title=f"REST API fuzz, {examples} examples per operation")
    for column in ("test (sqlite, postgresql)", "operations", "cases", "seconds", "outcome"):
        table.add_column(column)
    failures = []
    for test in ("test_no_server_errors", "test_writes_need_a_write_token"):
        outcome, counts, seconds, output = run(examples, test)
        operations = " / ".join(str(o) for o, _ in counts) or "-"
        cases = " / ".join(f"{c:,}" for _, c in counts) or "-"
        table.add_row(test, operations, cases, f"{seconds:.0f}", outcome)
        if output:
            failures.append(output)
    Console().print(table)
    for output in failures:
        print(output)


if __name__ == "__main__":
    main()
