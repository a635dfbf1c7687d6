"""Files that only this user's builds, with this code, will read back.

The result cache and the page record are pickles, and unpickling runs code, so each is
signed (HMAC-SHA256) with a key that lives outside the project
(`$XDG_CACHE_HOME/paradetimeline/key`, made on first use, readable by its owner only) and
over a digest of the package's own code. A file that is damaged, cut, signed by anyone else
(say, committed to a repository) or written by other code is never unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
from pathlib import Path
from typing import Any, BinaryIO

_CODE = Path(__file__).resolve().parent


def signature(secret: bytes, payload: bytes | memoryview, kind: bytes) -> bytes:
    """HMAC-SHA256 of a format, this code and the payload (fed in, not concatenated)."""
    mac = hmac.new(secret, kind + code_digest(), "sha256")
    mac.update(payload)
    return mac.digest()


def write_signed(path: Path, kind: bytes, value: Any) -> None:
    """Keep `value` in `path`, pickled and signed as `kind` (see `read_signed`); a value
    that cannot be signed or written is simply not kept."""
    key = secret()
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    try:
        if key is None:
            path.unlink(missing_ok=True)  # an older value would no longer be the latest
            return
        with temporary.open("wb") as handle:
            signed = _Signing(handle, hmac.new(key, kind + code_digest(), "sha256"))
            pickle.dump(value, signed, protocol=pickle.HIGHEST_PROTOCOL)  # not all at once
            handle.write(signed.mac.digest())
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)


def read_signed(path: Path, kind: bytes) -> Any:
    """The value `write_signed` kept in `path` as `kind`, with this code and this user's
    key; None for anything else (missing, cut, tampered, another kind, other code)."""
    key = secret()
    if key is None:
        return None
    try:
        data = path.read_bytes()
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
    """This user's signing key, made on first use; None if it cannot be kept (then
    nothing is signed, so nothing is kept between builds)."""
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
        key = os.urandom(32)
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


def code_digest() -> bytes:
    """A hash of the package's own code: results made by other code are not reused."""
    if not _CODE_DIGEST:
        h = hashlib.sha256()
        for path in sorted(_CODE.glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        _CODE_DIGEST.append(h.digest())
    return _CODE_DIGEST[0]
