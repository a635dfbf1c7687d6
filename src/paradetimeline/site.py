"""Write a rendered site atomically: into a temporary folder beside the output, then swap.

A build that fails, or is killed, before the swap leaves the previous output exactly as it
was. The swap is two renames; if a kill lands between them, the next build puts the
previous output back before doing anything else.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TypeVar

from .errors import UsageError

T = TypeVar("T")


def write_site(files: dict[str, bytes], out: Path, root: Path) -> None:
    """Replace `out` with exactly `files` ({'/'-separated path: bytes})."""
    def fill(staging: Path) -> None:
        for relpath in sorted(files):
            target = staging / safe_relpath(relpath)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[relpath])

    replace_site(out, root, fill)


def replace_site(out: Path, root: Path, fill: Callable[[Path], T]) -> T:
    """Replace `out` with whatever `fill` writes into an empty staging folder beside it.

    If `fill` raises (or the process dies), `out` is left as it was."""
    out = Path(os.path.abspath(out))
    check_output_folder(out, Path(os.path.abspath(root)))
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    try:
        result = fill(staging)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def check_output_folder(out: Path, root: Path) -> None:
    """Refuse an output folder whose replacement would destroy the project."""
    if out == root or out in root.parents:
        raise UsageError(f"output folder '{out}' would replace the project itself")
    for inner in ("content", "seeds", ".git", "pyproject.toml"):
        if (out / inner).exists():
            raise UsageError(f"output folder '{out}' holds '{inner}': it does not look like "
                             "a built site, so it will not be replaced")


def safe_relpath(relpath: str) -> PurePosixPath:
    """A path that stays inside the output folder, or ValueError."""
    path = PurePosixPath(relpath)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in relpath:
        raise ValueError(f"unsafe output path {relpath!r}")
    return path


def recover(out: Path) -> None:
    """Undo what a killed build left: restore a swapped-out site, remove staging folders."""
    parent = out.parent
    old = sorted(parent.glob(f".{out.name}-old-*"))
    if not out.exists() and old:
        old[-1].rename(out)
        old = old[:-1]
    for leftover in [*old, *parent.glob(f".{out.name}-new-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
