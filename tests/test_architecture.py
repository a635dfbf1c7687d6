"""The pipeline flows one way: read -> check -> render -> exports -> write.

The package's folders are its stages, with the foundations (errors, dates, model) beside
them at the top and the edges (api, cli, serve, scaffold) above everything. A module may
import the foundations, modules of its own stage, and stages of a lower rank; foundations
import only foundations. Incremental builds are a layer above rendering: `incremental`
may import `render`, and no stage below it imports `incremental`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "src" / "paradetimeline"

FOUNDATIONS = {"errors", "dates", "model", "memory", "plain", "theme", "workers"}
STAGES = {"read": 1, "check": 2, "render": 3, "exports": 4, "write": 5, "incremental": 6}
EDGES = {"api": 7, "scaffold": 7, "serve": 8, "cli": 9, "__init__": 10, "__main__": 11}

def module_name(path: Path) -> str:
    """'check.loader' for src/paradetimeline/check/loader.py; a package's __init__ is its
    package's name."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def rank(module: str) -> int:
    top = module.split(".")[0]
    if top in FOUNDATIONS:
        return 0
    return EDGES.get(top) or STAGES[top]


def imports_of(path: Path) -> set[str]:
    """The package's modules that `path` imports, by their dotted names."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package[:len(package) - (node.level - 1)]
        if node.module:
            found.add(".".join([*base, node.module]))
        else:
            found.update(".".join([*base, alias.name]) for alias in node.names)
    return {name for name in found if name and name.split(".")[0] != "__version__"}


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def back_edges() -> set[tuple[str, str]]:
    found = set()
    for name, path in modules().items():
        for target in imports_of(path):
            if target not in modules():
                continue  # a name imported from a package's __init__, e.g. __version__
            same_stage = target.split(".")[0] == name.split(".")[0] and rank(name) != 0
            if name.split(".")[0] in FOUNDATIONS:
                allowed = rank(target) == 0
            else:
                allowed = same_stage or rank(target) < rank(name)
            if not allowed:
                found.add((name, target))
    return found


def test_every_module_belongs_to_a_stage_or_the_foundations_or_the_edges():
    unplaced = [name for name in modules() if name.split(".")[0] not in
                FOUNDATIONS | set(EDGES) | set(STAGES)]
    assert unplaced == []


def test_imports_point_one_way():
    assert back_edges() == set()
