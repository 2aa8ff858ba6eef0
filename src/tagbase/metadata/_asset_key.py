"""`AssetKey`, the name of an asset, and the one coercion every value holding a key uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tagbase.metadata._checks import invalid, tuple_of, type_error


@dataclass(frozen=True, slots=True, init=False)
class AssetKey:
    """The name of an asset: a path of one or more parts, written joined by '/'.

    `AssetKey("a")` has one part; `AssetKey(["a", "b"])` is the key 'a/b'. A part may not
    contain '/', so the written form is never ambiguous.
    """

    path: tuple[str, ...]

    def __init__(self, key: str | Sequence[str] | AssetKey) -> None:
        parts: object = key.path if isinstance(key, AssetKey) else key
        path = tuple_of("AssetKey", (parts,) if isinstance(parts, str) else parts, str, "str")
        if not path or any(not part or "/" in part for part in path):
            raise invalid(
                f"AssetKey {list(path)!r}",
                "an asset key is one or more non-empty parts, none containing '/'",
                "pass the parts as a list, e.g. AssetKey(['a', 'b']), "
                "or use AssetKey.from_user_string('a/b')",
            )
        object.__setattr__(self, "path", path)

    @classmethod
    def from_user_string(cls, text: str) -> AssetKey:
        """Read the written form 'a/b'."""
        return cls(text.split("/"))

    def to_user_string(self) -> str:
        """The written form, parts joined by '/'."""
        return "/".join(self.path)

    def _to_json(self) -> list[str]:
        return list(self.path)

    @classmethod
    def _from_json(cls, data: Any) -> AssetKey:
        return cls(data)


def as_asset_key(value: object) -> AssetKey:
    if isinstance(value, AssetKey):
        return value
    if isinstance(value, str | list | tuple):
        return AssetKey(value)
    raise type_error("asset key", value, "an AssetKey, a str or a list of str")
