"""The whole API fuzzed from its OpenAPI schema: no request makes it fail with a 500, every
response matches its schema, and with tokens configured no write gets through without one.

Runs on a SQLite and a PostgreSQL catalog holding a little of everything, with
TAGBASE_FUZZ_EXAMPLES examples per operation (100 in `make test`; `benchmarks/fuzz_api.py` runs
many more and reports the figures).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tagbase._kinds import Kind
from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import SAFE_METHODS, Security
from tagbase.store import Store

FUZZ = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = int(os.environ.get("TAGBASE_FUZZ_EXAMPLES", "100"))
TOKENS = Security(read_tokens=("reader-secret",), write_tokens=("writer-secret",))


def seed(client: Client) -> None:
    client.create_tag("production", exclusive=True, color="#16a34a", description="live")
    client.create_artifact("orders", tags={"env": "prod", "team": "ml"}, metadata={"rows": 3})
    client.create_artifact_version("orders", tags=["production"], metadata={"rows": 4})
    client.create(Kind.OP, "clean", tags=["etl"])
    client.create_pipeline("daily", tags={"team": "ml"})
    client.create_run("daily", tags={"env": "dev"}, metadata={"loss": 0.5})
    client.create_run_template("nightly", "daily", tags={"env": "prod"})
    client.create_model("churn", owners=["team:ml"])
    client.create_model_version("churn", "v1", tags=["production"])


@pytest.fixture
def catalog(store_url: str) -> Iterator[Client]:
    store = Store(store_url, actor="fuzzer")
    client = Client(store)
    seed(client)
    yield client
    store.close()


def fuzz(app: FastAPI, check: Callable[[schemathesis.Case], None], examples: int) -> int:
    """Run `check` on generated requests for every operation of the app; how many operations
    ran (a line with the count of operations and cases is printed for the fuzz script)."""
    cases = 0
    # with tokens, the schema itself needs one (a read token will do)
    signed_in = {"Authorization": "Bearer reader-secret"}
    headers = signed_in if app.state.security.tokens_configured else {}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    # The event stream never ends, and the test transport waits for a body's end: its
    # arguments are checked by tests/server/test_api_events.py instead.
    operations = [op for op in operations if op.path != "/api/events/stream"]
    for operation in operations:

        @settings(FUZZ, max_examples=examples)
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            nonlocal cases
            cases += 1
            check(case)

        try:
            run()
        except BaseException as error:
            error.add_note(f"operation: {operation.label}")
            raise
    print(f"\nfuzzed: {len(operations)} operations, {cases} cases, no failure")
    return len(operations)


def no_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=CHECKS)


def writes_refused(case: schemathesis.Case) -> None:
    if case.method.upper() in SAFE_METHODS:
        return
    anonymous = case.call()
    if case.path == "/api/session":  # signing in and out is open; a wrong token is refused
        assert anonymous.status_code in ((204,) if case.method == "DELETE" else (401, 422))
        return
    if unrouted(anonymous):
        return
    assert anonymous.status_code == 401, anonymous.text
    reader = case.call(headers={"Authorization": "Bearer reader-secret"})
    assert reader.status_code == 403, reader.text


def unrouted(response: schemathesis.Response) -> bool:
    """A generated path that names no route (e.g. a `ref` with `?`): nothing ran."""
    return response.status_code == 404 and response.json()["error"]["type"] == "NotFound"


def test_no_server_errors(catalog: Client) -> None:
    assert fuzz(create_app(catalog, security=Security()), no_server_error, EXAMPLES) >= 30


def test_writes_need_a_write_token(catalog: Client) -> None:
    assert fuzz(create_app(catalog, security=TOKENS), writes_refused, EXAMPLES // 5) >= 30
