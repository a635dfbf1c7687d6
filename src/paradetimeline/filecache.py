"""Results of slow, pure steps (parsing a file, rendering a Markdown body), kept between
builds and looked up by the exact text they came from.

`ROOT/.paradetimeline-cache/results.pickle` holds {key: value}, where a key names the step
and carries a SHA-256 of its input, so a changed byte is a different key and an entry can
never be stale. Values are pickled model objects, and unpickling runs code, so nothing is
unpickled unless this user's key vouches for it: the file is the pickled values one after
another, then an index {key: (offset, length, SHA-256 of the value)}, its length, and an
HMAC-SHA256 of the index under a key that lives outside the project
(`$XDG_CACHE_HOME/paradetimeline/key`, made on first use, readable by its owner only).
Opening the file reads and checks only the index; a value is read (and its digest checked)
when a build asks for it, so memory holds only what the build uses. A file that is corrupt,
unsigned, signed elsewhere (say, committed to a repository) or written by another version
of paradetimeline is ignored, never trusted; a value that does not match its digest is a
miss; without a usable key nothing is cached and builds are only slower.

Some steps are handed only a value that came from the cache (coverage gets an article, not
its seed): `ResultCache.remember` notes the key a value came from, and `derived` keeps what
such a step computes under a key that contains it.
"""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import os
import pickle
import secrets
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

try:
    import fcntl
except ImportError:  # not on Windows: there every save writes the file afresh
    fcntl = None  # type: ignore[assignment]

FORMAT = b"paradetimeline/results@2"
NAME = "results.pickle"
_CODE = Path(__file__).resolve().parent
T = TypeVar("T")


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


Entry = tuple[int, int, bytes]  # offset, length, SHA-256 of the pickled value


