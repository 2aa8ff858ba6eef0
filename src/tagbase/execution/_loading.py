"""Loading definitions from a Python file or an importable module, for the CLI.

The module's `Definitions` (several are merged) is used; without one, every asset, job and
pipeline at its top level is gathered into one. Loading only imports: the commands that load
from -f/-m then sync the catalog with `sync_definitions`.

A file inside a package (its folder holds `__init__.py`) is imported as a module of that
package, so it may import its neighbours relatively; `-m` finds modules in the current
directory, as `python -m` does.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from tagbase._errors import InvalidInputError
from tagbase.definitions._assets import AssetsDefinition, AssetSpec
from tagbase.definitions._definitions import Definitions
from tagbase.definitions._jobs import JobDefinition, UnresolvedAssetJob
from tagbase.definitions._pipelines import PipelineDefinition


def load_definitions(file: str | Path | None = None, module: str | None = None) -> Definitions:
    """The definitions of a file (`-f`) or module (`-m`); the catalog is not touched."""
    if (file is None) == (module is None):
        raise InvalidInputError("give exactly one of a file (-f FILE) or a module (-m MODULE)")
    if file is not None:
        return definitions_of(_import_file(Path(file)))
    with _on_path(Path.cwd()):
        return definitions_of(_import_fresh(str(module)))


@contextmanager
def _on_path(folder: Path) -> Iterator[None]:
    entry = str(folder.resolve())
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        sys.path.remove(entry)


def _import_fresh(name: str) -> ModuleType:
    """The module, executed again if it was imported before, as its definitions may have
    changed since."""
    if name in sys.modules:
        return importlib.reload(sys.modules[name])
    return importlib.import_module(name)


def _package_module(path: Path) -> tuple[Path, str] | None:
    """For a file inside a package: the folder above its top package, and its module name."""
    parts = [path.stem]
    folder = path.resolve().parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return None if len(parts) == 1 else (folder, ".".join(parts))


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise InvalidInputError(f"no Python file at {str(path)!r}. Fix: check the path given to -f")
    in_package = _package_module(path)
    if in_package is not None:
        root, dotted = in_package
        with _on_path(root):
            return _import_fresh(dotted)
    name = f"tagbase_definitions_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvalidInputError(f"{str(path)!r} cannot be imported as Python. Fix: give a .py file")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded  # workers and pickles find its functions by module name
    with _on_path(path.parent):  # so it can import its neighbours
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            sys.modules.pop(name, None)
            raise
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
