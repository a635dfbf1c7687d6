"""Cache files, read and written without trusting whatever is at their names.

Anyone who can write to the cache folder can leave a symlink, a FIFO or a device where a
cache file is expected. So a cache file is read only from a regular file of bounded size,
never through a symlink, and written only to a fresh temporary file that is then renamed
over its name: a rename replaces a symlink, where opening it would write to its target.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# Not following a symlink, not waiting for a FIFO's writer, and no newline translation on
# Windows (which has neither symlinks to refuse here nor FIFOs).
_READ_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def open_regular(path: Path, limit: int, flags: int = os.O_RDONLY) -> int:
    """A descriptor of the file at `path`, opened with `flags`, if it is a regular file of at
    most `limit` bytes; OSError for anything else (a symlink, a FIFO, a device, a folder)."""
    fd = os.open(path, flags | _READ_FLAGS)
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode) or found.st_size > limit:
            raise OSError(f"not a regular file of at most {limit} bytes: {path}")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path` (see `open_regular`); OSError if it is
    anything else, or grows past `limit` while it is read."""
    with os.fdopen(open_regular(path, limit), "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"larger than {limit} bytes: {path}")
    return data


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """A new file, readable by its owner only, that replaces `path` when the block ends
    without an error: until then a reader finds the old file whole, and a failed write
    leaves nothing behind. OSError if the folder cannot take it."""
    fd, temporary = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
