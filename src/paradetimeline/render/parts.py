"""Parts: the pieces of HTML that many pages share (an event's list item, shown by the index
and by the list of each of its tags, people and places) or that one long page is made of
(a source's section of the provenance report). Templates call them as `parts.event_item(...)`.

Each part is rendered once per build by its macro in `_macros.html`, and kept in a text
store under a digest of everything it shows: `context` (every input but the event files:
templates, data, options and code) and the events it declares, by their digests. So a
rebuild after adding one event renders one list item, not ten thousand. The declared events
are checked like the page plan's, by the tracer in tests/test_plan.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from ..model import Event, Source
from ..plain import TextCache, digest
from .views import TimelineView

MACROS = "_macros.html"  # the template of every part's macro
HELD = 64 * 1024  # a longer part (a source's section, say) is kept in the store only
HELD_IN_ALL = 4_000_000  # characters of parts held at once; past it, the oldest go


def event_digest(event: Event) -> str:
    """A digest of everything an event's own fields say (its file's place aside)."""
    return digest(repr(event))


class Parts:
    def __init__(self, env: jinja2.Environment, view: TimelineView, *,
                 store: TextCache | None = None, context: str = "",
                 digests: Mapping[str, str] | None = None) -> None:
        self.env = env
        self.view = view
        self.store = store
        self.context = context
        self.digests = digests if digests is not None else {}  # event id -> event_digest
        self.held: dict[str, Markup] = {}
        self.held_size = 0  # characters in `held`
        self.showing: tuple[Iterable[str], str] | None = None  # set by `about_to_show`

    def about_to_show(self, events: Iterable[str], root: str) -> None:
        """The page about to render shows `events` and sits at `root`: if it shows their
        list items, they are read from the store together."""
        self.showing = (events, root)

    def event_item(self, event: Event, root: str, heading: str = "h3") -> Markup:
        if self.showing is not None:  # the page's first list item: read its others ahead
            self.prefetch(*self.showing)
            self.showing = None
        return self._part("event_item", (event.id,), (root, heading), event, root, heading)

    def provenance_section(self, source: Source, root: str) -> Markup:
        shows = tuple(e.id for e in self.view.events_with("source", source.id))
        return self._part("provenance_section", shows, (source.id, root), source, root)

    def prefetch(self, events: Iterable[str], root: str) -> None:
        """Read ahead, in a few queries, the kept list items of `events` that a page at
        `root` is about to show."""
        if self.store is not None:
            names = (self._name("event_item", (i,), (root, "h3")) for i in events)
            self.store.prefetch("part", [n for n in names if n not in self.held])

    def _name(self, macro: str, shows: tuple[str, ...], key: tuple[str, ...]) -> str:
        if self.store is None:  # for this build only, whose events do not change
            return repr((macro, key))
        return digest(repr((self.context, macro, key, [(i, self.digests[i]) for i in shows])))

    def close(self) -> None:
        """Let go of the model: the templates' macros hold these parts in reference cycles
        that outlive the build, as the collector is paused (see api.collector_paused)."""
        self.env = self.view = None  # type: ignore[assignment]
        self.held, self.held_size = {}, 0

    def _part(self, macro: str, shows: tuple[str, ...], key: tuple[str, ...],
              *args: Any) -> Markup:
        """The macro's output for `args`: held from earlier in this build, kept in the store
        from an earlier one, or rendered now."""
        name = self._name(macro, shows, key)
        found = self.held.get(name)
        if found is not None:
            return found
        kept = self.store.get("part", name) if self.store is not None else None
        if kept is not None:
            found = Markup(kept)
        else:
            module: Any = self.env.get_template(MACROS).module
            found = Markup(getattr(module, macro)(*args[:1], self.view, *args[1:]))
            if self.store is not None:
                self.store.put("part", name, str(found))
        if len(found) <= HELD:
            self.held[name] = found
            self.held_size += len(found)
            if self.held_size > HELD_IN_ALL:
                self._let_go()
        return found

    def _let_go(self) -> None:
        """Forget the parts held longest, down to half the bound (pages that show the same
        events come together in the plan, so those are the least likely to be shown again)."""
        for name in list(self.held):
            if self.held_size <= HELD_IN_ALL // 2:
                break
            self.held_size -= len(self.held.pop(name))
