"""The write of a bulk tag change (`Store.retag`), and its dry run.

A dry run performs the very same write in a transaction that is then rolled back, so what it
reports is exactly what the real call does: the same counts, and the same errors (an exclusive
tag given to two entities of a scope raises in the dry run as in the real call).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

import sqlalchemy as sa

from tagbase._records import Retagging
from tagbase._tags import Tag, tag_string
from tagbase.store import _history, _tagging
from tagbase.store._dictionary import Pair
from tagbase.store._tagging import Change, Target

SAMPLE = 20  # matching entities named in the result


class _Undo(Exception):  # noqa: N818 - control flow, never seen outside this module
    """Leaves a dry run's transaction so that it rolls back, carrying the result out."""

    def __init__(self, result: Retagging) -> None:
        super().__init__("dry run")
        self.result = result


def run(
    writing: Callable[[], AbstractContextManager[sa.Connection]],
    matching: Callable[[sa.Connection], list[Target]],
    change_of: Callable[[sa.Connection], Change],
    tags: Sequence[Tag],
    removals: Sequence[Pair],
    *,
    dry_run: bool,
) -> Retagging:
    """Remove `removals`, then add `tags`, on the entities `matching` finds, in one write
    transaction; with `dry_run` the transaction is rolled back once everything is done."""
    try:
        with writing() as connection:
            targets = matching(connection)
            changed: set[int] = set()
            if targets:
                change = change_of(connection)
                if removals:
                    changed |= _tagging.unassign(
                        connection, targets, removals, change, missing_ok=True
                    )
                changed |= set(_tagging.assign(connection, [(t, tags) for t in targets], change))
            result = Retagging(
                matched=len(targets),
                changed=len(changed),
                add=tuple(t.name for t in tags),
                remove=tuple(tag_string(*pair) for pair in removals),
                sample=tuple(_history.refs(connection, [t.id for t in targets[:SAMPLE]])),
                dry_run=dry_run,
            )
            if dry_run:
                raise _Undo(result)
    except _Undo as undone:
        return undone.result
    return result
