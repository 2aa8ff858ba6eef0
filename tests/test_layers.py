"""The package's import graph has no cycle, counting imports inside functions and under
TYPE_CHECKING (grimp, import-linter's engine, counts both). The layers themselves and the
framework boundaries are import-linter contracts in pyproject.toml (`make lint`)."""

from __future__ import annotations

import grimp


def find_cycle(graph: grimp.ImportGraph, package: str) -> list[str] | None:
    """A shortest cycle of imports among `package`'s modules, as the modules in import order
    (the first repeated at the end), or None."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(f"{package}."))
    best: list[str] | None = None
    for importer in modules:
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if not imported.startswith(f"{package}.") and imported != package:
                continue
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None and (best is None or len(back) + 1 < len(best)):
                best = [importer, *back]
    return best


def test_the_package_imports_form_no_cycle() -> None:
    graph = grimp.build_graph("tagbase", cache_dir=None)
    cycle = find_cycle(graph, "tagbase")
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_a_cycle_is_found_and_named() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c", "other"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.a", imported="other")
    assert find_cycle(graph, "pkg") is None
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert find_cycle(graph, "pkg") == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
