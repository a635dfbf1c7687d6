"""Results of slow, pure steps (parsing a file, rendering a Markdown body), kept between
builds and looked up by the exact text they came from.

`results.pickle`, in the project's cache folder (see cache.folder), holds {key: value},
where a key names the step and carries a SHA-256 of its input, so a changed byte is a
different key and an entry can
never be stale. Values are pickled model objects, and unpickling runs code, so nothing is
unpickled unless this user's key vouches for it: the file is its entries one after another
(each the pickled key, then the pickled value), then a lookup table (a 16-byte hash of each
key, and the offset, lengths and SHA-256 of its entry, and a byte naming its step), and an
HMAC-SHA256 of the table under this user's key and the package's code (signing.py).
Opening the file reads and checks only the table; an entry is read (and its digest
checked) when a build asks for it, so memory holds only what the build uses, and a save
appends the new entries and a new table without reading the others. A file that is
corrupt, unsigned, signed elsewhere (say, committed to a repository), not a regular file
(see safefile.py) or written by another version of paradetimeline is ignored, never
trusted; an entry that does not match its digest is a miss; without a usable key nothing
is cached and builds are only slower.

Some steps are handed only a value that came from the cache (coverage gets an article, not
its seed): `ResultCache.remember` notes the key a value came from, and `derived` keeps what
such a step computes under a key that contains it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import struct
import tempfile
import weakref
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, TypeVar

from . import safefile, signing

try:
    import fcntl
except ImportError:  # not on Windows: there every save writes the file afresh
    fcntl = None  # type: ignore[assignment]

FORMAT = b"paradetimeline/results@4"
NAME = "results.pickle"
MAX_BYTES = 1 << 30  # of a results file (only its table is read whole): far above a large site's
T = TypeVar("T")
# Offset of the entry, length of its pickled key, length of its pickled value, SHA-256 of
# both, and the code of its step (see `step_code`).
_ENTRY = struct.Struct("<QIQ32sB")
_STEP_AT = _ENTRY.size - 1
_IDENT = 16  # bytes of a key's ident
_TAIL = struct.Struct("<QQ")  # lengths of the idents and of the table, before the HMAC


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def ident(key: Any) -> bytes:
    """A key's short name in the file's lookup table: a hash of its repr (keys are tuples
    of strings and numbers, whose repr is exact)."""
    return hashlib.blake2b(repr(key).encode("utf-8"), digest_size=_IDENT).digest()


def step_code(key: Any) -> int:
    """A byte for the step a key names (its first item), so that a save can keep all the
    entries of some steps without reading their keys (see `ResultCache.keep`). Two steps
    may share a code; then keeping one keeps the other too, which costs only space."""
    step = key[0] if isinstance(key, tuple) and key and isinstance(key[0], str) else ""
    return zlib.crc32(step.encode("utf-8")) % 255 + 1 if step else 0


class ResultCache:
    """{key: value}: values are read from the file, and unpickled, only when asked for.

    `index` maps the ident of each key the opened file holds to its number in the file's
    lookup table (`idents`, `table`), `made` holds the keys and values this build (or a
    worker of it) pickled, by ident, and `used` the idents of the keys this build asked
    for or made. Keys stay in the file: 70,000 tuples of long strings would be 31 MB of
    every build."""

    def __init__(self, path: Path | None, made: dict[bytes, tuple[Any, bytes]] | None = None,
                 index: dict[bytes, int] | None = None, file: BinaryIO | None = None,
                 idents: bytes = b"", table: bytes = b""):
        self.path = path
        self.made = made or {}
        self.index = index or {}
        self.idents = idents
        self.table = table
        self.file = file
        self.loaded = self.index.keys()
        self.used: set[bytes] = set(self.made)
        self.kept: set[int] = set()  # step codes to keep whole at the next save
        self.derived: dict[Any, Any] = {}  # what `derived` returned, by key, in this build
        self.spill: _Spill | None = None  # where this process keeps what it made, see _Spill
        self.spilled: dict[bytes, bytes] = {}  # ident -> its row, at its offset in the spill
        self.owner = os.getpid()
        # In a forked worker: its own spill file, where it keeps what it makes until the
        # parent copies it out (see `take`), and the rows there by ident.
        self.handover: _Spill | None = None
        self.handed: dict[bytes, bytes] = {}
        self.handovers: dict[str, int] = {}  # in the parent: workers' files being read

    @property
    def entries(self) -> dict[Any, None]:
        """Every key this cache holds, in order (read from the file: for tests and tools)."""
        found = [self._read_entry(n) for n in sorted(self.index.values())]
        if self.spill is not None:
            found += [self.spill.read(row) for row in self.spilled.values()]
        return dict.fromkeys([*(pickle.loads(e[0]) for e in found if e is not None),
                              *(k for k, _ in self.made.values())])

    def __contains__(self, key: Any) -> bool:
        name = ident(key)
        return name in self.made or name in self.index or name in self.spilled \
            or name in self.handed

    def get(self, key: Any) -> Any:
        name = ident(key)
        made = self.made.get(name)
        if made is not None:
            blob: bytes | memoryview = made[1]
        else:
            n = self.index.get(name)
            entry = None if n is None else self._read_entry(n)
            if entry is None and name in self.spilled and self.spill is not None:
                entry = self.spill.read(self.spilled[name])
            if entry is None and name in self.handed and self.handover is not None:
                entry = self.handover.read(self.handed[name])
            if entry is None:
                return None
            blob = entry[1]
        self.used.add(name)
        return pickle.loads(blob)

    def _read_entry(self, n: int) -> tuple[memoryview, memoryview] | None:
        """(pickled key, pickled value) of entry `n` of the file, if it matches its digest."""
        row = self.table[n * _ENTRY.size:(n + 1) * _ENTRY.size]
        offset, key_length, value_length, _, _ = _ENTRY.unpack(row)
        return _checked(self._pread(offset, key_length + value_length), row)

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

    def touch(self, key: Any) -> None:
        """Keep the entry under `key`, if there is one, as if it had been read: a build
        that did not need it now may need it later."""
        self.touch_idents((ident(key),))

    def touch_idents(self, names: Iterable[bytes]) -> None:
        """`touch` for keys known by their idents."""
        self.used.update(name for name in names if name in self.index or name in self.made
                         or name in self.spilled or name in self.handed)

    def put(self, key: Any, value: Any) -> None:
        self.put_pickled(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def put_pickled(self, key: Any, blob: bytes) -> None:
        """Keep a value a worker pickled."""
        name = ident(key)
        spill = self._spill()
        rows = self.spilled
        if spill is None:
            spill, rows = self._handover(), self.handed
        if spill is not None and name not in rows:
            try:
                rows[name] = spill.write(key, blob)
            except OSError:  # a full disk, say: then it is held in memory
                self.made[name] = (key, blob)
        elif spill is None:
            self.made[name] = (key, blob)
        self.used.add(name)

    def _spill(self) -> _Spill | None:
        """The spill file of the process that opened the cache (a forked worker hands what
        it made to that process instead); None where there is none."""
        if self.spill is None and self.path is not None and os.getpid() == self.owner:
            if not hasattr(os, "pwrite"):  # Windows: values are held in memory
                self.owner = -1
                return None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.spill = _Spill(self.path.parent)
            except OSError:
                self.owner = -1  # cannot spill here: values are held in memory
        return self.spill if os.getpid() == self.owner else None

    def remember(self, value: Any, key: Any) -> None:
        """Note that `value` (which must allow weak references) is what this cache holds under
        `key`, so that a step handed only `value` can keep its result (see `derived`)."""
        ident = id(value)
        _ORIGINS[ident] = (weakref.ref(value, lambda _: _ORIGINS.pop(ident, None)),
                           weakref.ref(self), key)

    def _handover(self) -> _Spill | None:
        """In a forked worker, the spill file it keeps what it makes in (created when first
        needed): what a worker makes need not wait in its memory, nor go to the parent
        through a pipe. None in the process that opened the cache, or with no file."""
        pid = os.getpid()
        if self.path is None or self.owner < 0 or pid == self.owner or not hasattr(os, "pwrite"):
            return None
        if self.handover is None or self.handover.pid != pid:
            self.handed = {}  # those of a parent worker are not this one's
            try:
                self.handover = _Spill(self.path.parent)
            except OSError:
                self.owner = -1  # then what it makes is held in memory, and sent whole
                return None
        return self.handover

    def forked(self) -> None:
        """In a worker just forked (a pool's initializer): what the parent used is the
        parent's to keep, so `take` hands back only what the worker uses (the parent's
        40,000 names of a 10,000-event load would otherwise travel back from each worker)."""
        self.used = set()

    def take(self) -> dict[bytes, tuple[Any, bytes] | Handed | None]:
        """In a forked worker: the idents of the keys it used since the last `take`, with
        the keys and values it made (a value the file the parent opened holds is None), or
        where they lie in its own spill file, for the parent to copy (see `update`). What
        it held in memory is handed over, not kept."""
        taken, self.used = self.used, set()
        if self.handover is not None:
            with contextlib.suppress(OSError):  # a full disk: what was lost is made again
                self.handover.flush()
        where = str(self.handover.path) if self.handover is not None else ""
        return {name: self.made.pop(name, None)
                or (Handed(where, self.handed[name]) if name in self.handed else None)
                for name in taken}

    def update(self, used: dict[bytes, tuple[Any, bytes] | Handed | None]) -> None:
        """What a worker used or made (see `take`). An entry in a worker's spill file is
        copied into this process's own, byte for byte; its digest is checked when it is
        read, as for every entry.

        Nearly every name a worker sends is of an entry this process holds already (the
        list items of 10,000 events, read for the index page): those are taken in as sets,
        not one by one, and only the rest is looked at."""
        names = used.keys()
        held = (names & self.index.keys()) | (names & self.spilled.keys()) \
            | (names & self.made.keys())
        self.used |= held
        if len(held) == len(names):
            return
        for name, made in used.items():
            if name in held:
                continue
            if isinstance(made, Handed):
                self._copy_handed(name, made)
            elif made is not None:
                self.put_pickled(*made)

    def _copy_handed(self, name: bytes, handed: Handed) -> None:
        fd = self.handovers.get(handed.path)
        try:
            if fd is None:
                fd = self.handovers[handed.path] = safefile.open_regular(Path(handed.path),
                                                                         MAX_BYTES)
                os.unlink(handed.path)  # read through `fd` from now on; gone once closed
            offset, key_length, value_length, sha, step = _ENTRY.unpack(handed.row)
            data = os.pread(fd, key_length + value_length, offset)
        except OSError:
            return  # not kept: it is made again when next needed
        if len(data) != key_length + value_length:
            return  # the worker could not write it all (a full disk): likewise
        spill = self._spill()
        if spill is not None:
            with contextlib.suppress(OSError):
                self.spilled[name] = spill.write_entry(data, key_length, sha, step)
                self.used.add(name)
        elif _checked(data, handed.row) is not None:
            self.made[name] = (pickle.loads(data[:key_length]), data[key_length:])
            self.used.add(name)

    def end_handovers(self) -> None:
        """After a pool of workers ends: close the files copied from (see `update`), and
        delete those nothing was copied from (all a worker made was held already)."""
        for fd in self.handovers.values():
            os.close(fd)
        self.handovers = {}
        if self.path is not None:
            _remove_stale_spills(self.path)

    def keep(self, *steps: str) -> None:
        """Keep the entries of these steps (the first item of their keys), used or not, at
        the next `save`: a build that rendered only some pages did not ask for the results
        of the others, yet a later one will."""
        self.kept.update(step_code((step,)) for step in steps)

    def save(self) -> None:
        """Write what this build used (so deleted inputs drop out), if that changed.

        Usually only the new entries and a new table are appended to the file the build
        opened (under a lock; the entries already there stay where they are, so a reader
        of the old table is not disturbed). Once more than half of the file is entries no
        longer used, it is written afresh, one entry at a time. A build killed while
        appending leaves a file whose signature does not match: it is ignored, not trusted."""
        if self.path is None:
            return
        if self.kept:
            steps = self.table[_STEP_AT::_ENTRY.size]
            self.used.update(name for name, n in self.index.items() if steps[n] in self.kept)
            self.kept = set()
        if self.used == self.loaded:
            return  # a key's value never changes, so the same keys mean the same file
        secret = signing.secret()
        if secret is None:
            return
        if not self._adopt_spill(secret) and not self._append(secret):
            self._rewrite(secret)

    def _new_entries(self, handle: BinaryIO) -> tuple[list[bytes], list[bytes]]:
        """Write the entries this build made and used at the end of `handle`, in the order
        they were made (related ones together); their idents and rows."""
        idents, table = [], []
        for name, row in self.spilled.items():
            if name in self.used and name not in self.index and self.spill is not None:
                entry = self.spill.read(row)
                if entry is not None:
                    idents.append(name)
                    table.append(_write_entry(handle, None, entry[1], entry[0], row[_STEP_AT]))
        for name, (key, blob) in self.made.items():
            if name in self.used and name not in self.index and name not in self.spilled:
                idents.append(name)
                table.append(_write_entry(handle, key, blob))
        return idents, table

    def _adopt_spill(self, secret: bytes) -> bool:
        """With no cache file to add to (a first build), the spill file becomes the cache
        file: a table of what was used goes at its end, and it is renamed into place."""
        spill = self.spill
        if self.file is not None or spill is None or self.path is None \
                or os.getpid() != self.owner:
            return False
        try:
            spill.flush()
            with os.fdopen(os.dup(spill.fd), "ab") as handle:
                for name, (key, blob) in self.made.items():
                    if name in self.used and name not in self.spilled:
                        self.spilled[name] = _write_entry(handle, key, blob)
                names = [name for name in self.spilled if name in self.used]
                _write_table(handle, b"".join(names),
                             b"".join(self.spilled[name] for name in names), secret)
            os.replace(spill.path, self.path)
        except OSError:
            return False
        spill.close(remove=False)
        self.spill, self.spilled, self.made = None, {}, {}
        self._reopen(secret)  # what it holds now is that file
        return True

    def _reopen(self, secret: bytes) -> None:
        assert self.path is not None
        try:
            file = _open(self.path)
        except OSError:
            return
        found = _read_table(file, secret)
        if found is None:
            file.close()
            return
        self.index, self.idents, self.table = found
        self.file, self.loaded = file, self.index.keys()

    def _append(self, secret: bytes) -> bool:
        if self.file is None or self.path is None or fcntl is None:
            return False
        held = self.used & self.index.keys()
        if len(held) == len(self.index) == len(self.table) // _ENTRY.size:  # all kept: usual
            kept: Sequence[int] = range(len(self.index))
            live = sum(k + v for _, k, v, _, _ in _ENTRY.iter_unpack(self.table))
        else:
            kept = sorted(self.index[name] for name in held)
            live = _live_bytes(self.table, kept)
        try:
            with os.fdopen(safefile.open_regular(self.path, MAX_BYTES, os.O_RDWR), "r+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                now, then = os.fstat(handle.fileno()), os.fstat(self.file.fileno())
                same = (now.st_dev, now.st_ino, now.st_size) == (then.st_dev, then.st_ino, then.st_size)
                if not same or live < now.st_size / 2:
                    return False  # changed since this build opened it, or mostly garbage
                handle.seek(0, os.SEEK_END)
                if len(kept) == len(self.index):
                    idents, table = [self.idents], [self.table]
                else:
                    idents = [self.idents[n * _IDENT:(n + 1) * _IDENT] for n in kept]
                    table = [self.table[n * _ENTRY.size:(n + 1) * _ENTRY.size] for n in kept]
                new_idents, new_table = self._new_entries(handle)
                _write_table(handle, b"".join(idents + new_idents), b"".join(table + new_table),
                             secret)
            return True
        except OSError:
            return False

    def _rewrite(self, secret: bytes) -> None:
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with safefile.replacing(self.path) as handle:
                idents, table = [], []
                for n, name in sorted((n, name) for name, n in self.index.items()
                                      if name in self.used):  # in file order
                    entry = self._read_entry(n)
                    if entry is None:
                        continue  # damaged since this build opened the file: not kept
                    step = self.table[n * _ENTRY.size + _STEP_AT]
                    table.append(_write_entry(handle, None, entry[1], entry[0], step))
                    idents.append(name)
                new_idents, new_table = self._new_entries(handle)
                _write_table(handle, b"".join(idents + new_idents), b"".join(table + new_table),
                             secret)
        except OSError:
            pass  # a cache that cannot be written is not kept

    def close(self) -> None:
        self.end_handovers()
        if self.file is not None:
            self.file.close()
            self.file = None
        if self.spill is not None and os.getpid() == self.owner:
            self.spill.close()
            self.spill, self.spilled = None, {}


class _Spill:
    """A file beside the cache where the process that opened it keeps the entries it makes
    until the cache is saved: a first build makes some 150 MB of pickled values at 10,000
    events, which would otherwise wait in memory. Its rows are those of the lookup table,
    at offsets in this file; forked workers read it with pread too, and each keeps what it
    makes in one of its own (see `ResultCache.take`). Writes are gathered a
    megabyte at a time (100,000 entries would be 200,000 system calls), and flushed before
    the file is read and before the process forks."""

    BUFFER = 1 << 20

    def __init__(self, folder: Path):
        self.pid = os.getpid()
        # A name of its own, made with O_EXCL: nothing planted at a name it could guess.
        self.fd, name = tempfile.mkstemp(prefix=f"{NAME}.spill{self.pid}.", dir=folder)
        self.path = Path(name)
        self.size = 0  # of what is written, and pending
        self.pending: list[bytes] = []
        self.pending_size = 0
        _SPILLS.add(self)

    def write(self, key: Any, blob: bytes) -> bytes:
        pickled_key = pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)
        row = _row(self.size, pickled_key, blob, step_code(key))
        self._append(pickled_key, blob)
        return row

    def write_entry(self, data: bytes, key_length: int, sha: bytes, step: int) -> bytes:
        """Write an entry (pickled key and value, one after the other) whose digest is
        known; its row."""
        row = _ENTRY.pack(self.size, key_length, len(data) - key_length, sha, step)
        self._append(data)
        return row

    def _append(self, *parts: bytes) -> None:
        self.pending += parts
        size = sum(len(part) for part in parts)
        self.pending_size += size
        self.size += size
        if self.pending_size >= self.BUFFER:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        data, at = memoryview(b"".join(self.pending)), self.size - self.pending_size
        self.pending, self.pending_size = [], 0
        while data:
            written = os.pwrite(self.fd, data, at)
            data, at = data[written:], at + written

    def read(self, row: bytes) -> tuple[memoryview, memoryview] | None:
        offset, key_length, value_length, _, _ = _ENTRY.unpack(row)
        try:
            self.flush()
            return _checked(os.pread(self.fd, key_length + value_length, offset), row)
        except OSError:
            return None

    def close(self, remove: bool = True) -> None:
        _SPILLS.discard(self)
        os.close(self.fd)
        if remove:
            self.path.unlink(missing_ok=True)


_SPILLS: weakref.WeakSet[_Spill] = weakref.WeakSet()


class Handed(NamedTuple):
    """An entry a forked worker made, in its spill file at `path`, at its `row`."""

    path: str
    row: bytes


def _flush_spills() -> None:
    """Before a fork: a worker must find in the spill file what its parent put there."""
    for spill in list(_SPILLS):
        with contextlib.suppress(OSError):
            spill.flush()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_flush_spills)


def _live_bytes(table: bytes, numbers: list[int]) -> int:
    """The bytes the entries `numbers` of `table` take in the file."""
    total = 0
    for n in numbers:
        _, key_length, value_length, _, _ = _ENTRY.unpack_from(table, n * _ENTRY.size)
        total += key_length + value_length
    return total


def _write_entry(handle: BinaryIO, key: Any, value: bytes | memoryview,
                 pickled_key: bytes | memoryview | None = None, step: int | None = None) -> bytes:
    """Write one entry at the end of `handle`; its row of the lookup table."""
    if pickled_key is None:
        pickled_key = pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)
    row = _row(handle.tell(), pickled_key, value, step_code(key) if step is None else step)
    handle.write(pickled_key)
    handle.write(value)
    return row


def _row(offset: int, pickled_key: bytes | memoryview, value: bytes | memoryview,
         step: int) -> bytes:
    """The lookup table's row of an entry written at `offset`."""
    sha = hashlib.sha256(pickled_key)
    sha.update(value)
    return _ENTRY.pack(offset, len(pickled_key), len(value), sha.digest(), step)


