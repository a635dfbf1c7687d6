"""The page plan: every HTML page of the site, its template and its own context.

Shared by the renderer, which renders each page, and the sitemap, which lists them, so the
two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model import Timeline
from .views import TimelineView


@dataclass(frozen=True)
class Page:
    path: str  # output path relative to the site root, '/'-separated
    template: str
    context: dict[str, Any]


def plan_pages(timeline: Timeline, view: TimelineView) -> Iterator[Page]:
    yield Page("index.html", "index.html", {})
    yield Page("compare.html", "compare.html", {})
    yield Page("about.html", "about.html", {})
    yield Page("provenance.html", "provenance.html", {})
    yield Page("404.html", "404.html", {})
    yield Page("sources/index.html", "list.html", {"kind": "sources"})
    yield Page("people/index.html", "list.html", {"kind": "people"})
    yield Page("places/index.html", "list.html", {"kind": "places"})
    yield Page("tags/index.html", "list.html", {"kind": "tags"})
    for n, event in enumerate(timeline.events):
        yield Page(f"events/{event.id}.html", "event.html", {
            "event": event,
            "previous": timeline.events[n - 1] if n > 0 else None,
            "next": timeline.events[n + 1] if n + 1 < len(timeline.events) else None,
        })
    for commemoration in timeline.commemorations:
        yield Page(f"commemorations/{commemoration.year}.html", "commemoration.html",
                   {"commemoration": commemoration})
    for source in timeline.sources.values():
        yield Page(f"sources/{source.id}.html", "source.html", {"source": source})
    for person in timeline.people.values():
        yield Page(f"people/{person.id}.html", "person.html", {"person": person})
    for place in timeline.places.values():
        yield Page(f"places/{place.id}.html", "place.html", {"place": place})
    for anniversary in timeline.anniversaries.values():
        yield Page(f"anniversaries/{anniversary.id}.html", "anniversary.html",
                   {"anniversary": anniversary})
    for tag in view.tags:
        yield Page(f"tags/{tag}.html", "tag.html", {"tag": tag})
