"""A build record, so that rebuilding with nothing changed does nothing.

After a successful build we store, in the project's cache folder (`folder`), a fingerprint of every
input (the bytes of every file under seeds/, content/ and templates/, the package's own code
and default theme, the build options and SOURCE_DATE_EPOCH) and a manifest of the output (each file's size and
modification time). A later build whose fingerprint and output both still match skips the
work and replays the recorded diagnostics. Anything else (a changed byte, an edited or
missing output file, a record that is corrupt, of another format or shape, from another
project, or not a regular file) means a full build: the record is never trusted, only
matched.

The cache folder lies outside the project, in the user's cache folder
($XDG_CACHE_HOME/paradetimeline/<hash of the project's path>/, or the folder that
$PARADETIMELINE_CACHE_DIR names instead of $XDG_CACHE_HOME/paradetimeline): a checkout
cannot plant a cache, and a build writes nothing into the project but its output. It keeps
the records of the last KEPT_RECORDS output folders a project was built into.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from .. import theme
from ..errors import Diagnostic, Location
from . import safefile

FORMAT = "paradetimeline/build-record@1"
CACHE_ENV = "PARADETIMELINE_CACHE_DIR"
KEPT_RECORDS = 8
MAX_BYTES = 1 << 28  # of a build record, read whole: far more than a large site's
INPUT_FOLDERS = ("seeds", "content", "templates")
_CODE = Path(__file__).resolve().parent.parent  # the whole package, every stage
RACY_NS = 2_000_000_000  # files changed in the last 2 s are always re-hashed


def fingerprint(root: Path, options: dict[str, Any],
                known: dict[str, list[Any]] | None = None) -> tuple[str, dict[str, list[Any]]]:
    """A hash of everything a build's output depends on, and the per-file facts behind it.

    `known` holds {path: [size, mtime_ns, sha256]} from the last record: a file whose size
    and time are unchanged, and older than RACY_NS, keeps its recorded hash instead of being
    read again (git's index does the same). Anything newer is read and hashed. The one
    blind spot, shared with git: a file rewritten with the same size and a forged older
    modification time.
    """
    known = known or {}
    now = time.time_ns()
    files: dict[str, list[Any]] = {}
    sources = [("code", _CODE, ".py"), ("theme", theme.folder(), "")] + [
        (name, root / name, "") for name in INPUT_FOLDERS]
    for label, base, suffix in sources:
        for relpath, info in _walk(base):
            if relpath.endswith(suffix):
                name = f"{label}/{relpath}"
                files[name] = _facts(base, relpath, info, known.get(name), now)
    return _combined(options, files), files


def refreshed(root: Path, options: dict[str, Any], known: dict[str, list[Any]],
              changed: set[str]) -> tuple[str, dict[str, list[Any]]] | None:
    """`fingerprint`, told which paths (absolute, below the input folders) changed: the
    other files keep their `known` facts unlooked at. None when that cannot tell: a
    folder came or went, or a path is a symlink or lies elsewhere."""
    files = dict(known)
    now = time.time_ns()
    base = os.path.abspath(root)
    for path in changed:
        name = os.path.relpath(path, base).replace(os.sep, "/")
        if name.partition("/")[0] not in INPUT_FOLDERS or "/../" in f"/{name}/":
            return None
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            if any(other.startswith(f"{name}/") for other in files):
                return None  # a folder of files went
            files.pop(name, None)
            continue
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        files[name] = _facts(Path(base), name, info, known.get(name), now)
    return _combined(options, files), files


def _facts(base: Path, relpath: str, info: os.stat_result, earlier: list[Any] | None,
           now: int) -> list[Any]:
    """[size, mtime_ns, sha256] of a file, the hash taken from `earlier` when it may be."""
    fresh = now - info.st_mtime_ns < RACY_NS
    if earlier and earlier[:2] == [info.st_size, info.st_mtime_ns] and not fresh:
        return [info.st_size, info.st_mtime_ns, earlier[2]]
    return [info.st_size, info.st_mtime_ns, _content_hash(base / relpath, info)]


def _combined(options: dict[str, Any], files: dict[str, list[Any]]) -> str:
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(json.dumps(options, sort_keys=True).encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    digest.update("".join(f"{name}\0{files[name][2]}\0" for name in sorted(files)).encode())
    return digest.hexdigest()


def _content_hash(path: Path, info: os.stat_result) -> str:
    """The file's SHA-256; for what cannot be read (a FIFO, a dangling link, no permission),
    a name of what it is, so the build goes on to the loader, which reports it."""
    if not stat.S_ISREG(info.st_mode):
        return f"not a file ({stat.S_IFMT(info.st_mode):o})"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable ({exc.errno})"


def manifest(out: Path) -> dict[str, list[int]]:
    """{path: [size, mtime_ns]} of every file in the output folder."""
    return {relpath: [stat.st_size, stat.st_mtime_ns] for relpath, stat in _walk(out)}


def _walk(base: Path) -> list[tuple[str, os.stat_result]]:
    """(path relative to base with '/', stat) of every file below base, in no set order.
    Symlinks to files are followed and symlinked folders are not, as the loader's rglob
    does; os.scandir keeps this cheap. Anything else that is not a folder (a FIFO, a
    symlink to a folder or to nothing, a symlink loop) counts with its own lstat: adding or
    removing one changes the fingerprint, as the loader has something to say about it."""
    found: list[tuple[str, os.stat_result]] = []
    stack = [("", str(base))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file():
                    found.append((prefix + entry.name, entry.stat()))
                else:
                    found.append((prefix + entry.name, entry.stat(follow_symlinks=False)))
            except OSError:  # a symlink loop: only is_file() looks through the link
                found.append((prefix + entry.name, entry.stat(follow_symlinks=False)))
    return found


def folder(root: Path) -> Path:
    """The project's cache folder (see the module's docstring); nothing is made here."""
    base = os.environ.get(CACHE_ENV)
    if not base:
        home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(home, "paradetimeline")
    return Path(base) / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


def output_key(out: Path) -> str:
    """The name of an output folder among the records."""
    return hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]


def record_path(root: Path, out: Path) -> Path:
    return folder(root) / f"build-{output_key(out)}.json"


def forget(root: Path, out: Path) -> None:
    """Remove the record of builds into `out` (a folder that is going away)."""
    record_path(root, out).unlink(missing_ok=True)


def _prune(kept: Path) -> None:
    """Keep the records of the KEPT_RECORDS output folders built into last, `kept` among them."""
    def age(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    records = sorted(kept.parent.glob("build-*.json"), key=age, reverse=True)
    for old in [r for r in records if r != kept][KEPT_RECORDS - 1:]:
        old.unlink(missing_ok=True)


def read_record(root: Path, out: Path) -> dict[str, Any]:
    """The last record of builds into `out`; {} when there is none, or it is unreadable,
    not a regular file, or not of the shape `store` writes."""
    try:
        record = json.loads(safefile.read_regular(record_path(root, out), MAX_BYTES))
    except (OSError, ValueError):
        return {}
    return record if _is_record(record) else {}


_INPUT = [int, int, str]  # size, mtime_ns, sha256
_DIAGNOSTIC = ([str, str, int, int, str, str], [str, str, int, int, str, type(None)])


def _is_record(record: Any) -> bool:
    """Whether `record` has every field a build reads, each of the type `store` writes: a
    record edited by hand (a hash that is null, say) is no record, not a failed build. The
    manifest's rows are only ever compared with a fresh manifest, so any value is harmless
    there, and they are not looked at one by one."""
    try:
        return (
            record["format"] == FORMAT
            and all(type(record[name]) is str for name in ("root", "out", "fingerprint"))
            and all(type(record[name]) is int for name in ("pages", "events", "files"))
            and all(type(record[name]) is dict for name in ("inputs", "manifest"))
            and all(type(record[name]) is list for name in ("diagnostics", "skipped"))
            and all(_types(row) == _INPUT for row in record["inputs"].values())
            and all(_types(row) in _DIAGNOSTIC for row in record["diagnostics"])
            and all(type(name) is str for name in record["skipped"])
        )
    except (KeyError, TypeError):
        return False


def _types(row: Any) -> list[type] | None:
    return [type(value) for value in row] if type(row) is list else None


def known_files(record: dict[str, Any]) -> dict[str, list[Any]]:
    files = record.get("inputs")
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 3}


def matches(record: dict[str, Any], root: Path, out: Path, print_: str) -> bool:
    """Whether `record` is of an identical build into `out` whose output is intact."""
    return record.get("fingerprint") == print_ and intact(record, root, out)


def intact(record: dict[str, Any], root: Path, out: Path) -> bool:
    """Whether `record` is of a build of `root` into `out` whose output nobody has touched
    since: the files an incremental build leaves in place are then exactly as written."""
    try:
        return (
            record.get("root") == str(root.resolve())
            and record.get("out") == str(out.resolve())
            and out.is_dir()
            and record.get("manifest") == manifest(out)
        )
    except (OSError, ValueError):
        return False


def store(root: Path, out: Path, print_: str, inputs: dict[str, list[Any]],
          result: dict[str, Any], changed: tuple[dict[str, Any], list[str], set[str]] | None = None
          ) -> None:
    """Remember a successful build; a cache that cannot be written is simply not kept.

    `changed` = (the earlier record, the files written, the files deleted) of a build that
    changed only some files of an intact output: its manifest is the earlier one with those
    changes, instead of a walk over every file."""
    if changed is None:
        files = dict(sorted(manifest(out).items()))
    else:
        earlier, written, deleted = changed
        files = {k: v for k, v in earlier["manifest"].items() if k not in deleted}
        for relpath in written:
            stat = (out / relpath).stat()
            files[relpath] = [stat.st_size, stat.st_mtime_ns]
        files = dict(sorted(files.items()))
    record = {"format": FORMAT, "root": str(root.resolve()), "out": str(out.resolve()),
              "fingerprint": print_, "inputs": inputs, "manifest": files, **result}
    path = record_path(root, out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with safefile.replacing(path) as handle:
            handle.write(json.dumps(record).encode("utf-8"))
        _prune(path)
    except OSError:
        pass


def dump_diagnostics(diagnostics: tuple[Diagnostic, ...]) -> list[list[Any]]:
    return [[d.severity, d.location.path, d.location.line, d.location.column, d.message, d.hint]
            for d in diagnostics]


def load_diagnostics(rows: list[list[Any]]) -> tuple[Diagnostic, ...]:
    return tuple(Diagnostic(severity, Location(path, line, column), message, hint)
                 for severity, path, line, column, message, hint in rows)
