"""The store calls a tagbase server serves, each with the role it needs: one table for the
server (which checks it) and the client (which retries only what is safe to repeat).

Every method of `StoreContract` but the local ones (`LOCAL`) is here, and nothing else (a
test holds the table to the contract, so a new contract method must be given its need)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from enum import IntEnum
from types import MappingProxyType
from typing import Final

from tagbase.store._contract import StoreContract


class Need(IntEnum):
    """The role a call needs; higher includes lower (as the server's roles do)."""

    READ = 1  # a viewer
    WRITE = 2  # an editor: the catalog, runs, workers
    ADMIN = 3  # an admin: users, tokens, the tag registry, tag policies


TRANSACTION_HEADER: Final = "X-Tagbase-Transaction"
"""The header naming the open transaction (`atomic()` block) a call runs in."""

LOCAL: Final = frozenset({"atomic", "close", "after_fork", "url"})
"""Contract members a client keeps to itself (`atomic` opens a transaction on the server)."""

_READS = (
    "get",
    "get_tag_policy",
    "list_tag_policies",
    "find",
    "find_named",
    "find_alias",
    "list",
    "count",
    "facets",
    "find_stored_artifact",
    "find_latest_stored",
    "get_tag",
    "list_tags",
    "search_tags",
    "tag_history",
    "tag_holders",
    "metadata_history",
    "metadata_series",
    "list_steps",
    "list_events",
    "cancel_requested",
    "leases",
    "count_queued",
    "queued_run_ids",
    "run_status",
    "list_workers",
    "get_cursor",
    "list_changes",
    "last_change_id",
)
_WRITES = (
    "add",
    "add_many",
    "add_asset_versions",
    "update",
    "delete",
    "add_tags",
    "remove_tags",
    "retag",
    "log_metadata",
    "add_run_events",
    "start_step",
    "end_steps",
    "end_open_steps",
    "enqueue",
    "claim",
    "release",
    "request_cancel",
    "register_worker",
    "heartbeat",
    "remove_worker",
    "stale_leases",
    "set_cursor",
    "claim_run_key",
    "attach_run",
    "prune_changes",
)
_ADMIN = (
    "register_tag",
    "update_tag",
    "delete_tag",
    "create_user",
    "get_user",
    "list_users",
    "update_user",
    "delete_user",
    "create_token",
    "list_tokens",
    "revoke_token",
    "authenticate",
    "set_tag_policy",
    "delete_tag_policy",
    "list_audit",
)

NEEDS: Final[Mapping[str, Need]] = MappingProxyType(
    dict.fromkeys(_READS, Need.READ)
    | dict.fromkeys(_WRITES, Need.WRITE)
    | dict.fromkeys(_ADMIN, Need.ADMIN)
)
"""Each remote method's need. Reads are safe to repeat; no write is repeated."""

SIGNATURES: Final[Mapping[str, inspect.Signature]] = MappingProxyType(
    {name: inspect.signature(getattr(StoreContract, name)) for name in NEEDS}
)
"""Each remote method's signature (with `self`), to bind a call's arguments before it is sent
and again when it arrives."""


def contract_members() -> frozenset[str]:
    """The public members of `StoreContract`, as the table must cover them."""
    return frozenset(
        name
        for cls in StoreContract.__mro__
        if cls.__module__.startswith("tagbase.store")
        for name in (*vars(cls), *vars(cls).get("__annotations__", ()))
        if not name.startswith("_")
    )
