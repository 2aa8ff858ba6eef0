"""The store a configuration names: a tagbase server's over HTTP, or a database's."""

from __future__ import annotations

from tagbase._config import Config
from tagbase.store._contract import StoreContract
from tagbase.store._store import Store


def open_store(config: Config) -> StoreContract:
    """An `HttpStore` when `config` names a server (`TAGBASE_URL`), else the database's
    `Store`. Opening a database store creates or checks its catalog."""
    if config.server_url is not None:
        from tagbase.store._remote import HttpStore  # httpx only where a server is used

        return HttpStore.connect(config.server_url, token=config.token)
    return Store.from_config(config)
