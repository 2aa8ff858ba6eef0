"""The store API (`HttpStore` clients): each call needs its role, runs as the token's user,
raises the server's typed error on the client, and bad bodies are 400s, never 500s."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tagbase import EntitySpec, Kind
from tagbase._errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
    UnknownUserError,
)
from tagbase.client import Client
from tagbase.server import create_app
from tagbase.server._security import Security
from tagbase.store import HttpStore, Store


@dataclass
class Team:
    url: str
    store: Store  # the server's own
    tokens: dict[str, str]
    opened: list[HttpStore]

    def as_(self, user: str | None) -> HttpStore:
        remote = HttpStore.connect(self.url, token=self.tokens[user] if user else None)
        self.opened.append(remote)
        return remote


@pytest.fixture
def team(store: Store, store_server: tuple[object, str]) -> Iterator[Team]:
    store.create_user("vic", role="viewer")
    store.create_user("alice", role="editor")
    store.create_user("ada", role="admin")
    store.create_user("worker", role="editor", service=True)
    tokens = {name: store.create_token(name)[0] for name in ("vic", "alice", "ada", "worker")}
    revoked, listed = store.create_token("alice")
    store.revoke_token(listed.id)
    tokens["revoked"] = revoked
    store.add(EntitySpec(Kind.ASSET, "orders"))
    swappable, url = store_server
    swappable.app = create_app(Client(store), security=Security(actor="configured-user"))  # type: ignore[attr-defined]
    team = Team(url, store, tokens, [])
    yield team
    for remote in team.opened:
        remote.close()


def test_a_viewer_reads_and_may_not_write(team: Team) -> None:
    vic = team.as_("vic")
    assert vic.get(Kind.ASSET, "orders").name == "orders"
    with pytest.raises(PermissionDeniedError, match="editor"):
        vic.add(EntitySpec(Kind.ASSET, "payments"))
    with pytest.raises(PermissionDeniedError):
        vic.add_tags(Kind.ASSET, "orders", tags=["x"])
    assert team.store.find(Kind.ASSET, "payments") is None
    assert team.store.get(Kind.ASSET, "orders").tag_names == []


def test_no_token_or_a_revoked_one_is_refused(team: Team) -> None:
    for store in (team.as_(None), team.as_("revoked")):
        with pytest.raises(AuthenticationError, match="set TAGBASE_TOKEN"):
            store.count(Kind.ASSET)


def test_an_editor_writes_as_themself_and_may_not_manage_users(team: Team) -> None:
    alice = team.as_("alice")
    alice.add_tags(Kind.ASSET, "orders", tags=["team=data"], actor="someone-else")
    [assigned] = team.store.get(Kind.ASSET, "orders").tags.assigned
    assert assigned.actor == "alice"  # the token's user, whatever the call claims
    with pytest.raises(PermissionDeniedError, match="admin"):
        alice.create_user("mallory", role="admin")
    assert team.store.get_user("mallory") is None


def test_a_service_account_is_recorded_as_service(team: Team) -> None:
    team.as_("worker").log_metadata(Kind.ASSET, "orders", metadata={"rows": 3})
    [entry] = team.store.metadata_history(Kind.ASSET, "orders", key="rows")
    assert entry.actor == "service:worker"


def test_an_admin_manages_users_over_http(team: Team) -> None:
    ada = team.as_("ada")
    ada.create_user("bob", role="editor", teams=["ml-leads"])
    assert team.store.get_user("bob") is not None
    with pytest.raises(UnknownUserError):
        ada.delete_user("nobody")


def test_errors_arrive_as_the_types_a_database_store_raises(team: Team) -> None:
    alice = team.as_("alice")
    with pytest.raises(NotFoundError) as remote:
        alice.get(Kind.ASSET, "missing")
    with pytest.raises(NotFoundError) as local:
        team.store.get(Kind.ASSET, "missing")
    assert type(remote.value) is type(local.value)
    assert "Fix:" in str(remote.value)


def test_a_call_of_the_wrong_shape_fails_here_as_a_local_call_would(team: Team) -> None:
    with pytest.raises(TypeError):
        team.as_("alice").get(Kind.ASSET)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/store/call/get", b"not json"),
        ("/api/store/call/get", b"[]"),
        ("/api/store/call/get", b'{"a": "x"}'),
        ("/api/store/call/get", b'{"a": [], "k": []}'),
        ("/api/store/call/get", b'{"a": [1, 2, 3, 4, 5]}'),
        ("/api/store/call/get", b'{"a": ["asset"], "k": {"nope": 1}}'),
        ("/api/store/call/get", b'{"a": [{"$r": ["Popen", "sh"]}, "x"]}'),
        ("/api/store/call/list", b'{"a": ["asset"], "k": {"size": "many"}}'),
        ("/api/store/call/add", b'{"a": [{"$r": ["EntitySpec", "nokind", 5]}]}'),
        ("/api/store/transactions/nope/end", b'{"ok": true}'),
    ],
)
def test_bad_bodies_are_refused_in_the_error_shape(team: Team, path: str, body: bytes) -> None:
    headers = {"Authorization": f"Bearer {team.tokens['alice']}"}
    with httpx.Client() as http:
        response = http.post(f"{team.url}{path}", content=body, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()["error"]) >= {"type", "message", "problems"}
    assert team.store.count(Kind.ASSET) == 1


def test_an_unknown_method_is_a_404_naming_the_contract(team: Team) -> None:
    headers = {"Authorization": f"Bearer {team.tokens['ada']}"}
    with httpx.Client() as http:
        response = http.post(f"{team.url}/api/store/call/engine", content=b"{}", headers=headers)
    assert response.status_code == 404
    assert "StoreContract" in response.json()["error"]["message"]


def test_a_transaction_is_its_owners_alone(team: Team) -> None:
    alice, ada = team.as_("alice"), team.as_("ada")
    with alice.atomic():
        alice.add(EntitySpec(Kind.ASSET, "payments"))
        ada._open.id = alice._open.id  # ada tries to write into alice's open transaction
        ada._open.depth = 1
        with pytest.raises(NotFoundError, match="not open"):
            ada.add(EntitySpec(Kind.ASSET, "stolen"))
        ada._open.id, ada._open.depth = None, 0
    assert team.store.find(Kind.ASSET, "payments") is not None
    assert team.store.find(Kind.ASSET, "stolen") is None


def test_a_block_that_raises_over_http_leaves_nothing(team: Team) -> None:
    alice = team.as_("alice")
    with pytest.raises(InvalidInputError), alice.atomic():  # noqa: PT012 - the block is the test
        alice.add(EntitySpec(Kind.ASSET, "payments"))
        alice.add(EntitySpec(Kind.ASSET, "bad name\x00"))
    assert team.store.find(Kind.ASSET, "payments") is None
    assert alice.count(Kind.ASSET) == 1  # and the client goes on outside a transaction


def test_the_token_is_never_in_the_stores_repr(team: Team) -> None:
    assert team.tokens["alice"] not in repr(team.as_("alice"))


def test_a_server_that_is_down_is_a_store_error_naming_the_url() -> None:
    down = HttpStore.connect("http://127.0.0.1:9", timeout_s=1)
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:9"):
        down.count(Kind.ASSET)
    down.close()
