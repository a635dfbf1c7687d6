"""Which files a rebuild renders: the thin layer above rendering.

The page plan declares the events each page shows (render/plan.py). A page's signature is a
digest of `context` (every input but the event files: data, templates, options, code) and
of the events it shows, by their digests; a page that shows every event signs all of them.
A rebuild into an output that nobody touched since the last build renders the pages whose
signature changed (new pages, pages whose events changed or whose list of events did), and
the export and static files if any event or input did; it writes only the files whose bytes
changed. What it needs of the last build is its `OutputRecord`, kept in the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import theme
from ..model import Timeline
from ..plain import TextCache, digest
from ..render.parts import event_digest
from ..render.plan import Page

EVENT_FOLDER = "content/events/"
EVENT_SUFFIXES = (".yaml", ".yml")
FILES = "(exports and static files)"  # the signature of what is not a page
STEP = "output"


@dataclass(frozen=True)
class OutputRecord:
    """What the last build into an output made: each page's signature (and FILES's), and
    the digest of every file it holds; `fingerprint` is that build's (buildrecord.py), so
    a record that outlived its build is never taken for the next one's."""

    fingerprint: str
    signatures: dict[str, str]
    digests: dict[str, str]


def event_digests(timeline: Timeline, files: Mapping[str, list[Any]]) -> dict[str, str]:
    """{event id: digest of what it says}: its file's SHA-256, from the fingerprint's
    `files`. An event says nothing that is not in its file or in the `context` (its quotes'
    anchors come from the articles, its anniversary from anniversaries.yaml), so that is
    enough; an event without a known file is digested whole."""
    found = {}
    for event in timeline.events:
        facts = files.get(event.path)
        found[event.id] = f"{facts[2]}" if facts is not None else event_digest(event)
    return found


def context_digest(files: Mapping[str, list[Any]], options: str, *, templates: bool = True) -> str:
    """Digest of every input but the event files (from the build's fingerprint, whose
    `files` are {name: [size, mtime, sha256]}, code included) and of the options; without
    `templates`, of those but the templates (the project's and the theme's)."""
    parts = [options]
    for name, facts in sorted(files.items()):
        if name.startswith(EVENT_FOLDER) and name.endswith(EVENT_SUFFIXES):
            continue
        if templates or not name.startswith(theme.TEMPLATE_INPUTS):
            parts.append(f"{name}\0{facts[2]}")
    return digest("\n".join(parts))


def signatures(pages: Iterable[Page], context: str, digests: Mapping[str, str]) -> dict[str, str]:
    """{page path: signature} for `pages`, and FILES's: see the module's docstring."""
    everything = signed_everything(context, digests)
    found = {FILES: everything}
    for page in pages:
        found[page.path] = signature(page, context, digests, everything)
    return found


def signed_everything(context: str, digests: Mapping[str, str]) -> str:
    """The signature of what depends on every event: FILES, and the pages that show them all."""
    return digest(f"{context}\0" + "\0".join(f"{i}:{d}" for i, d in digests.items()))


def signature(page: Page, context: str, digests: Mapping[str, str], everything: str) -> str:
    """One page's signature; `everything` is `signed_everything`'s."""
    if page.shows is None:
        return everything
    return digest(f"{context}\0{page.template}\0" + "\0".join(
        f"{i}:{digests[i]}" for i in page.shows))


def to_render(pages: list[Page], now: Mapping[str, str], earlier: OutputRecord | None
              ) -> tuple[list[Page], bool]:
    """The pages to render, and whether to make the export and static files."""
    if earlier is None:
        return pages, True
    was = earlier.signatures
    return [p for p in pages if was.get(p.path) != now[p.path]], was.get(FILES) != now[FILES]


def outputs_now(earlier: OutputRecord | None, pages: list[Page], made_files: bool,
                rendered: Mapping[str, str]) -> dict[str, str]:
    """{path: digest} of every file the output holds after this build: what it `rendered`,
    and what it kept of the `earlier` build's (the pages still planned; the other files
    unless it `made_files` again)."""
    if earlier is None:
        return dict(rendered)
    planned = {p.path for p in pages}
    kept = {path: found for path, found in earlier.digests.items()
            if path in planned or (not made_files and path not in earlier.signatures)}
    return {**kept, **rendered}


def read_record(store: TextCache, key: str) -> OutputRecord | None:
    """The record kept under `key`; None if there is none or it is not of the shape
    `write_record` writes."""
    text = store.get(STEP, key)
    if text is None:
        return None
    try:
        data = json.loads(text)
        fingerprint, signatures, digests = data["fingerprint"], data["signatures"], data["digests"]
        if type(fingerprint) is str and all(
                type(v) is str for table in (signatures, digests) for v in table.values()):
            return OutputRecord(fingerprint, dict(signatures), dict(digests))
    except (ValueError, TypeError, KeyError, AttributeError):
        pass
    return None


def write_record(store: TextCache, key: str, record: OutputRecord) -> None:
    store.put(STEP, key, json.dumps({"fingerprint": record.fingerprint,
                                     "signatures": record.signatures, "digests": record.digests},
                                    separators=(",", ":")))
