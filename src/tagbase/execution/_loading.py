"""Loading definitions from a Python file or an importable module, for the CLI.

The module's `Definitions` (several are merged) is used; without one, every asset, job and
pipeline at its top level is gathered into one. Either way they are recorded in the catalog.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tagbase._errors import InvalidInputError
from tagbase.definitions._assets import AssetsDefinition, AssetSpec
from tagbase.definitions._definitions import Definitions
from tagbase.definitions._jobs import JobDefinition, UnresolvedAssetJob
from tagbase.definitions._pipelines import PipelineDefinition


def load_definitions(file: str | Path | None = None, module: str | None = None) -> Definitions:
    """The definitions of a file (`-f`) or module (`-m`), recorded in the catalog."""
    if (file is None) == (module is None):
        raise InvalidInputError("give exactly one of a file (-f FILE) or a module (-m MODULE)")
    loaded = _import_file(Path(file)) if file is not None else importlib.import_module(str(module))
    return definitions_of(loaded)


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise InvalidInputError(f"no Python file at {str(path)!r}. Fix: check the path given to -f")
    name = f"tagbase_definitions_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvalidInputError(f"{str(path)!r} cannot be imported as Python. Fix: give a .py file")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded  # workers and pickles find its functions by module name
    sys.path.insert(0, str(path.parent.resolve()))  # so it can import its neighbours
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        sys.path.remove(str(path.parent.resolve()))
    return loaded


def definitions_of(module: ModuleType) -> Definitions:
    values = list(vars(module).values())
    found = [value for value in values if isinstance(value, Definitions)]
    if len(found) == 1:
        return found[0]
    if found:
        return Definitions.merge(*found)
    assets = [v for v in values if isinstance(v, AssetsDefinition | AssetSpec)]
    jobs = [
        v for v in values if isinstance(v, JobDefinition | UnresolvedAssetJob | PipelineDefinition)
    ]
    if not assets and not jobs:
        raise InvalidInputError(
            f"module {module.__name__!r} defines no Definitions, asset, job or pipeline. Fix: "
            "give the file that holds them, or build Definitions(assets=..., jobs=...) in it"
        )
    return Definitions(assets=assets, jobs=jobs)
