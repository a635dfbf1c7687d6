"""The page plan: every HTML page of the site, its template, its own context, and the
events it shows.

`shows` is what a rebuild trusts: a page is rendered again when an event it shows changed,
or the list of them did (see incremental/rebuild.py). `EVERY_EVENT` marks a page that shows
the whole timeline. tests/test_plan.py renders every page with a tracer and fails if a
template reads an event its page does not declare. The sitemap lists the same plan, so the
renderer and the sitemap cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model import Event, Timeline
from .views import TimelineView

EVERY_EVENT = None
TEMPLATES = ("index.html", "embed.html", "compare.html", "about.html", "provenance.html", "404.html",
             "list.html", "event.html", "commemoration.html", "source.html", "person.html",
             "place.html", "anniversary.html", "tag.html")  # every page's, below


@dataclass(frozen=True)
class Page:
    path: str  # output path relative to the site root, '/'-separated
    template: str
    context: dict[str, Any]
    shows: tuple[str, ...] | None = EVERY_EVENT  # the ids of the events it shows


def plan_pages(timeline: Timeline, view: TimelineView) -> Iterator[Page]:
    """Every page; the optional ones only where `view.sections` has them."""
    yield Page("index.html", "index.html", {})
    yield Page("embed.html", "embed.html", {"year": None})
    if "compare" in view.sections:
        yield Page("compare.html", "compare.html", {})
    yield Page("about.html", "about.html", {})
    if "sources" in view.sections:
        yield Page("provenance.html", "provenance.html", {})
    # served at any depth of the site (GitHub Pages: any missing path), so its links are
    # absolute where the base URL is known
    base = timeline.config.base_url
    yield Page("404.html", "404.html", {"root": base} if base else {}, ())
    for kind in ("sources", "people", "places", "tags"):
        if kind in view.sections:
            yield Page(f"{kind}/index.html", "list.html", {"kind": kind})
    events = timeline.events
    for n, event in enumerate(events):
        previous = events[n - 1] if n > 0 else None
        following = events[n + 1] if n + 1 < len(events) else None
        yield Page(f"events/{event.id}.html", "event.html",
                   {"event": event, "previous": previous, "next": following},
                   _ids(event, previous, following, *view.related(event)))
    for commemoration in timeline.commemorations:
        yield Page(f"commemorations/{commemoration.year}.html", "commemoration.html",
                   {"commemoration": commemoration},
                   _ids(*view.events_in_year(commemoration.year)))
        yield Page(f"embed/{commemoration.year}.html", "embed.html", {"year": commemoration.year},
                   _ids(*view.events_in_year(commemoration.year)))
    for source in timeline.sources.values():
        yield Page(f"sources/{source.id}.html", "source.html", {"source": source},
                   _ids(*view.events_with("source", source.id)))
    for person in timeline.people.values():
        yield Page(f"people/{person.id}.html", "person.html", {"person": person},
                   _ids(*view.events_with("person", person.id)))
    for place in timeline.places.values():
        yield Page(f"places/{place.id}.html", "place.html", {"place": place},
                   _ids(*view.events_with("place", place.id)))
    for anniversary in timeline.anniversaries.values():
        yield Page(f"anniversaries/{anniversary.id}.html", "anniversary.html",
                   {"anniversary": anniversary},
                   _ids(*view.events_with("anniversary", anniversary.id)))
    for tag in view.tags:
        yield Page(f"tags/{tag}.html", "tag.html", {"tag": tag},
                   _ids(*view.events_with("tag", tag)))


def shared_context(view: TimelineView) -> str:
    """What every page shows beyond its own events: the sections its header and footer
    link to. The first tag an event gets adds a link to every page, so a rebuild signs
    this with the other inputs (see incremental/rebuild.py)."""
    return "sections:" + " ".join(sorted(view.sections))


def _ids(*events: Event | None) -> tuple[str, ...]:
    return tuple(e.id for e in events if e is not None)
