"""Instance configuration: where the catalog lives and which rules it applies.

Read from the environment and `$TAGBASE_HOME/tagbase.yaml`; the environment wins.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tagbase._errors import InvalidInputError
from tagbase._tags import TagPolicy

CONFIG_FILE = "tagbase.yaml"


@dataclass(frozen=True, slots=True)
class Config:
    home: Path
    database_url: str
    tag_policy: TagPolicy = TagPolicy.DEFAULT
    actor: str | None = None

    @classmethod
    def load(cls, home: str | Path | None = None, database_url: str | None = None) -> Config:
        root = Path(home or os.environ.get("TAGBASE_HOME") or Path.home() / ".tagbase")
        settings = _read_yaml(root / CONFIG_FILE)
        url = (
            database_url
            or os.environ.get("TAGBASE_DATABASE_URL")
            or settings.get("database_url")
            or f"sqlite:///{root / 'tagbase.db'}"
        )
        policy = os.environ.get("TAGBASE_TAG_POLICY") or settings.get("tag_policy") or "default"
        try:
            tag_policy = TagPolicy(policy)
        except ValueError:
            choices = ", ".join(p.value for p in TagPolicy)
            raise InvalidInputError(
                f"tag policy {policy!r} is unknown; set tag_policy to one of {choices}"
            ) from None
        actor = os.environ.get("TAGBASE_USER") or settings.get("user") or _login_name()
        return cls(home=root, database_url=str(url), tag_policy=tag_policy, actor=actor)


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    loaded = yaml.safe_load(path.read_text()) or {}
    if not isinstance(loaded, dict):
        raise InvalidInputError(f"{path} must hold a mapping of settings, not {type(loaded)}")
    return loaded


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no such user in the password database, as in some containers
        return None
