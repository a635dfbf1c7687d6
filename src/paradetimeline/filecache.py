"""Results of slow, pure steps (parsing a file, rendering a Markdown body), kept between
builds and looked up by the exact text they came from.

`ROOT/.paradetimeline-cache/results.pickle` holds {key: value}, where a key names the step
and carries a SHA-256 of its input, so a changed byte is a different key and an entry can
never be stale. Values are pickled model objects, and unpickling runs code, so the file is
signed with HMAC-SHA256 under a key that lives outside the project
(`$XDG_CACHE_HOME/paradetimeline/key`, made on first use, readable by its owner only).
A file that is corrupt, unsigned, signed elsewhere (say, committed to a repository) or
written by another version of paradetimeline is ignored, never trusted; without a usable
key nothing is cached and builds are only slower.

Some steps are handed only a value that came from the cache (coverage gets an article, not
its seed): `ResultCache.remember` notes the key a value came from, and `derived` keeps what
such a step computes under a key that contains it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

FORMAT = b"paradetimeline/results@1"
NAME = "results.pickle"
_CODE = Path(__file__).resolve().parent
T = TypeVar("T")


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


class ResultCache:
    """{key: value}, kept pickled value by value: opening the file makes one bytes object an
    entry, and only the values a build asks for are unpickled."""

    def __init__(self, path: Path | None, entries: dict[Any, bytes] | None = None):
        self.path = path
        self.entries = entries or {}
        self.loaded = frozenset(self.entries)
        self.used: dict[Any, bytes] = {}
        self.derived: dict[Any, Any] = {}  # what `derived` returned, by key, in this build

    def get(self, key: Any) -> Any:
        blob = self.entries.get(key)
        if blob is None:
            return None
        self.used[key] = blob
        return pickle.loads(blob)

    def put(self, key: Any, value: Any) -> None:
        self.entries[key] = self.used[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def remember(self, value: Any, key: Any) -> None:
        """Note that `value` (which must allow weak references) is what this cache holds under
        `key`, so that a step handed only `value` can keep its result (see `derived`)."""
        ident = id(value)
        _ORIGINS[ident] = (weakref.ref(value, lambda _: _ORIGINS.pop(ident, None)),
                           weakref.ref(self), key)

    def take(self) -> dict[Any, bytes | None]:
        """In a forked worker: the keys it used since the last `take`, with the values it
        made (a value the parent already has is sent as None)."""
        taken, self.used = self.used, {}
        return {k: None if k in self.loaded else v for k, v in taken.items()}

    def update(self, used: dict[Any, bytes | None]) -> None:
        """What a worker used or made (see `take`)."""
        for key, blob in used.items():
            blob = blob if blob is not None else self.entries.get(key)
            if blob is not None:
                self.entries[key] = self.used[key] = blob

    def keep(self, wanted: Callable[[Any], bool]) -> None:
        """Keep the entries whose key is `wanted`, used or not, at the next `save`: a build
        that rendered only some pages did not ask for the results of the others, yet a
        later one will."""
        for key in self.loaded - self.used.keys():
            if wanted(key):
                self.used[key] = self.entries[key]

    def save(self) -> None:
        """Write what this build used (so deleted inputs drop out), if that changed."""
        if self.path is None or self.used.keys() == self.loaded:
            return  # a key's value never changes, so the same keys mean the same file
        secret = _secret()
        if secret is None:
            return
        temporary = self.path.with_suffix(f".tmp{os.getpid()}")
        try:
            self.path.parent.mkdir(exist_ok=True)
            with temporary.open("wb") as handle:
                handle.write(bytes(32))  # the signature's place, filled in below
                signed = _SigningWriter(handle, _mac(secret))
                pickle.dump(self.used, signed, protocol=pickle.HIGHEST_PROTOCOL)  # streamed:
                handle.seek(0)  # the payload is never held in memory whole
                handle.write(signed.mac.digest())
            temporary.replace(self.path)
        except OSError:
            temporary.unlink(missing_ok=True)  # a cache that cannot be written is not kept


def open_cache(root: Path, cache_dir: str) -> ResultCache:
    """The project's result cache; an empty one when there is none or it is not ours."""
    path = root / cache_dir / NAME
    secret = _secret()
    return ResultCache(path, _read(path, secret) if secret else {})


def _read(path: Path, secret: bytes) -> dict[Any, bytes]:
    """The entries of a cache file signed with `secret`, else {}. The file's bytes are held
    once and only viewed, never copied, by the signature check and the unpickler: the peak
    is about the file's size plus the entries made from it."""
    try:
        data = memoryview(path.read_bytes())
    except OSError:
        return {}
    signature, payload = data[:32], data[32:]
    if not payload or not hmac.compare_digest(signature, _signature(secret, payload)):
        return {}
    try:
        loaded = pickle.loads(payload)
    except Exception:  # signed by us, yet unreadable: treat as absent
        return {}
    if isinstance(loaded, dict) and all(isinstance(v, bytes) for v in loaded.values()):
        return loaded
    return {}


def _signature(secret: bytes, payload: bytes | memoryview) -> bytes:
    """HMAC-SHA256 of this format, this code and the payload (fed in, not concatenated)."""
    mac = _mac(secret)
    mac.update(payload)
    return mac.digest()


def _mac(secret: bytes) -> hmac.HMAC:
    return hmac.new(secret, FORMAT + _code_digest(), "sha256")


class _SigningWriter:
    """A file for pickle.dump that signs what passes through it."""

    def __init__(self, handle: Any, mac: hmac.HMAC):
        self.handle, self.mac = handle, mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.handle.write(data)


# -- results derived from a cached value ---------------------------------------------------

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
