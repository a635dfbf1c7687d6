"""Write a rendered site atomically: into a temporary folder beside the output, then swap.

A build that fails, or is killed, before the swap leaves the previous output exactly as it
was. The swap is two renames; if a kill lands between them, the next build puts the
previous output back before doing anything else.

A rebuild that changed only some files (`update_site`) stages just those, then writes a
journal naming them and the files to delete, and only then moves them into place. Until
the journal exists the output is untouched; once it does, the change is committed, and a
build killed halfway through the moves is completed by the next one (`recover`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Collection
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


def update_site(out: Path, root: Path, fill: Callable[[Path], tuple[T, Collection[str]]]) -> T:
    """Change `out` by what `fill` writes into an empty staging folder beside it, and delete
    the files (paths relative to `out`) that `fill` returns with its result.

    If `fill` raises (or the process dies before the journal is written), `out` is left as
    it was; after that, the change completes even if this process does not."""
    out = Path(os.path.abspath(out))
    check_output_folder(out, Path(os.path.abspath(root)))
    recover(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    try:
        result, stale = fill(staging)
        for relpath in stale:
            safe_relpath(relpath)
        journal = out.parent / f".{out.name}-journal-{staging.name}.json"
        written = journal.with_suffix(".tmp")
        written.write_text(json.dumps({"staging": staging.name, "delete": sorted(stale)}),
                           encoding="utf-8")
        written.replace(journal)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _apply(journal, out)
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
    """Deal with what a killed build left: complete a journaled update, restore a
    swapped-out site, remove staging folders."""
    parent = out.parent
    for journal in sorted(parent.glob(f".{out.name}-journal-*.json")):
        _apply(journal, out)
    for unfinished in parent.glob(f".{out.name}-journal-*.tmp"):
        unfinished.unlink(missing_ok=True)
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


def _apply(journal: Path, out: Path) -> None:
    """Move a journaled update's staged files into `out` and delete its stale ones. Safe to
    repeat: what was moved or deleted already is skipped."""
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
        staging = journal.parent / str(plan["staging"])
        stale = [safe_relpath(str(p)) for p in plan["delete"]]
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)  # not one of ours, or never completed: nothing to do
        return
    if not staging.name.startswith(f".{out.name}-new-") or "/" in staging.name:
        journal.unlink(missing_ok=True)
        return
    if staging.is_dir():
        for folder, _, names in os.walk(staging):
            relative = Path(folder).relative_to(staging)
            (out / relative).mkdir(parents=True, exist_ok=True)
            for name in names:
                os.replace(Path(folder) / name, out / relative / name)
    for relpath in stale:
        target = out / relpath
        target.unlink(missing_ok=True)
        for parent in target.parents:
            if parent == out or not parent.is_relative_to(out):
                break
            try:
                parent.rmdir()  # a folder the deletions emptied, as a clean build has none
            except OSError:
                break
    shutil.rmtree(staging, ignore_errors=True)
    journal.unlink(missing_ok=True)
