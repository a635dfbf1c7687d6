"""The pipeline flows one way: read -> check -> model -> render -> write.

Each module has a rank; a module may import only modules of a lower rank. A back-edge (the
renderer reaching into the loader, say) fails here instead of growing unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "src" / "paradetimeline"

RANKS = {
    # foundations
    "errors": 0, "frozen": 0, "safefile": 0, "signing": 1, "filedata": 0, "memory": 0, "dates": 1, "model": 2,
    "yamlfile": 1,
    # read and check
    "articles": 3, "records": 3, "mentions": 4, "loader": 5, "coverage": 5,
    # render
    "markup": 6, "jsontext": 6, "urls": 6, "stamps": 6, "views": 6, "pages": 7, "feeds": 7, "ical": 7,
    "timelinejs": 7, "structured": 7, "exports": 8, "tracking": 8, "render": 9,
    # write, and the edges
    "site": 1, "cache": 1, "filecache": 2, "pieces": 1, "build": 10, "scaffold": 10, "serve": 11, "cli": 12,
    "__init__": 13, "__main__": 14,
}


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_every_module_has_a_rank():
    assert {p.stem for p in PACKAGE.glob("*.py")} == set(RANKS)


def test_imports_point_one_way():
    back_edges = [
        f"{path.stem} (rank {RANKS[path.stem]}) imports {name} (rank {RANKS[name]})"
        for path in sorted(PACKAGE.glob("*.py"))
        for name in sorted(imports_of(path) - {"__version__"})
        if name in RANKS and RANKS[name] >= RANKS[path.stem]
    ]
    assert back_edges == []
