"""Files that only this user's builds, with this code, will read back.

The page record is a pickle, and unpickling runs code, so it is
signed (HMAC-SHA256) with a key that lives outside the project
(`$XDG_CACHE_HOME/paradetimeline/key`, made on first use or when damaged, readable by its
owner only) and over a digest of the package's own code. A file that is damaged, cut,
signed by anyone else (say, committed to a repository) or written by other code is never
unpickled.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
from pathlib import Path
from typing import Any, BinaryIO

from . import safefile

_CODE = Path(__file__).resolve().parent.parent  # the whole package, every stage
KEY_BYTES = 32
MAX_BYTES = 1 << 28  # of a signed file, read whole: far more than a large site's page record


def signature(secret: bytes, payload: bytes | memoryview, kind: bytes) -> bytes:
    """HMAC-SHA256 of a format, this code and the payload (fed in, not concatenated)."""
    mac = hmac.new(secret, kind + code_digest(), "sha256")
    mac.update(payload)
    return mac.digest()


def write_signed(path: Path, kind: bytes, value: Any) -> None:
    """Keep `value` in `path`, pickled and signed as `kind` (see `read_signed`); a value
    that cannot be signed or written is simply not kept."""
    key = secret()
    try:
        if key is None:
            path.unlink(missing_ok=True)  # an older value would no longer be the latest
            return
        with safefile.replacing(path) as handle:
            signed = _Signing(handle, hmac.new(key, kind + code_digest(), "sha256"))
            pickle.dump(value, signed, protocol=pickle.HIGHEST_PROTOCOL)  # not all at once
            handle.write(signed.mac.digest())
    except OSError:
        pass


def read_signed(path: Path, kind: bytes) -> Any:
    """The value `write_signed` kept in `path` as `kind`, with this code and this user's
    key; None for anything else (missing, cut, tampered, another kind, other code, not a
    regular file)."""
    key = secret()
    if key is None:
        return None
    try:
        data = safefile.read_regular(path, MAX_BYTES)
    except OSError:
        return None
    blob, signed = memoryview(data)[:-32], data[-32:]
    if len(data) < 32 or not hmac.compare_digest(signed, signature(key, blob, kind)):
        return None
    return pickle.loads(blob)


class _Signing:
    """A file to pickle into that signs what is written through it."""

    def __init__(self, handle: BinaryIO, mac: hmac.HMAC):
        self.handle = handle
        self.mac = mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.handle.write(data)


def secret() -> bytes | None:
    """This user's signing key, made on first use and made afresh if damaged; None if it
    cannot be kept (then nothing is signed, so nothing is kept between builds)."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(home) / "paradetimeline" / "key"
    with contextlib.suppress(OSError):
        key = safefile.read_regular(path, KEY_BYTES)
        if len(key) == KEY_BYTES:
            return key
    try:  # missing, cut, or not a regular file: a new key, whole or not at all
        path.parent.mkdir(parents=True, exist_ok=True)
        with safefile.replacing(path) as handle:
            handle.write(os.urandom(KEY_BYTES))
        key = safefile.read_regular(path, KEY_BYTES)  # another build's, if it won the race
    except OSError:
        return None
    return key if len(key) == KEY_BYTES else None


_CODE_DIGEST: list[bytes] = []


def code_digest() -> bytes:
    """A hash of the package's own code: results made by other code are not reused."""
    if not _CODE_DIGEST:
        h = hashlib.sha256()
        for path in sorted(_CODE.rglob("*.py")):
            h.update(path.relative_to(_CODE).as_posix().encode() + b"\0" + path.read_bytes())
        _CODE_DIGEST.append(h.digest())
    return _CODE_DIGEST[0]
