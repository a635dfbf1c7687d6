"""Export files made of one piece per event, and the pieces kept from the last build.

events.json, timeline.json, events.ics and feed.xml say the same about an event wherever it
stands in the list, so a build that adds one event to 10,000 need not make the other 10,000
pieces again. An export is assembled from text and `Piece`s (`PieceStore.assemble`); the
build notes where each event's piece lies in the file it wrote (`Spans`), under the event's
key, and keeps that beside its page record. The next build into the same, untouched folder
copies a piece out of the old file when the event's key and everything else a piece shows
(the content but the event files, the options, the code: `KeptPieces.context`) are the same.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..render.filedata import Blocks, output_digest


@dataclass(frozen=True, slots=True)
class Piece:
    """What one event contributes to an export: `make()` is called only if it is not kept."""

    event: str  # the event's id
    make: Callable[[], str]


@dataclass(frozen=True)
class Spans:
    """Where each event's piece lies in one export file, and the event's key then."""

    ids: tuple[str, ...]
    keys: tuple[str, ...]
    bounds: bytes  # array('Q') of start and end offset, two per piece

    def find(self) -> dict[str, tuple[str, int, int]]:
        """{event id: (key, start, end)}."""
        bounds = array("Q", self.bounds)
        return {i: (k, bounds[2 * n], bounds[2 * n + 1])
                for n, (i, k) in enumerate(zip(self.ids, self.keys))}


@dataclass(frozen=True)
class KeptPieces:
    context: str  # digest of everything but the event a piece shows
    files: dict[str, Spans] = field(default_factory=dict)  # export path -> its spans


class PieceStore:
    """Assembles export files, reusing the pieces an earlier build made (see module doc).

    `keys` are this build's event keys (tracking.event_keys); `earlier` is the kept record
    of the last build into `folder`, whose files have the `digests` it recorded. Without
    them every piece is made. `made` collects the spans of what this build assembled."""

    def __init__(self, keys: Mapping[str, str] | None = None, context: str = "",
                 earlier: KeptPieces | None = None, folder: Path | None = None,
                 digests: Mapping[str, str] | None = None):
        self.keys = keys or {}
        self.context = context
        usable = earlier is not None and earlier.context == context and folder is not None
        self.earlier = earlier.files if usable and earlier is not None else {}
        self.folder = folder
        self.digests = digests or {}
        self.made = KeptPieces(context)
        self.reused = 0  # pieces copied, for tests and tools

    def assemble(self, path: str, parts: Iterable[str | Piece]) -> Blocks:
        """`parts` as UTF-8 blocks: text as it is, each piece kept or made. A kept piece
        is a view into the old file, which is not copied until the new one is written."""
        old_bytes, spans = self._old(path)
        old = memoryview(old_bytes)
        chunks: list[bytes | memoryview] = []
        ids: list[str] = []
        keys: list[str] = []
        bounds = array("Q")
        offset = 0
        for part in parts:
            if isinstance(part, Piece):
                key = self.keys.get(part.event)
                found = spans.get(part.event) if key is not None else None
                data: bytes | memoryview
                if found is not None and found[0] == key:
                    data = old[found[1]:found[2]]
                    self.reused += 1
                else:
                    data = part.make().encode("utf-8")
                if key is not None:
                    ids.append(part.event)
                    keys.append(key)
                    bounds.extend((offset, offset + len(data)))
            else:
                data = part.encode("utf-8")
            chunks.append(data)
            offset += len(data)
        self.made.files[path] = Spans(tuple(ids), tuple(keys), bounds.tobytes())
        return chunks

    def _old(self, path: str) -> tuple[bytes, dict[str, tuple[str, int, int]]]:
        """The file the last build wrote at `path`, and its pieces; nothing if it is not
        exactly what that build wrote."""
        spans = self.earlier.get(path)
        if spans is None or self.folder is None or path not in self.digests:
            return b"", {}
        try:
            data = (self.folder / path).read_bytes()
        except OSError:
            return b"", {}
        if output_digest(data) != self.digests[path]:
            return b"", {}
        return data, spans.find()


