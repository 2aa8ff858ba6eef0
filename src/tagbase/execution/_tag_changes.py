"""Applying the tag changes step code asked for, when its step ends: in call order, so
`add_tags(["x"])` then `remove_tags(["x"])` leaves `x` off, and the reverse puts it on.

Runs of the same change on the same target are one write. A change of an output's version
waits for that version (a step that failed made none: its output changes are dropped with
it); a removal of a tag the target does not hold fails the step, as it does outside one.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from tagbase._kinds import Kind
from tagbase.execution._context import TagChange
from tagbase.execution._outcome import StepOutcome
from tagbase.store import StoreContract


def apply_tag_changes(store: StoreContract, run_id: str, outcome: StepOutcome) -> None:
    versions = {o.name: o.version_id for o in outcome.outputs if o.version_id is not None}
    for (action, target), group in groupby(
        outcome.effects.tag_changes, key=lambda change: (change.action, change.target)
    ):
        changes = list(group)
        output, kind, ref, scope = target
        if output is not None:
            if output not in versions:
                continue  # no version was made of it
            kind, ref, scope = Kind.ASSET_VERSION, versions[output], None
        elif kind is None:
            kind, ref = Kind.RUN, run_id
        assert ref is not None
        _apply(store, action, kind, ref, scope, changes)


def _apply(
    store: StoreContract,
    action: str,
    kind: Kind,
    ref: str,
    scope: str | None,
    changes: Sequence[TagChange],
) -> None:
    if action == "add":
        tags = [tag for change in changes for tag in change.tags]
        store.add_tags(kind, ref, scope, tags=tags, source="user")
    else:
        names = list(dict.fromkeys(name for change in changes for name in change.names))
        store.remove_tags(kind, ref, scope, tags=names, source="user")
