"""Machine-readable exports of the timeline. Each returns text; nothing is written here.

`events.json` follows the schema `paradetimeline/events@1` (README.md, "The site", and
schemas/events.schema.json): URLs are relative to the site root unless the site has a base
URL, in which case they are absolute. The other formats live in their own modules; this one
decides which files exist. docs/exports.md describes them all for users.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ..model import Citation, Event, Timeline
from ..render.filedata import Blocks, FileData
from ..render.plan import plan_pages
from ..render.urls import site_url
from ..render.views import TimelineView
from .feeds import atom_feed, robots_txt, sitemap_xml
from .ical import events_ics
from .jsontext import dump, json_parts
from .pieces import KeptPieces, Piece
from .stamps import content_timestamp
from .timelinejs import timeline_json

SCHEMA = "paradetimeline/events@1"
NEEDS_BASE_URL = ("feed.xml", "sitemap.xml")


def _citation(timeline: Timeline, citation: Citation) -> dict[str, Any]:
    source = timeline.sources.get(citation.source)
    return {
        "source": citation.source,
        "quote": citation.quote,
        "anchor": citation.anchor,
        "url": site_url(timeline, f"sources/{citation.source}.html#{citation.anchor}"),
        "original_url": source.url if source else None,
    }


def _event(timeline: Timeline, event: Event) -> dict[str, Any]:
    first, last = event.date.first_day(), event.date.last_day()
    return {
        "id": event.id,
        "title": event.title,
        "date": event.date.edtf(),
        "display_date": event.date.display(),
        "start": first.isoformat() if first else None,
        "end": last.isoformat() if last else None,
        "precision": event.date.precision,
        "status": event.status,
        "anniversary": ({"of": event.commemorates, "ordinal": event.anniversary}
                        if event.commemorates else None),
        "people": list(event.people),
        "places": list(event.places),
        "tags": list(event.tags),
        "summary": event.summary,
        "url": site_url(timeline, f"events/{event.id}.html"),
        "sources": [_citation(timeline, c) for c in event.sources],
    }


def export_names(timeline: Timeline) -> list[str]:
    """The machine-readable files of the site, each made by `export_file`, one at a
    time: each is megabytes on a large site, and all at once would double the memory.

    feed.xml and sitemap.xml need absolute URLs: without a base URL they are left out
    (the names are in NEEDS_BASE_URL, so the CLI can say so)."""
    names = ["events.json", "timeline.json", "events.ics", "robots.txt"]
    return names + list(NEEDS_BASE_URL) if timeline.config.base_url else names


def export_file(timeline: Timeline, name: str, store: KeptPieces | None = None) -> FileData:
    """One of `export_names`, as UTF-8: each can be made by itself, so that workers share
    them out. `store` keeps each event's piece of them between builds (exports/pieces.py)."""
    store = store or KeptPieces()
    base = timeline.config.base_url
    if name == "events.json":
        return events_json(timeline, store)
    if name == "timeline.json":
        return timeline_json(timeline, store)
    if name == "robots.txt":
        return robots_txt(base).encode("utf-8")
    if name == "events.ics":
        return events_ics(timeline, content_timestamp(timeline), store)
    if name == "feed.xml" and base:
        return atom_feed(timeline, base, content_timestamp(timeline), store)
    if name == "sitemap.xml" and base:
        return sitemap_xml(base, page_paths(timeline), content_timestamp(timeline))
    raise ValueError(f"no export file '{name}'")


def piece_context(timeline: Timeline, shared: str) -> str:
    """What an event's piece of an export shows besides the event: `shared`, a digest of
    every input but the event files and the templates (options and code included), and
    the content timestamp, which the pieces of events.ics and feed.xml carry."""
    return f"{shared}/{content_timestamp(timeline).isoformat()}"


def page_paths(timeline: Timeline) -> list[str]:
    """The HTML pages the renderer will write, from its own plan, so the two cannot drift."""
    return [page.path for page in plan_pages(timeline, TimelineView(timeline))]


def events_json(timeline: Timeline, store: KeptPieces | None = None) -> Blocks:
    data = {
        "schema": SCHEMA,
        "title": timeline.config.title,
        "events": (Piece(e.id, partial(_event_json, timeline, e)) for e in timeline.events),
        "people": [
            {"id": p.id, "name": p.name, "native_names": dict(p.native_names),
             "country": p.country, "roles": [
                 {"title": r.title, "from": r.start.edtf() if r.start else None,
                  "to": r.end.edtf() if r.end else None} for r in p.roles],
             "curated": list(p.curated), "note": p.note,
             "url": site_url(timeline, f"people/{p.id}.html")}
            for p in timeline.people.values()
        ],
        "places": [
            {"id": p.id, "name": p.name, "kind": p.kind, "city": p.city, "country": p.country,
             "lat": p.lat, "lon": p.lon, "curated": list(p.curated), "note": p.note,
             "url": site_url(timeline, f"places/{p.id}.html")}
            for p in timeline.places.values()
        ],
        "anniversaries": [
            {"id": a.id, "title": a.title, "date": a.date.edtf(), "date_note": a.date_note,
             "url": site_url(timeline, f"anniversaries/{a.id}.html")}
            for a in timeline.anniversaries.values()
        ],
        "sources": [
            {"id": s.id, "headline": s.headline, "publisher": s.publisher,
             "publisher_stated": s.publisher_stated, "byline": s.byline,
             "published": s.published.edtf() if s.published else None, "url": s.url,
             "page": site_url(timeline, f"sources/{s.id}.html")}
            for s in timeline.sources.values()
        ],
    }
    return (store or KeptPieces()).assemble("events.json", json_parts(data))


def _event_json(timeline: Timeline, event: Event) -> str:
    return dump(_event(timeline, event))