def _checked(blob: bytes | None, row: bytes) -> tuple[memoryview, memoryview] | None:
    """(pickled key, pickled value) of an entry read as `blob`, if it matches its row."""
    _, key_length, _, sha, _ = _ENTRY.unpack(row)
    if blob is None or hashlib.sha256(blob).digest() != sha:
        return None
    view = memoryview(blob)
    return view[:key_length], view[key_length:]


def _write_table(handle: BinaryIO, idents: bytes, table: bytes, secret: bytes) -> None:
    lengths = _TAIL.pack(len(idents), len(table))
    handle.write(idents)
    handle.write(table)
    handle.write(lengths)
    handle.write(_sign(secret, idents + table + lengths))


def open_cache(folder: Path) -> ResultCache:
    """The result cache in `folder` (a project's, see cache.folder); an empty one when there
    is none or it is not ours."""
    path = folder / NAME
    _remove_stale_spills(path)
    secret = signing.secret()
    if secret is None:
        return ResultCache(path)
    try:
        file = _open(path)
    except OSError:
        return ResultCache(path)
    found = _read_table(file, secret)
    if found is None:
        file.close()
        return ResultCache(path)
    index, idents, table = found
    return ResultCache(path, index=index, file=file, idents=idents, table=table)


def _open(path: Path) -> BinaryIO:
    """The results file at `path`, to read, if it is a regular file (see safefile.py)."""
    return os.fdopen(safefile.open_regular(path, MAX_BYTES), "rb")


