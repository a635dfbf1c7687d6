"""Write a rendered site atomically, into an output folder that only builds own.

A build claims its output folder first (`claimed`): it takes an exclusive lock, so two
builds into one folder run one after the other; it finishes what a killed build left
(`recover`); and it refuses a folder that a build did not make. Every build writes a
marker, `.paradetimeline-output`, naming the files it wrote, so a folder of the user's
(notes, a CNAME dropped into site/, the project's own content/) is never replaced or
emptied: a folder without the marker, or holding a file the marker does not name, is
replaced only with --force.

`replace_site` renders into a staging folder beside the output and swaps it in with two
renames; if a kill lands between them, the next build puts the previous output back.

A rebuild that changed only some files (`update_site`) stages just those, then writes a
journal inside its staging folder naming them and the files to delete, and only then moves
them into place. Until the journal exists the output is untouched; once it does, the change
is committed, and a build killed halfway through the moves is completed by the next one.
Recovery trusts only a journal in a staging folder this user's build made (a private
folder, mode 0700, which a checkout or an archive does not make), and never follows a
symlink: it moves and deletes files inside the output folder and nowhere else.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Collection, Iterator
from pathlib import Path, PurePosixPath
from typing import TypeVar

from ..errors import UsageError

T = TypeVar("T")

MARKER = ".paradetimeline-output"
MARKER_HEADER = ("# Written by 'paradetimeline build', with the files it wrote into this folder.\n"
                 "# A build replaces this folder only while it holds no other file.\n")
JOURNAL = ".journal.json"
INPUTS = ("content", "seeds", "templates", ".git")
MAX_MARKER_BYTES = 64_000_000


def write_site(files: dict[str, bytes], out: Path, root: Path, *, force: bool = False) -> None:
    """Replace `out` with exactly `files` ({'/'-separated path: bytes})."""
    def fill(staging: Path) -> None:
        for relpath in sorted(files):
            target = staging / safe_relpath(relpath)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[relpath])

    with claimed(out, root) as folder:
        claim(folder, force=force)
        replace_site(folder, fill)


@contextlib.contextmanager
def claimed(out: Path, root: Path, on_wait: Callable[[], None] | None = None) -> Iterator[Path]:
    """Lock the output folder for one build and finish what a killed build left there.

    Yields the folder's absolute path. The lock is on the folder's parent, where staging
    folders live, so it covers them too; `on_wait` is called if another build holds it."""
    out = Path(os.path.abspath(out))
    check_output_folder(out, Path(os.path.abspath(root)))
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        recover(out)
        yield out
    finally:
        os.close(descriptor)  # releases the lock


def check_output_folder(out: Path, root: Path) -> None:
    """Refuse an output folder whose replacement would destroy the project, or follow a
    symlink elsewhere, whatever --force says."""
    if out == root or out in root.parents:
        raise UsageError(f"output folder '{out}' would replace the project itself")
    for name in INPUTS:
        if out == root / name or (root / name) in out.parents:
            raise UsageError(f"output folder '{out}' is the project's '{name}' folder or inside "
                             "it; choose a folder of its own, such as 'site'")
    if out.is_symlink():
        raise UsageError(f"output folder '{out}' is a symlink to '{os.readlink(out)}'; a build "
                         "replaces the folder, and would replace the link with it "
                         f"(hint: pass --out '{out.resolve()}' to build there)")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output folder '{out}' is a file, not a folder")
    for name in (*INPUTS, "pyproject.toml"):
        if os.path.lexists(out / name):
            raise UsageError(f"output folder '{out}' holds '{name}': it does not look like "
                             "a built site, so it will not be replaced")


def claim(out: Path, *, force: bool = False) -> None:
    """Refuse to replace a folder that holds files no build wrote, unless `force`."""
    if force or not out.exists():
        return
    present = set(_listing(out, everything=True))
    if not present:
        return
    written = _read_marker(out)
    hint = "choose a new or empty folder, or pass --force to replace it and delete what it holds"
    if written is None:
        raise UsageError(f"output folder '{out}' was not made by a build (it has no {MARKER} "
                         f"file), so it will not be replaced\n    hint: {hint}")
    foreign = sorted(present - written - {MARKER})
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise UsageError(f"output folder '{out}' holds {len(foreign)} "
                         f"file{'' if len(foreign) == 1 else 's'} that no build wrote ({shown}); "
                         "a build would delete "
                         f"{'it' if len(foreign) == 1 else 'them'}\n    hint: move "
                         f"{'it' if len(foreign) == 1 else 'them'} out of the folder, or pass "
                         "--force to delete them")


def replace_site(out: Path, fill: Callable[[Path], T]) -> T:
    """Replace `out` with whatever `fill` writes into an empty staging folder beside it.

    If `fill` raises (or the process dies), `out` is left as it was. Call it inside
    `claimed`."""
    staging = _new_folder(out.parent, f".{out.name}-new-")
    try:
        result = fill(staging)
        _write_marker(staging, _listing(staging))
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def update_site(out: Path, fill: Callable[[Path], tuple[T, Collection[str]]]) -> T:
    """Change `out` by what `fill` writes into an empty staging folder beside it, and delete
    the files (paths relative to `out`) that `fill` returns with its result.

    If `fill` raises (or the process dies before the journal is written), `out` is left as
    it was; after that, the change completes even if this process does not. Call it inside
    `claimed`."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))  # mode 0700
    try:
        result, stale = fill(staging)
        for relpath in stale:
            safe_relpath(relpath)
        listed = _read_marker(out) or set()
        now = (listed - set(stale)) | set(_listing(staging))
        if now != listed:  # the same files as before: the marker stays as it is
            _write_marker(staging, now)
        unfinished = staging / f"{JOURNAL}.tmp"
        unfinished.write_text(json.dumps({"delete": sorted(stale)}), encoding="utf-8")
        unfinished.replace(staging / JOURNAL)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _apply(staging, out)
    return result


