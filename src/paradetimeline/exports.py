"""Machine-readable exports of the timeline. Each returns text; nothing is written here.

`events.json` follows the schema `paradetimeline/events@1` (DESIGN §6): URLs are relative to
the site root unless the site has a base URL, in which case they are absolute.
"""

from __future__ import annotations

import json
from typing import Any

from .model import Citation, Event, Timeline

SCHEMA = "paradetimeline/events@1"


def site_url(timeline: Timeline, path: str) -> str:
    """A page's URL: absolute under the base URL when known, else relative to the root."""
    base = timeline.config.base_url
    return f"{base}{path}" if base else path


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


def export_files(timeline: Timeline) -> dict[str, str]:
    """Every machine-readable file of the site: {path: text}."""
    return {"events.json": events_json(timeline)}


def events_json(timeline: Timeline) -> str:
    data = {
        "schema": SCHEMA,
        "title": timeline.config.title,
        "events": [_event(timeline, e) for e in timeline.events],
        "people": [
            {"id": p.id, "name": p.name, "native_names": dict(p.native_names),
             "country": p.country, "roles": [
                 {"title": r.title, "from": r.start.edtf() if r.start else None,
                  "to": r.end.edtf() if r.end else None} for r in p.roles],
             "url": site_url(timeline, f"people/{p.id}.html")}
            for p in timeline.people.values()
        ],
        "places": [
            {"id": p.id, "name": p.name, "kind": p.kind, "city": p.city, "country": p.country,
             "lat": p.lat, "lon": p.lon, "url": site_url(timeline, f"places/{p.id}.html")}
            for p in timeline.places.values()
        ],
        "sources": [
            {"id": s.id, "headline": s.headline, "publisher": s.publisher, "byline": s.byline,
             "published": s.published.edtf() if s.published else None, "url": s.url,
             "page": site_url(timeline, f"sources/{s.id}.html")}
            for s in timeline.sources.values()
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