class ResultCache:
    """{key: value}: values are read from the file, and unpickled, only when asked for.

    `index` holds the entries of the file it was opened from, `made` the values this build
    (or a worker of it) pickled, `used` the keys this build asked for or made."""

    def __init__(self, path: Path | None, made: dict[Any, bytes] | None = None,
                 index: dict[Any, Entry] | None = None, file: BinaryIO | None = None):
        self.path = path
        self.made = made or {}
        self.index = index or {}
        self.file = file
        self.loaded = frozenset(self.index)
        self.used: set[Any] = set(self.made)
        self.derived: dict[Any, Any] = {}  # what `derived` returned, by key, in this build

    @property
    def entries(self) -> dict[Any, None]:
        """Every key this cache holds, in order."""
        return dict.fromkeys([*self.index, *self.made])

    def __contains__(self, key: Any) -> bool:
        return key in self.made or key in self.index

    def get(self, key: Any) -> Any:
        blob = self.made.get(key)
        if blob is None:
            blob = self._read(key)
            if blob is None:
                return None
        self.used.add(key)
        return pickle.loads(blob)

    def _read(self, key: Any) -> bytes | None:
        entry = self.index.get(key)
        if entry is None or self.file is None:
            return None
        offset, length, sha = entry
        try:
            if hasattr(os, "pread"):  # no shared file position: safe in forked workers
                blob = os.pread(self.file.fileno(), length, offset)
            else:  # Windows, where nothing forks
                self.file.seek(offset)
                blob = self.file.read(length)
        except (OSError, ValueError):
            return None
        return blob if hashlib.sha256(blob).digest() == sha else None

    def put(self, key: Any, value: Any) -> None:
        self.made[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.used.add(key)

    def remember(self, value: Any, key: Any) -> None:
        """Note that `value` (which must allow weak references) is what this cache holds under
        `key`, so that a step handed only `value` can keep its result (see `derived`)."""
        ident = id(value)
        _ORIGINS[ident] = (weakref.ref(value, lambda _: _ORIGINS.pop(ident, None)),
                           weakref.ref(self), key)

    def take(self) -> dict[Any, bytes | None]:
        """In a forked worker: the keys it used since the last `take`, with the values it
        made (a value the file the parent opened holds is sent as None)."""
        taken, self.used = self.used, set()
        return {k: None if k in self.index else self.made[k] for k in taken}

    def update(self, used: dict[Any, bytes | None]) -> None:
        """What a worker used or made (see `take`)."""
        for key, blob in used.items():
            if blob is not None:
                self.made[key] = blob
                self.used.add(key)
            elif key in self.index:
                self.used.add(key)

    def keep(self, wanted: Callable[[Any], bool]) -> None:
        """Keep the entries whose key is `wanted`, used or not, at the next `save`: a build
        that rendered only some pages did not ask for the results of the others, yet a
        later one will."""
        self.used.update(key for key in self.loaded - self.used if wanted(key))

    def save(self) -> None:
        """Write what this build used (so deleted inputs drop out), if that changed.

        Usually only the new values and a new index are appended to the file the build
        opened (under a lock; the values already there stay where they are, so a reader
        of the old index is not disturbed). Once more than half of the file is values no
        longer used, it is written afresh, one value at a time. A build killed while
        appending leaves a file whose signature does not match: it is ignored, not trusted."""
        if self.path is None or self.used == self.loaded:
            return  # a key's value never changes, so the same keys mean the same file
        secret = _secret()
        if secret is None:
            return
        if not self._append(secret):
            self._rewrite(secret)

    def _append(self, secret: bytes) -> bool:
        if self.file is None or fcntl is None:
            return False
        kept = {k: self.index[k] for k in self.used if k in self.index}
        live = sum(length for _, length, _ in kept.values())
        try:
            with self.path.open("r+b") as handle:  # type: ignore[union-attr]
                fcntl.flock(handle, fcntl.LOCK_EX)
                now, then = os.fstat(handle.fileno()), os.fstat(self.file.fileno())
                if (now.st_ino, now.st_size) != (then.st_ino, then.st_size) or live < now.st_size / 2:
                    return False  # changed since this build opened it, or mostly garbage
                handle.seek(0, os.SEEK_END)
                for key in self.used - kept.keys():
                    blob = self.made[key]
                    kept[key] = (handle.tell(), len(blob), hashlib.sha256(blob).digest())
                    handle.write(blob)
                _write_index(handle, kept, secret)
            return True
        except OSError:
            return False

    def _rewrite(self, secret: bytes) -> None:
        assert self.path is not None
        temporary = self.path.with_suffix(f".tmp{os.getpid()}")
        try:
            self.path.parent.mkdir(exist_ok=True)
            with temporary.open("wb") as handle:
                index: dict[Any, Entry] = {}
                for key in self.used:
                    blob = self.made.get(key)
                    sha = hashlib.sha256(blob).digest() if blob is not None else None
                    if blob is None:
                        blob = self._read(key)
                        if blob is None:
                            continue
                        sha = self.index[key][2]
                    index[key] = (handle.tell(), len(blob), sha)  # type: ignore[assignment]
                    handle.write(blob)
                _write_index(handle, index, secret)
            temporary.replace(self.path)
        except OSError:
            temporary.unlink(missing_ok=True)  # a cache that cannot be written is not kept

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def open_cache(root: Path, cache_dir: str) -> ResultCache:
    """The project's result cache; an empty one when there is none or it is not ours."""
    path = root / cache_dir / NAME
    secret = _secret()
    if secret is None:
        return ResultCache(path)
    try:
        file = path.open("rb")
    except OSError:
        return ResultCache(path)
    index = _read_index(file, secret)
    if not index:
        file.close()
        return ResultCache(path)
    return ResultCache(path, index=index, file=file)


def _read_index(file: BinaryIO, secret: bytes) -> dict[Any, Entry]:
    """The index at the end of a cache file, if `secret` signed it; else {}."""
    try:
        size = os.fstat(file.fileno()).st_size
        if size < 40:
            return {}
        file.seek(size - 40)
        tail = file.read(40)
        length, signature = int.from_bytes(tail[:8], "big"), tail[8:]
        if length > size - 40:
            return {}
        file.seek(size - 40 - length)
        table = file.read(length)
    except OSError:
        return {}
    if not hmac.compare_digest(signature, _signature(secret, table)):
        return {}
    try:
        index = pickle.loads(table)
    except Exception:  # signed by us, yet unreadable: treat as absent
        return {}
    if not isinstance(index, dict):
        return {}
    return {k: v for k, v in index.items() if _entry(v, size - 40 - length)}


def _entry(value: Any, end: int) -> bool:
    """Whether `value` is an (offset, length, sha) that lies before `end`."""
    return (isinstance(value, tuple) and len(value) == 3 and type(value[0]) is int
            and type(value[1]) is int and type(value[2]) is bytes
            and value[0] >= 0 and value[1] >= 0 and value[0] + value[1] <= end)


def _write_index(handle: BinaryIO, index: dict[Any, Entry], secret: bytes) -> None:
    table = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    handle.write(table)
    handle.write(len(table).to_bytes(8, "big"))
    handle.write(_signature(secret, table))


def _signature(secret: bytes, payload: bytes | memoryview) -> bytes:
    """HMAC-SHA256 of this format, this code and the payload (fed in, not concatenated)."""
    mac = hmac.new(secret, FORMAT + _code_digest(), "sha256")
    mac.update(payload)
    return mac.digest()


# id(value) -> (value, the cache it came from, its key there), both weakly: an entry goes
# when its value does, and never keeps a cache alive.
_ORIGINS: dict[int, tuple[weakref.ref[Any], weakref.ref[ResultCache], Any]] = {}


def derived(value: Any, step: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()`, a pure function of `value` and `step`, kept between builds when `value`
    came from a result cache (see `ResultCache.remember`).

    The key is `(*step, key of value)`: it holds everything the result depends on, so an
    entry is found again only for the very same input. Asked again in the same build, it
    returns the same object: results are shared, never to be changed. None is not kept."""
    origin = _ORIGINS.get(id(value))
    results = origin[1]() if origin is not None and origin[0]() is value else None
    if results is None or origin is None:
        return compute()
    key = (*step, origin[2])
    found = results.derived.get(key)
    if found is None:
        found = results.get(key)
        if found is None:
            found = compute()
            if found is not None:
                results.put(key, found)
        results.derived[key] = found
    return found


PARALLEL_MIN_VALUES = 200  # fewer results to compute: starting processes costs more than it saves
_DERIVE: tuple[list[Any], Callable[[Any], Any]] | None = None


def derive_many(values: list[Any], step: tuple[Any, ...], compute: Callable[[Any], Any],
                jobs: int) -> None:
    """Compute `derived(value, step, lambda: compute(value))` ahead for many values, in
    `jobs` forked processes, when enough of them are not kept yet; `derived` then finds
    them kept. `compute` must be a pure function of its value, as for `derived`."""
    global _DERIVE
    todo: list[tuple[Any, ResultCache, Any]] = []
    for value in values:
        origin = _ORIGINS.get(id(value))
        results = origin[1]() if origin is not None and origin[0]() is value else None
        if results is not None and origin is not None:
            key = (*step, origin[2])
            if key not in results.derived and key not in results:
                todo.append((value, results, key))
    if jobs <= 1 or len(todo) < PARALLEL_MIN_VALUES \
            or "fork" not in multiprocessing.get_all_start_methods():
        return
    step_size = -(-len(todo) // (jobs * 4))
    slices = [(start, min(start + step_size, len(todo))) for start in range(0, len(todo), step_size)]
    _DERIVE = ([value for value, _, _ in todo], compute)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for start, blobs in pool.imap_unordered(_derive_slice, slices):
                for n, blob in enumerate(blobs, start):
                    if blob is not None:
                        _, results, key = todo[n]
                        results.update({key: blob})
    finally:
        _DERIVE = None


def _derive_slice(part: tuple[int, int]) -> tuple[int, list[bytes | None]]:
    """In a forked worker: the pickled results of a slice of `_DERIVE` (None is not kept)."""
    assert _DERIVE is not None
    values, compute = _DERIVE
    found = [compute(value) for value in values[part[0]:part[1]]]
    return part[0], [None if v is None else pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)
                     for v in found]


def _secret() -> bytes | None:
    """This user's signing key, made on first use; None if it cannot be kept."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(home) / "paradetimeline" / "key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return key
    except FileExistsError:  # another build made it just now
        try:
            key = path.read_bytes()
            return key if len(key) == 32 else None
        except OSError:
            return None
    except OSError:
        return None


_CODE_DIGEST: list[bytes] = []


def _code_digest() -> bytes:
    """A hash of the package's own code: results made by other code are not reused."""
    if not _CODE_DIGEST:
        h = hashlib.sha256()
        for path in sorted(_CODE.glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        _CODE_DIGEST.append(h.digest())
    return _CODE_DIGEST[0]