def _sign(key: bytes, payload: bytes | memoryview) -> bytes:
    return signing.signature(key, payload, FORMAT)


def _remove_stale_spills(path: Path) -> None:
    """Delete the spill files of builds that were killed (see _Spill)."""
    for spill in path.parent.glob(f"{NAME}.spill*"):
        try:
            pid = int(spill.name.rpartition(".spill")[2].partition(".")[0])
            if pid != os.getpid():
                os.kill(pid, 0)  # raises if that process is gone
        except ProcessLookupError:
            spill.unlink(missing_ok=True)
        except (ValueError, OSError):
            pass  # not ours, or a live build of another user's


def _read_table(file: BinaryIO, secret: bytes) -> tuple[dict[bytes, int], bytes, bytes] | None:
    """The lookup table at the end of a cache file, if `secret` signed it: the idents one
    after another, then one row (see `_ENTRY`) per ident, then their two lengths and an
    HMAC of all three."""
    try:
        size = os.fstat(file.fileno()).st_size
        tail_size = _TAIL.size + 32
        if size < tail_size:
            return None
        file.seek(size - tail_size)
        tail = file.read(tail_size)
        idents_length, table_length = _TAIL.unpack(tail[:_TAIL.size])
        if idents_length + table_length > size - tail_size or idents_length % _IDENT \
                or table_length != idents_length // _IDENT * _ENTRY.size:
            return None
        file.seek(size - tail_size - idents_length - table_length)
        lookup = file.read(idents_length + table_length)
    except OSError:
        return None
    signed = lookup + tail[:_TAIL.size]
    if not hmac.compare_digest(tail[_TAIL.size:], _sign(secret, signed)):
        return None
    idents, table = lookup[:idents_length], lookup[idents_length:]
    index = {idents[n:n + _IDENT]: i for i, n in enumerate(range(0, idents_length, _IDENT))}
    return index, idents, table


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


