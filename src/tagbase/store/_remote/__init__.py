"""The store contract over HTTP: a client of a tagbase server (`HttpStore`), and the wire form
and method table it shares with the server's store API (`tagbase.server._api._store_rpc`)."""

from tagbase.store._remote._http_store import HttpStore

__all__ = ["HttpStore"]
