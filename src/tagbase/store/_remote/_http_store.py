"""`HttpStore`: the store contract over a tagbase server's API, for machines that hold a token
and no database credentials (`TAGBASE_URL`, `TAGBASE_TOKEN`).

Each contract call is one request, `POST /api/store/call/{method}` (a bulk create is one
request for its batch), on one pooled keep-alive connection per thread. The server checks
the caller's role per method and records its changes under the token's user. `atomic()`
opens a transaction on the server, which holds it on a thread of its own until the block
ends; calls inside carry its id. Errors come back as the same typed errors a database store
raises. Reads are retried on a lost connection or a busy server; a write only when it never
reached the server.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from tagbase._errors import RemoteStoreError
from tagbase.metadata._normalize import normalize_metadata
from tagbase.store._create_methods import EntitySpec
from tagbase.store._remote._codec import dumps, loads
from tagbase.store._remote._errors import raise_error
from tagbase.store._remote._methods import NEEDS, SIGNATURES, TRANSACTION_HEADER, Need

if TYPE_CHECKING:
    from tagbase.store._contract import StoreContract as _Contract
else:
    _Contract = object

RETRY_DELAYS_S = (0.1, 0.4, 1.6)  # a server restarting or busy gets a few seconds
_BUSY = frozenset({502, 503, 504})


class HttpStore(_Contract):
    """Every method of `StoreContract`, served by the tagbase server at `url`.
    Make one with `HttpStore.connect(url, token=...)` (or set `TAGBASE_URL`)."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        timeout_s: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
        self._transport = transport
        self._http = self._connect()
        self._open = threading.local()  # this thread's transaction: id and depth

    @classmethod
    def connect(cls, url: str, *, token: str | None = None, timeout_s: float = 60.0) -> HttpStore:
        """A store served by the tagbase server at `url`, sending `token` with each call."""
        return cls(url, token=token, timeout_s=timeout_s)

    def _connect(self) -> httpx.Client:
        headers = {"Content-Type": "application/json", "User-Agent": "tagbase-httpstore"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return httpx.Client(
            base_url=self.url, headers=headers, timeout=self._timeout, transport=self._transport
        )

    def __repr__(self) -> str:
        return f"HttpStore({self.url!r})"  # never the token

    # -- calls -------------------------------------------------------------------------------

    def call(self, method: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
        """Serve one contract call on the server (a TypeError here for arguments the method
        does not take, as a local call would raise)."""
        bound = SIGNATURES[method].bind(self, *args, **kwargs)
        prepare = _PREPARE.get(method)
        if prepare is not None:
            prepare(bound.arguments)
        body = dumps({"a": list(bound.args[1:]), "k": bound.kwargs})
        reply = self._post(f"/api/store/call/{method}", body, NEEDS[method] is Need.READ)
        return loads(reply, from_server=True)["r"]

    def _post(self, path: str, body: bytes, repeatable: bool) -> bytes:
        transaction = getattr(self._open, "id", None)
        headers = {TRANSACTION_HEADER: transaction} if transaction else None
        repeatable = repeatable and transaction is None  # a retry outside would not join it
        for delay in (*RETRY_DELAYS_S, None):
            try:
                response = self._http.post(path, content=body, headers=headers)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                failure: Exception = error  # never reached the server: safe to send again
            except httpx.TransportError as error:
                if not repeatable:
                    raise self._lost(path, error) from None
                failure = error
            else:
                if response.status_code < 400:
                    return response.content
                if not (repeatable and response.status_code in _BUSY) or delay is None:
                    raise_error(response)
                failure = RemoteStoreError(f"the server answered {response.status_code}")
            if delay is None:
                raise self._lost(path, failure) from None
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _lost(self, path: str, error: Exception) -> RemoteStoreError:
        return RemoteStoreError(
            f"the tagbase server at {self.url} did not answer {path} ({error}). Fix: check "
            "that it runs and that TAGBASE_URL names it"
        )

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """The block's calls commit together on the server, or not at all (see the contract);
        a block inside a block is a savepoint there."""
        depth = getattr(self._open, "depth", 0)
        if depth == 0:
            reply = loads(self._post("/api/store/transactions", b"{}", False), from_server=True)
            self._open.id = reply["id"]
        else:
            self._post(f"/api/store/transactions/{self._open.id}/begin", b"{}", False)
        self._open.depth = depth + 1
        ok = False
        try:
            yield
            ok = True
        finally:
            self._open.depth = depth
            end = f"/api/store/transactions/{self._open.id}/end"
            try:
                self._post(end, dumps({"ok": ok}), False)
            finally:
                if depth == 0:
                    self._open.id = None

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def after_fork(self) -> None:
        """In a forked child: leave the parent's connections (and transaction) to it."""
        self._http = self._connect()
        self._open = threading.local()


def _forward(method: str) -> Callable[..., Any]:
    def remote(self: HttpStore, *args: Any, **kwargs: Any) -> Any:
        return self.call(method, args, kwargs)

    contract_method = SIGNATURES[method]
    remote.__name__ = remote.__qualname__ = method
    remote.__signature__ = contract_method  # type: ignore[attr-defined]
    return remote


for _method in NEEDS:
    setattr(HttpStore, _method, _forward(_method))


# Metadata is made into MetadataValues here, so that what this machine's Python holds (a
# numpy number, a pandas frame) crosses in the form the server would have stored.


def _spec(spec: EntitySpec) -> EntitySpec:
    if not spec.metadata:
        return spec
    return dataclasses.replace(spec, metadata=normalize_metadata(spec.metadata))


def _prepare_spec(arguments: dict[str, Any]) -> None:
    arguments["spec"] = _spec(arguments["spec"])


def _prepare_specs(arguments: dict[str, Any]) -> None:
    arguments["specs"] = [_spec(spec) for spec in arguments["specs"]]


def _prepare_metadata(arguments: dict[str, Any]) -> None:
    if arguments.get("metadata"):
        arguments["metadata"] = normalize_metadata(arguments["metadata"])


_PREPARE: dict[str, Callable[[dict[str, Any]], None]] = {
    "add": _prepare_spec,
    "add_many": _prepare_specs,
    "add_asset_versions": _prepare_specs,
    "update": _prepare_metadata,
    "log_metadata": _prepare_metadata,
}