def derived_ident(value: Any, step: tuple[Any, ...]) -> bytes | None:
    """The ident of the key `derived(value, step, ...)` keeps its result under; None when
    `value` did not come from a result cache."""
    origin = _ORIGINS.get(id(value))
    if origin is None or origin[0]() is not value:
        return None
    return ident((*step, origin[2]))


PARALLEL_MIN_VALUES = 200  # fewer results to compute: starting processes costs more than it saves
_DERIVE: tuple[list[Any], Callable[[Any], Any]] | None = None


def derive_many(values: list[Any], step: tuple[Any, ...], compute: Callable[[Any], Any],
                jobs: int) -> None:
    """Compute `derived(value, step, lambda: compute(value))` ahead for many values, in
    `jobs` forked processes, when enough of them are not kept yet; `derived` then finds
    them kept. `compute` must be a pure function of its value, as for `derived`."""
    global _DERIVE
    import multiprocessing  # here: a rebuild with nothing to do never needs it

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
    slices = work_slices(len(todo), jobs * 4)
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


def work_slices(count: int, parts: int) -> list[tuple[int, int]]:
    """(start, stop) of `parts` slices of about the same length of `count` items: the
    tasks of a pool of forked workers."""
    step = -(-count // parts)
    return [(start, min(start + step, count)) for start in range(0, count, step)]


def _derive_slice(part: tuple[int, int]) -> tuple[int, list[bytes | None]]:
    """In a forked worker: the pickled results of a slice of `_DERIVE` (None is not kept)."""
    assert _DERIVE is not None
    values, compute = _DERIVE
    found = [compute(value) for value in values[part[0]:part[1]]]
    return part[0], [None if v is None else pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)
                     for v in found]
