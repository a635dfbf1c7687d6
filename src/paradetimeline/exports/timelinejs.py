"""timeline.json: the timeline in TimelineJS3's JSON format, ready for `new TL.Timeline()`.

Format: https://timeline.knightlab.com/docs/json-format.html. A date object carries only
the parts the date is known to ({year}, {year, month} or {year, month, day}), so TimelineJS
never shows "1 May 2015" for "May 2015". Every slide also carries `display_date`, our own
wording of the date ("before 9 May 2015", "about May 2015"), which TimelineJS shows instead
of its own. An interval open at one end has a single known end: it becomes the slide's
start_date, with no end_date, and display_date says which side is unknown.
"""

from __future__ import annotations

import html
from functools import partial
from typing import Any

from ..dates import EventDate, PartialDate
from ..model import Anniversary, Event, Timeline
from ..render.filedata import Blocks
from ..render.urls import site_url
from .jsontext import dump, json_parts
from .pieces import KeptPieces, Piece

OTHER_GROUP = "Other"


def timeline_json(timeline: Timeline, store: KeptPieces | None = None) -> Blocks:
    config = timeline.config
    data = {
        "title": {"text": {"headline": html.escape(config.title),
                           "text": f"<p>{html.escape(config.description)}</p>"}},
        "events": (slide for slides in (
            (_anniversary_slide(timeline, a) for a in timeline.anniversaries.values()),
            (Piece(e.id, partial(_event_slide_json, timeline, e)) for e in timeline.events))
            for slide in slides),
        "eras": [
            {"start_date": {"year": c.year, "month": 1, "day": 1},
             "end_date": {"year": c.year, "month": 12, "day": 31},
             "text": {"headline": f"{c.year}: {c.label}"}}
            for c in timeline.commemorations
        ],
        "scale": "human",
    }
    return (store or KeptPieces()).assemble("timeline.json", json_parts(data, sort_keys=True))


def date_object(point: PartialDate) -> dict[str, int]:
    """{year, month, day} with only the parts the date is known to."""
    parts = {"year": point.year, "month": point.month, "day": point.day}
    return {key: value for key, value in parts.items() if value is not None}


def slide_dates(date: EventDate) -> dict[str, Any]:
    dates: dict[str, Any] = {"start_date": date_object(date.start or date.anchor)}
    if date.is_interval and date.start and date.end:
        dates["end_date"] = date_object(date.end)
    dates["display_date"] = date.display()
    return dates


def group_of(timeline: Timeline, event: Event) -> str:
    """The first compare row (site.yaml) the event belongs to: 'Parades', 'Troops', ..."""
    for row in timeline.config.compare:
        if row.tag in event.tags:
            return row.label
    return OTHER_GROUP


def _event_slide(timeline: Timeline, event: Event) -> dict[str, Any]:
    url = site_url(timeline, f"events/{event.id}.html")
    text = f"<p>{html.escape(event.summary)}</p>" if event.summary else ""
    text += (f"<p>Status: {event.status}. "
             f'<a href="{html.escape(url)}">Sources and details</a></p>')
    return {
        **slide_dates(event.date),
        "text": {"headline": html.escape(event.title), "text": text},
        # TimelineJS shows the group as HTML, as it does the headline; only ever as an
        # element's text, so quote marks need no escaping (and "Leaders' visits" stays).
        "group": html.escape(group_of(timeline, event), quote=False),
        "unique_id": event.id,
    }


def _event_slide_json(timeline: Timeline, event: Event) -> str:
    return dump(_event_slide(timeline, event), sort_keys=True)


def _anniversary_slide(timeline: Timeline, anniversary: Anniversary) -> dict[str, Any]:
    """The 1945 reference points the commemorations count from, as on the index page."""
    url = site_url(timeline, f"anniversaries/{anniversary.id}.html")
    text = f"<p>{html.escape(anniversary.description)}</p>" if anniversary.description else ""
    text += f'<p><a href="{html.escape(url)}">Sources and details</a></p>'
    return {
        "start_date": date_object(anniversary.date),
        "display_date": anniversary.date.display(),
        "text": {"headline": html.escape(anniversary.title), "text": text},
        "group": "Reference dates",
        "unique_id": f"anniversary-{anniversary.id}",
    }