def safe_relpath(relpath: str) -> PurePosixPath:
    """A path that stays inside the output folder, or ValueError."""
    path = PurePosixPath(relpath)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in relpath:
        raise ValueError(f"unsafe output path {relpath!r}")
    return path


def recover(out: Path) -> None:
    """Deal with what a killed build left: complete a journaled update, restore a
    swapped-out site, remove staging folders. Only folders this user's builds made count."""
    parent = out.parent
    staged = sorted(parent.glob(f".{out.name}-new-*"))
    for staging in staged:
        if _private(staging) and (staging / JOURNAL).is_file():
            _apply(staging, out)
    old = sorted(p for p in parent.glob(f".{out.name}-old-*") if _ours(p))
    if not os.path.lexists(out) and old:
        old[-1].rename(out)
        old = old[:-1]
    for leftover in [*old, *staged]:
        if _ours(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


def _ours(path: Path) -> bool:
    """A real folder (not a symlink) of this user's."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()


def _private(path: Path) -> bool:
    """A folder as `tempfile.mkdtemp` makes it: this user's, and no one else's to write."""
    return _ours(path) and stat.S_IMODE(os.lstat(path).st_mode) == 0o700


def _new_folder(parent: Path, prefix: str) -> Path:
    """A new folder with a random name, made as any folder the user makes (the umask
    decides its mode: a published site must be readable, unlike a mkdtemp folder)."""
    while True:
        folder = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            folder.mkdir(0o777)
        except FileExistsError:
            continue
        return folder


def _listing(folder: Path, *, everything: bool = False) -> list[str]:
    """'/'-separated paths of the files below `folder`; symlinked folders are not entered.

    `everything` counts anything that is not a folder (a symlink, a FIFO) as a file."""
    found = []
    for parent, folders, names in os.walk(folder):
        relative = Path(parent).relative_to(folder).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        for name in names:
            if everything or stat.S_ISREG(os.lstat(os.path.join(parent, name)).st_mode):
                found.append(prefix + name)
        if everything:
            found += [prefix + name for name in folders if os.path.islink(os.path.join(parent, name))]
    return found


def _write_marker(folder: Path, files: Collection[str]) -> None:
    listed = sorted(set(files) - {MARKER})
    (folder / MARKER).write_text(MARKER_HEADER + "".join(f"{p}\n" for p in listed),
                                 encoding="utf-8")


def _read_marker(out: Path) -> set[str] | None:
    """The files the marker says a build wrote; None if there is no readable marker."""
    try:
        descriptor = os.open(out / MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MARKER_BYTES:
            return None
        with os.fdopen(os.dup(descriptor), "rb") as file:
            text = file.read(MAX_MARKER_BYTES).decode("utf-8", errors="replace")
    finally:
        os.close(descriptor)
    if not text.startswith(MARKER_HEADER):
        return None
    return {line for line in text[len(MARKER_HEADER):].splitlines() if line}


def _swap(staging: Path, out: Path) -> None:
    if not os.path.lexists(out):
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _apply(staging: Path, out: Path) -> None:
    """Move a journaled update's staged files into `out` and delete its stale ones. Safe to
    repeat: what was moved or deleted already is skipped. Never follows a symlink."""
    try:
        plan = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
        stale = [safe_relpath(str(p)) for p in plan["delete"]]
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(staging, ignore_errors=True)  # never completed: nothing to do
        return
    for folder, _, names in os.walk(staging):
        relative = Path(folder).relative_to(staging)
        for name in names:
            source = Path(folder) / name
            if relative == Path(".") and name in (JOURNAL, f"{JOURNAL}.tmp"):
                continue
            if not stat.S_ISREG(os.lstat(source).st_mode):
                continue
            os.replace(source, _real_folder(out, relative) / name)
    for relpath in stale:
        target = _real_folder(out, PurePosixPath(relpath).parent) / relpath.name
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            target.unlink()
        for parent in target.parents:
            if parent == out or not parent.is_relative_to(out):
                break
            try:
                parent.rmdir()  # a folder the deletions emptied, as a clean build has none
            except OSError:
                break
    shutil.rmtree(staging, ignore_errors=True)


def _real_folder(out: Path, relative: PurePosixPath | Path) -> Path:
    """`out / relative`, made where missing, after checking that no folder on the way is a
    symlink (which would lead the move or the deletion out of the output folder)."""
    folder = out
    for part in relative.parts:
        if part in ("", "."):
            continue
        folder = folder / part
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            folder.mkdir()
            continue
        if not stat.S_ISDIR(info.st_mode):
            raise UsageError(f"output folder '{out}' holds '{folder.relative_to(out)}', which "
                             "is not a folder a build made (a symlink or a file); remove it "
                             "and build again")
    return folder
