"""The guard of bulk changes: a change of every entity of a kind must be asked for by name.

An empty filter is most often a mistake (an unset shell variable, a form left blank), and
it would otherwise match everything; so it is refused unless the caller says `all`.
"""

from __future__ import annotations

from typing import Any

from tagbase._errors import Fix, InvalidInputError
from tagbase._kinds import Kind
from tagbase.query import Everything, Node


def chosen(
    kind: Kind, query: str | Node | None, tags: Any, *, everything: bool
) -> tuple[str | Node | None, Any]:
    """The query and tag filter of a bulk change of `kind`, or the refusal of an empty one
    without `everything`. Blank text counts as empty; with `everything` both become None."""
    no_query = not query.strip() if isinstance(query, str) else query in (None, Everything())
    no_tags = not tags.strip() if isinstance(tags, str) else not tags
    if not (no_query and no_tags):
        return query, tags
    if not everything:
        raise refuse_unfiltered(kind, "retag")
    return None, None


def refuse_unfiltered(kind: Kind, action: str) -> InvalidInputError:
    """The error for a bulk `action` given no filter without `all`."""
    what = f"every {kind.label}"
    return InvalidInputError(
        f"the filter is empty, so this {action} would change {what}; an empty filter is "
        "refused to keep a blank or unset value from changing everything",
        fix=Fix(
            python=f"pass query='...' to choose the entities, or all=True to change {what}",
            cli=f"give --filter QUERY to choose the entities, or --all to change {what}",
            api=f'send a non-empty "query" (or "tags"), or "all": true to change {what}',
        ),
    )
