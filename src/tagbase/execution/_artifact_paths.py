"""Locations inside the artifact store, derived from names so that none can leave it.

Every name (an asset key, a run id, a step key, an output name) becomes one path component:
percent-encoded except `A-Z a-z 0-9 _ . -`, with a leading `.` encoded too, so `/`, `\\`, NUL,
`..` and the like never reach the file system as themselves. The encoding is reversible; a
component longer than `MAX_COMPONENT` keeps a readable prefix and ends in `~` and a digest of
the whole name (`~` appears nowhere else). A location is relative to the store's root, and one
read back from the catalog is checked against the same alphabet before it is joined to it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from urllib.parse import quote

from tagbase._errors import ArtifactIntegrityError

MAX_COMPONENT = 96  # characters; well below the 255 bytes file systems allow per component
_DIGEST_CHARS = 32
_EMPTY = "%"  # what an empty name becomes: `quote` never writes a lone %
_COMPONENT = re.compile(r"[A-Za-z0-9_%~-][A-Za-z0-9_.%~-]*")


def encode_component(name: str) -> str:
    """One path component for a name: the same name always gives the same component, and two
    different names never do."""
    encoded = _quoted(name)
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    if not encoded:
        return _EMPTY
    return encoded if len(encoded) <= MAX_COMPONENT else _shortened(name)


def _quoted(text: str) -> str:
    return quote(text, safe="", errors="surrogatepass").replace("~", "%7E")


def _shortened(name: str) -> str:
    """A readable start of a long name (whole characters, so it decodes), `~`, its digest."""
    budget = MAX_COMPONENT - _DIGEST_CHARS - 1
    prefix = ""
    for char in name:
        piece = "%2E" if char == "." and not prefix else _quoted(char)
        if len(prefix) + len(piece) > budget:
            break
        prefix += piece
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_CHARS]
    return f"{prefix}~{digest}"


def location_of(names: Sequence[str], suffix: str) -> str:
    """The location, relative to the store's root, of the value named by `names`."""
    return "/".join(encode_component(name) for name in names) + suffix


def checked_location(location: str, what: str) -> str:
    """A location read back from the catalog, refused unless tagbase could have written it:
    relative, with components of the encoded alphabet only (no `..`, `/` at the start,
    backslash, NUL or protocol), so that joined to the root it stays inside the store."""
    if all(_COMPONENT.fullmatch(part) for part in location.split("/")):
        return location
    raise ArtifactIntegrityError(
        f"the stored location {location!r} of {what} is not one tagbase writes (it must be "
        "relative to the artifact store and made of encoded names); nothing was read. Fix: "
        "materialize the asset again"
    )
