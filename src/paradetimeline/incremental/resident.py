"""What `serve` keeps in memory between rebuilds: the results of pure steps, as text and
as decoded values, and the site as pages rendered when a browser asks for them.

A rebuild after one edit then parses and decodes only what changed, and renders nothing
until a page is asked for; a page is kept until one of the events it shows (its page
plan's `shows`, rebuild.signature) or any other input changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import jinja2

from ..check.phrases import Mention
from ..exports.files import export_file, export_names, piece_context
from ..exports.pieces import KeptPieces
from ..model import Timeline
from ..plain import TextCache, loads
from ..render.filedata import joined
from ..render.parts import Parts
from ..render.plan import plan_pages, shared_context
from ..render.renderer import make_environment, published_files, render_page, static_files
from ..render.views import TimelineView
from . import rebuild

_MISSING = object()
T = TypeVar("T")


class ResidentCache:
    """A TextCache over the store that keeps in memory what the last round used, its
    decoded values and what it remembered: immutable objects, safe to share between rounds. `next_round`
    forgets what the round before did not use, so it holds about one build's worth."""

    def __init__(self, under: TextCache) -> None:
        self.under = under
        self.texts: dict[tuple[str, str], str] = {}
        self.texts_before: dict[tuple[str, str], str] = {}
        self.values: dict[tuple[Any, str], Any] = {}
        self.values_before: dict[tuple[Any, str], Any] = {}

    def get(self, step: str, key: str) -> str | None:
        found = self.texts.get((step, key))
        if found is None:
            found = self.texts_before.pop((step, key), None) or self.under.get(step, key)
            if found is not None:
                self.texts[step, key] = found
        return found

    def get_many(self, step: str, keys: list[str]) -> dict[str, str]:
        self.prefetch(step, keys)
        return {key: value for key in keys if (value := self.get(step, key)) is not None}

    def prefetch(self, step: str, keys: list[str]) -> None:
        self.under.prefetch(step, [k for k in keys if (step, k) not in self.texts
                                   and (step, k) not in self.texts_before])

    def put(self, step: str, key: str, value: str) -> None:
        self.texts[step, key] = value
        self.under.put(step, key, value)

    def decode(self, kind: Any, text: str) -> Any:
        # `text` is the very string this cache handed out, so its hash is computed once.
        found = self.values.get((kind, text), _MISSING)
        if found is _MISSING:
            found = self.values_before.pop((kind, text), _MISSING)
            if found is _MISSING:
                found = loads(kind, text)
            self.values[kind, text] = found
        return found

    def remember(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        found = self.values.get(key, _MISSING)
        if found is _MISSING:
            found = self.values_before.pop(key, _MISSING)
            if found is _MISSING:
                found = make()
            self.values[key] = found
        return cast(T, found)

    def next_round(self) -> None:
        self.texts_before, self.texts = self.texts, {}
        self.values_before, self.values = self.values, {}


class CompiledTemplates(jinja2.BytecodeCache):
    """The templates as compiled by earlier rounds, in memory: Jinja keys each by its name
    and its source's checksum, so an edited template is compiled again."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


class LiveSite:
    """The output files of a checked timeline, each made when `file` asks for it."""

    def __init__(self, timeline: Timeline, mentions: dict[str, list[Mention]] | None,
                 templates: Path, files: dict[str, list[Any]], options: str,
                 cache: TextCache, earlier: LiveSite | None = None) -> None:
        self.view = view = TimelineView(timeline, mentions)
        self.pages = {page.path: page for page in plan_pages(timeline, view)}
        digests = rebuild.event_digests(timeline, files)
        context = rebuild.context_digest(files, options + shared_context(view))
        self.context, self.digests = context, digests
        self.everything = rebuild.signed_everything(context, digests)
        self.signatures: dict[str, str] = {}  # of the pages asked for, worked out once
        self.compiled: CompiledTemplates = earlier.compiled if earlier else CompiledTemplates()
        self.env = make_environment(templates, cache, self.compiled)
        self.parts = self.env.globals["parts"] = Parts(self.env, view, store=cache,
                                                       context=context, digests=digests)
        self.exports = set(export_names(timeline))
        self.pieces = KeptPieces(cache, piece_context(timeline, rebuild.context_digest(
            files, options, templates=False)), digests)
        self.static = {".nojekyll": b"", **static_files(templates),
                       **published_files(templates.parent, timeline.published)}
        # path -> (signature, bytes): what earlier rounds rendered, while still true
        before: dict[str, tuple[str | None, bytes]] = earlier.rendered if earlier else {}
        self.rendered: dict[str, tuple[str | None, bytes]] = {
            path: kept for path, kept in before.items() if self._signature(path) == kept[0]}

    def __contains__(self, path: str) -> bool:
        return path in self.pages or path in self.exports or path in self.static

    def file(self, path: str) -> bytes | None:
        """The bytes of the output file at `path` ('/'-separated), or None if there is none.
        Raises renderer.TemplateError if its template fails."""
        if path in self.static:
            return self.static[path]
        signature = self._signature(path)
        kept = self.rendered.get(path)
        if kept is not None and kept[0] == signature:
            return kept[1]
        data: bytes
        page = self.pages.get(path)
        if page is not None:
            shows = self.view.events_by_id if page.shows is None else page.shows
            self.parts.about_to_show(shows, "../" * path.count("/"))
            data = joined(render_page(self.env, self.view, page))
        elif path in self.exports:
            data = joined(export_file(self.view.timeline, path, self.pieces))
        else:
            return None
        self.rendered[path] = (signature, data)
        return data

    def _signature(self, path: str) -> str | None:
        """Its signature (rebuild.py), or None for a path that is neither page nor export."""
        found = self.signatures.get(path)
        if found is None:
            page = self.pages.get(path)
            if page is not None:
                found = self.signatures[path] = rebuild.signature(
                    page, self.context, self.digests, self.everything)
            elif path in self.exports:
                found = self.everything
        return found
