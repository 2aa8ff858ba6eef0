"""The settings the tag registry keeps for a tag, as one value passed whole through every layer.

A new setting is a field here, a column of the registry (`store/_schema.py`, read and written
by `store/_registry.py`), and its front-end option (`tagbase tag register/update`, the API's
request and response shapes); `tests/test_tag_settings.py` checks that they agree.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, get_args, get_type_hints

from tagbase._errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class TagSettings:
    """What the registry keeps about a tag besides its name: its behaviours (`exclusive`: one
    holder per scope; `cascade`: a job's tag goes on to its runs and their asset versions),
    whether its key takes several values per entity (`multi_valued`), and how the UI shows
    it. As a change, a setting left None stays as it is."""

    exclusive: bool | None = None
    cascade: bool | None = None
    color: str | None = None
    description: str | None = None
    multi_valued: bool | None = None

    def __post_init__(self) -> None:
        for name, value in self.given.items():  # the Client takes them as plain keywords
            expected = _setting_types()[name]
            if not isinstance(value, expected):
                shown = "True or False" if expected is bool else f"a {expected.__name__}"
                raise InvalidInputError(
                    f"tag setting {name}={value!r} is not {shown}. Fix: pass {name}={shown} "
                    "(or None to leave it as it is)"
                )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(setting.name for setting in fields(cls))

    @property
    def given(self) -> dict[str, bool | str]:
        """The settings that are set (not None), by name, in declaration order."""
        values = ((name, getattr(self, name)) for name in self.names())
        return {name: value for name, value in values if value is not None}

    def with_changes(self, changes: Mapping[str, Any]) -> TagSettings:
        """These settings with `changes` (setting names as keywords) applied over them."""
        unknown = sorted(set(changes) - set(self.names()))
        if unknown:
            raise InvalidInputError(
                f"no tag setting {', '.join(map(repr, unknown))}: a tag's settings are "
                f"{', '.join(self.names())}. Fix: pass only those"
            )
        return replace(self, **changes)


@functools.cache
def _setting_types() -> dict[str, type]:
    """Each setting's type without None, from the annotations: `bool | None` gives bool."""
    hints = get_type_hints(TagSettings)
    return {
        name: next(arg for arg in get_args(hints[name]) if arg is not type(None))
        for name in TagSettings.names()
    }
