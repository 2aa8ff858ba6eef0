"""An asset (artifact) version as the client returns it: a catalog entity that reads back the
value tagbase stored for it, verified, and only that."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from tagbase._errors import NotFoundError
from tagbase._records import Entity, StoredArtifact
from tagbase.execution._runtime import current_runtime


@dataclass(frozen=True, slots=True)
class ArtifactVersion(Entity):
    """An asset version whose stored value `load()` reads back. `stored` is what tagbase wrote
    for it (kept by the run recorder, out of any client's reach), or None."""

    stored: StoredArtifact | None = None

    @property
    def uri(self) -> str | None:
        """Where the value was stored, for people: `load()` does not follow it."""
        value = self.metadata.get("tagbase/uri")
        return None if value is None else str(value.value)

    def load(self) -> Any:
        """The value the step stored (JSON data, a DataFrame, an arrow table, or an object
        tagbase pickled), after checking that its bytes are the ones tagbase wrote."""
        name = self.ref.display_name
        if self.stored is not None:
            what = f"artifact version {name} ({self.id})"
            return current_runtime().artifacts.load(self.stored, what)
        if self.uri is None:
            raise NotFoundError(
                f"artifact version {name} has no stored value: it was recorded, not produced "
                "by a step. Fix: load another version"
            )
        asset = self.scope.name if self.scope else name
        raise NotFoundError(
            f"artifact version {name} has no value tagbase stored and can verify: its "
            f"tagbase/uri ({self.uri}) was recorded before tagbase kept digests, or set by "
            "hand, and tagbase reads back only what it wrote itself. Fix: materialize "
            f"{asset!r} again"
        )


def loadable(version: Entity, stored: StoredArtifact | None) -> ArtifactVersion:
    known = {f.name: getattr(version, f.name) for f in fields(Entity)}
    return ArtifactVersion(**known, stored=stored)
