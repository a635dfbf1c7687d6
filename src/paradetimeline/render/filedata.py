"""A file's bytes, whole or as a list of blocks that is hashed and written block by block.

On a large site the index, the provenance report and the exports are megabytes each.
Joined into one bytes object, each would be in memory twice at the moment it is written
(the parts, then the whole): as blocks, a big file is never joined.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence

Blocks = Sequence[bytes | memoryview]
FileData = bytes | Blocks

BLOCK = 1 << 20  # about this many bytes (or characters) go into one block, or one write


def utf8_blocks(pieces: Iterable[str], batch: int = 4096, size: int = BLOCK) -> list[bytes]:
    """The pieces as UTF-8, encoded `batch` pieces (or `size` characters) at a time.

    Joining megabytes of text first makes one string that takes two bytes a character as
    soon as a single typographic quote is in it, and then its bytes as well; batches keep
    that to one batch, however long the pieces are (a year of the index is one piece of
    half a megabyte)."""
    encoded: list[bytes] = []
    part: list[str] = []
    length = 0
    for piece in pieces:
        part.append(piece)
        length += len(piece)
        if len(part) == batch or length >= size:
            encoded.append("".join(part).encode("utf-8"))
            part.clear()
            length = 0
    if part or not encoded:
        encoded.append("".join(part).encode("utf-8"))
    return encoded


def utf8_join(pieces: Iterable[str], batch: int = 4096) -> bytes:
    """The pieces joined as UTF-8 (see `utf8_blocks`), for files small enough to join."""
    return joined(utf8_blocks(pieces, batch))


def joined(data: FileData) -> bytes:
    return data if isinstance(data, bytes) else b"".join(data)


def output_digest(data: FileData) -> str:
    """The digest of an output file, as the page record keeps it."""
    if isinstance(data, bytes):
        return hashlib.blake2b(data, digest_size=16).hexdigest()
    digest = hashlib.blake2b(digest_size=16)
    for block in data:
        digest.update(block)
    return digest.hexdigest()


def write_all(descriptor: int, data: FileData) -> None:
    """Write every byte of `data` to an open file, small blocks gathered into one write."""
    for block in _writes(data):
        view = memoryview(block)
        while view:
            view = view[os.write(descriptor, view):]


def _writes(data: FileData) -> Iterator[bytes | memoryview]:
    if isinstance(data, bytes):
        yield data
        return
    gathered: list[bytes | memoryview] = []
    length = 0
    for block in data:
        if len(block) >= BLOCK // 4:
            if gathered:
                yield b"".join(gathered)
                gathered, length = [], 0
            yield block
            continue
        gathered.append(block)
        length += len(block)
        if length >= BLOCK:
            yield b"".join(gathered)
            gathered, length = [], 0
    if gathered:
        yield b"".join(gathered)
