"""Code references: where a definition's source code lives (a local file or a URL)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Final, TypeAlias

from tagbase.metadata._checks import check_type, invalid, tuple_of


@dataclass(frozen=True, slots=True)
class LocalFileCodeReference:
    """A place in a local source file (line numbers start at 1)."""

    kind: ClassVar[str] = "local_file"
    file_path: str
    line_number: int | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        check_type("LocalFileCodeReference.file_path", self.file_path, str, "a str")
        line = self.line_number
        check_type("LocalFileCodeReference.line_number", line, (int, type(None)), "an int or None")
        if line is not None and line < 1:
            raise invalid(f"LocalFileCodeReference.line_number {line}", "must be >= 1", "pass 1+")
        check_type("LocalFileCodeReference.label", self.label, (str, type(None)), "a str or None")


@dataclass(frozen=True, slots=True)
class UrlCodeReference:
    """Source code at a URL, e.g. a line on GitHub or GitLab."""

    kind: ClassVar[str] = "url"
    url: str
    label: str | None = None

    def __post_init__(self) -> None:
        check_type("UrlCodeReference.url", self.url, str, "a str")
        check_type("UrlCodeReference.label", self.label, (str, type(None)), "a str or None")


CodeReference: TypeAlias = LocalFileCodeReference | UrlCodeReference
_CODE_REFERENCE_KINDS: Final[Mapping[str, type[CodeReference]]] = MappingProxyType(
    {kind.kind: kind for kind in (LocalFileCodeReference, UrlCodeReference)}
)


def reference_tuple(references: object) -> tuple[CodeReference, ...]:
    """The references of a code-references value, checked, as a tuple."""
    kinds = (LocalFileCodeReference, UrlCodeReference)
    wanted = "LocalFileCodeReference or UrlCodeReference"
    return tuple_of("code_references", references, kinds, wanted)


def reference_to_json(reference: CodeReference) -> dict[str, Any]:
    names = reference.__dataclass_fields__
    return {"kind": reference.kind, **{name: getattr(reference, name) for name in names}}


def reference_from_json(data: Any) -> CodeReference:
    fields = {name: value for name, value in data.items() if name != "kind"}
    return _CODE_REFERENCE_KINDS[data["kind"]](**fields)
