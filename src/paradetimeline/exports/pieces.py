"""Export files made of one piece per event, each piece kept by what it shows.

events.json, timeline.json, events.ics and feed.xml say the same about an event wherever it
stands in the list, so a build that adds one event to 10,000 need not make the other
10,000 pieces again. A piece is kept in the text store under a digest of the export's name,
`context` (every input but the event files and templates, and the content timestamp) and
the event's digest; `assemble` looks each one up before it makes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..plain import TextCache, digest
from ..render.filedata import Blocks, utf8_blocks


@dataclass(frozen=True, slots=True)
class Piece:
    """What one event contributes to an export: `make()` is called only if it is not kept."""

    event: str  # the event's id
    make: Callable[[], str]


class KeptPieces:
    def __init__(self, store: TextCache | None = None, context: str = "",
                 digests: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.context = context
        self.digests = digests or {}  # event id -> parts.event_digest

    def assemble(self, path: str, parts: Iterable[str | Piece]) -> Blocks:
        """`parts` as UTF-8 blocks: text as it is, each piece kept or made."""
        return utf8_blocks(self._texts(path, parts))

    def _texts(self, path: str, parts: Iterable[str | Piece]) -> Iterator[str]:
        store = self.store
        if store is not None:
            store.prefetch("piece", [self._key(path, i, d) for i, d in self.digests.items()])
        for part in parts:
            if not isinstance(part, Piece):
                yield part
                continue
            event = self.digests.get(part.event)
            if store is None or event is None:
                yield part.make()
                continue
            key = self._key(path, part.event, event)
            text = store.get("piece", key)
            if text is None:
                text = part.make()
                store.put("piece", key, text)
            yield text

    def _key(self, path: str, event_id: str, event: str) -> str:
        return digest(f"{self.context}\0{path}\0{event_id}\0{event}")
