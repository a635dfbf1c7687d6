"""Results of slow, pure steps (parsing a file, rendering a Markdown body), kept between
builds and looked up by the exact text they came from.

`ROOT/.paradetimeline-cache/results.pickle` holds {key: value}, where a key names the step
and carries a SHA-256 of its input, so a changed byte is a different key and an entry can
never be stale. Values are pickled model objects, and unpickling runs code, so nothing is
unpickled unless this user's key vouches for it: the file is the pickled values one after
another, then the pickled keys, then a lookup table (a 16-byte hash of each key, and the
offset, length and SHA-256 of its value), and an HMAC-SHA256 of the table and of the keys'
SHA-256 under a key that lives outside the project (`$XDG_CACHE_HOME/paradetimeline/key`,
made on first use, readable by its owner only). Opening the file reads and checks only the
table; the keys are read only by a save; a value is read (and its digest checked) when a
build asks for it, so memory holds only what the build uses. A file that is corrupt,
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
import struct
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

try:
    import fcntl
except ImportError:  # not on Windows: there every save writes the file afresh
    fcntl = None  # type: ignore[assignment]

FORMAT = b"paradetimeline/results@3"
NAME = "results.pickle"
_CODE = Path(__file__).resolve().parent
T = TypeVar("T")
_ENTRY = struct.Struct("<QQ32s")  # offset, length, SHA-256 of the pickled value
_IDENT = 16  # bytes of a key's ident


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def ident(key: Any) -> bytes:
    """A key's short name in the file's lookup table: a hash of its repr (keys are tuples
    of strings and numbers, whose repr is exact)."""
    return hashlib.blake2b(repr(key).encode("utf-8"), digest_size=_IDENT).digest()


class ResultCache:
    """{key: value}: values are read from the file, and unpickled, only when asked for.

    `index` maps the ident of each key the opened file holds to its entry in `table`,
    `made` holds the keys and values this build (or a worker of it) pickled, by ident, and
    `used` the idents of the keys this build asked for or made. The keys themselves stay in the file
    until a save needs them: 70,000 tuples of long strings were 31 MB of every build."""

    def __init__(self, path: Path | None, made: dict[bytes, tuple[Any, bytes]] | None = None,
                 index: dict[bytes, int] | None = None, file: BinaryIO | None = None,
                 table: bytes = b"", keys: tuple[int, int, bytes] | None = None):
        self.path = path
        self.made = made or {}
        self.index = index or {}
        self.table = table
        self.keys_at = keys  # (offset, length, SHA-256) of the file's pickled {ident: key}
        self.file = file
        self.loaded = self.index.keys()
        self.used: set[bytes] = set(self.made)
        self.kept: list[Callable[[Any], bool]] = []
        self.derived: dict[Any, Any] = {}  # what `derived` returned, by key, in this build

    @property
    def entries(self) -> dict[Any, None]:
        """Every key this cache holds, in order (read from the file: for tests and tools)."""
        return dict.fromkeys([*self._file_keys().values(), *(k for k, _ in self.made.values())])

    def __contains__(self, key: Any) -> bool:
        name = ident(key)
        return name in self.made or name in self.index

    def get(self, key: Any) -> Any:
        name = ident(key)
        made = self.made.get(name)
        blob = made[1] if made is not None else self._read(name)
        if blob is None:
            return None
            if blob is None:
                return None
        self.used.add(name)
        return pickle.loads(blob)

    def _entry(self, name: bytes) -> tuple[int, int, bytes] | None:
        n = self.index.get(name)
        return None if n is None else _ENTRY.unpack_from(self.table, n * _ENTRY.size)

    def _read(self, name: bytes) -> bytes | None:
        entry = self._entry(name)
        if entry is None:
            return None
        offset, length, sha = entry
        blob = self._pread(offset, length)
        return blob if blob is not None and hashlib.sha256(blob).digest() == sha else None

    def _pread(self, offset: int, length: int) -> bytes | None:
        if self.file is None:
            return None
        try:
            if hasattr(os, "pread"):  # no shared file position: safe in forked workers
                return os.pread(self.file.fileno(), length, offset)
            self.file.seek(offset)  # Windows, where nothing forks
            return self.file.read(length)
        except (OSError, ValueError):
            return None

    def _file_keys(self) -> dict[bytes, Any]:
        """{ident: key} of the opened file: read again, and checked, only when wanted."""
        if self.keys_at is None:
            return {}
        offset, length, sha = self.keys_at
        blob = self._pread(offset, length)
        if blob is None or hashlib.sha256(blob).digest() != sha:
            return {}
        keys = pickle.loads(blob)
        return {name: key for name, key in keys.items() if name in self.index}

    def touch(self, key: Any) -> None:
        """Keep the entry under `key`, if there is one, as if it had been read: a build
        that did not need it now may need it later."""
        name = ident(key)
        if name in self.made or name in self.index:
            self.used.add(name)

    def put(self, key: Any, value: Any) -> None:
        self.put_pickled(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def put_pickled(self, key: Any, blob: bytes) -> None:
        """Keep a value a worker pickled."""
        name = ident(key)
        self.made[name] = (key, blob)
        self.used.add(name)

    def remember(self, value: Any, key: Any) -> None:
        """Note that `value` (which must allow weak references) is what this cache holds under
        `key`, so that a step handed only `value` can keep its result (see `derived`)."""
        ident = id(value)
        _ORIGINS[ident] = (weakref.ref(value, lambda _: _ORIGINS.pop(ident, None)),
                           weakref.ref(self), key)

    def take(self) -> dict[bytes, tuple[Any, bytes] | None]:
        """In a forked worker: the idents of the keys it used since the last `take`, with
        the keys and values it made (a value the file the parent opened holds is None)."""
        taken, self.used = self.used, set()
        return {name: None if name in self.index else self.made[name] for name in taken}

    def update(self, used: dict[bytes, tuple[Any, bytes] | None]) -> None:
        """What a worker used or made (see `take`)."""
        for name, made in used.items():
            if made is not None:
                self.made[name] = made
                self.used.add(name)
            elif name in self.index:
                self.used.add(name)

    def keep(self, wanted: Callable[[Any], bool]) -> None:
        """Keep the entries whose key is `wanted`, used or not, at the next `save`: a build
        that rendered only some pages did not ask for the results of the others, yet a
        later one will. (Decided at the save, which has the keys at hand.)"""
        self.kept.append(wanted)

    def save(self) -> None:
        """Write what this build used (so deleted inputs drop out), if that changed.

        Usually only the new values and a new index are appended to the file the build
        opened (under a lock; the values already there stay where they are, so a reader
        of the old index is not disturbed). Once more than half of the file is values no
        longer used, it is written afresh, one value at a time. A build killed while
        appending leaves a file whose signature does not match: it is ignored, not trusted."""
        if self.path is None:
            return
        keys = self._file_keys() if self.kept or self.used != self.loaded else {}
        if self.kept:
            self.used.update(name for name, key in keys.items()
                             if name not in self.used and any(w(key) for w in self.kept))
            self.kept = []
        if self.used == self.loaded:
            return  # a key's value never changes, so the same keys mean the same file
        secret = _secret()
        if secret is None:
            return
        keys.update((name, key) for name, (key, _) in self.made.items())
        self.used &= keys.keys()  # keys the file no longer yields (damaged since): not kept
        if not self._append(secret, keys):
            self._rewrite(secret, keys)

    def _append(self, secret: bytes, keys: dict[bytes, Any]) -> bool:
        if self.file is None or fcntl is None:
            return False
        kept = {name: self._entry(name) for name in self.used if name in self.index}
        live = sum(entry[1] for entry in kept.values() if entry is not None)
        try:
            with self.path.open("r+b") as handle:  # type: ignore[union-attr]
                fcntl.flock(handle, fcntl.LOCK_EX)
                now, then = os.fstat(handle.fileno()), os.fstat(self.file.fileno())
                if (now.st_ino, now.st_size) != (then.st_ino, then.st_size) or live < now.st_size / 2:
                    return False  # changed since this build opened it, or mostly garbage
                handle.seek(0, os.SEEK_END)
                for name in self.used - kept.keys():
                    blob = self.made[name][1]
                    kept[name] = (handle.tell(), len(blob), hashlib.sha256(blob).digest())
                    handle.write(blob)
                _write_index(handle, kept, keys, secret)  # type: ignore[arg-type]
            return True
        except OSError:
            return False

    def _rewrite(self, secret: bytes, keys: dict[bytes, Any]) -> None:
        assert self.path is not None
        temporary = self.path.with_suffix(f".tmp{os.getpid()}")
        try:
            self.path.parent.mkdir(exist_ok=True)
            with temporary.open("wb") as handle:
                index: dict[bytes, tuple[int, int, bytes]] = {}
                for name in self.used:
                    blob = self.made[name][1] if name in self.made else None
                    sha = hashlib.sha256(blob).digest() if blob is not None else None
                    if blob is None:
                        entry = self._entry(name)
                        blob = self._read(name)
                        if blob is None or entry is None:
                            continue
                        sha = entry[2]
                    index[name] = (handle.tell(), len(blob), sha)  # type: ignore[assignment]
                    handle.write(blob)
                _write_index(handle, index, keys, secret)
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
    found = _read_index(file, secret)
    if found is None:
        file.close()
        return ResultCache(path)
    index, table, keys = found
    return ResultCache(path, index=index, file=file, table=table, keys=keys)


def _read_index(file: BinaryIO, secret: bytes
                ) -> tuple[dict[bytes, int], bytes, tuple[int, int, bytes]] | None:
    """The lookup table at the end of a cache file, if `secret` signed it.

    The end of the file is: the pickled {ident: key}, then the idents one after another,
    then one packed entry (offset, length, SHA-256) per ident, then the three lengths, the
    SHA-256 of the keys, and an HMAC of the lengths, that SHA-256 and the lookup table."""
    try:
        size = os.fstat(file.fileno()).st_size
        tail_size = 24 + 32 + 32
        if size < tail_size:
            return None
        file.seek(size - tail_size)
        tail = file.read(tail_size)
        lengths, keys_sha, signature = tail[:24], tail[24:56], tail[56:]
        keys_length, idents_length, table_length = struct.unpack("<QQQ", lengths)
        lookup_length = idents_length + table_length
        if keys_length + lookup_length > size - tail_size or idents_length % _IDENT \
                or table_length != idents_length // _IDENT * _ENTRY.size:
            return None
        lookup_start = size - tail_size - lookup_length
        file.seek(lookup_start)
        lookup = file.read(lookup_length)
    except OSError:
        return None
    if not hmac.compare_digest(signature, _signature(secret, lengths + keys_sha + lookup)):
        return None
    values_end = lookup_start - keys_length
    idents, table = lookup[:idents_length], lookup[idents_length:]
    index = {idents[n:n + _IDENT]: i for i, n in enumerate(range(0, idents_length, _IDENT))}
    for offset, length, _ in _ENTRY.iter_unpack(table):
        if offset + length > values_end:
            return None  # signed by us, yet not what we write: treat as absent
    return index, table, (values_end, keys_length, keys_sha)


def _write_index(handle: BinaryIO, entries: dict[bytes, tuple[int, int, bytes]],
                 keys: dict[bytes, Any], secret: bytes) -> None:
    names = list(entries)
    key_blob = pickle.dumps({name: keys[name] for name in names}, protocol=pickle.HIGHEST_PROTOCOL)
    idents = b"".join(names)
    table = b"".join(_ENTRY.pack(*entries[name]) for name in names)
    lengths = struct.pack("<QQQ", len(key_blob), len(idents), len(table))
    keys_sha = hashlib.sha256(key_blob).digest()
    handle.write(key_blob)
    handle.write(idents)
    handle.write(table)
    handle.write(lengths + keys_sha)
    handle.write(_signature(secret, lengths + keys_sha + idents + table))


def _signature(secret: bytes, payload: bytes | memoryview, kind: bytes = FORMAT) -> bytes:
    """HMAC-SHA256 of a format, this code and the payload (fed in, not concatenated)."""
    mac = hmac.new(secret, kind + _code_digest(), "sha256")
    mac.update(payload)
    return mac.digest()


def write_signed(path: Path, kind: bytes, value: Any) -> None:
    """Keep `value` in `path`, pickled and signed as `kind` (see `read_signed`); a value
    that cannot be signed or written is simply not kept."""
    secret = _secret()
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    try:
        if secret is None:
            path.unlink(missing_ok=True)  # an older value would no longer be the latest
            return
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with temporary.open("wb") as handle:
            handle.write(blob)
            handle.write(_signature(secret, blob, kind))
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)


def read_signed(path: Path, kind: bytes) -> Any:
    """The value `write_signed` kept in `path` as `kind`, with this code and this user's
    key; None for anything else (missing, cut, tampered, another kind, other code)."""
    secret = _secret()
    if secret is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    blob, signature = data[:-32], data[-32:]
    if len(data) < 32 or not hmac.compare_digest(signature, _signature(secret, blob, kind)):
        return None
    return pickle.loads(blob)


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
                        results.put_pickled(key, blob)
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
