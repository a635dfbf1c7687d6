"""schema.org JSON-LD for event and source pages, built as plain dicts, embedded safely.

Search engines and link previews read these; they say no more than the page does:
- dates keep their precision ("2015-05" stays "2015-05", which ISO 8601 allows), and an
  interval open at one end has no startDate or endDate at all, since either would claim
  a day we do not know;
- eventStatus is EventScheduled for events that happened, are planned or were announced
  or reported; schema.org has no value for "expected", so those carry none;
- the articles an event cites are its `subjectOf`, each a NewsArticle with only the
  fields the article or its metadata states;
- a person is an `attendee` only where a quote says they attended.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup

from ..model import Event, Person, Place, Source, Timeline, listed
from .urls import absolute_url

CONTEXT = "https://schema.org"
SCHEDULED = "https://schema.org/EventScheduled"
EVENT_STATUS = {"happened": SCHEDULED, "planned": SCHEDULED, "announced": SCHEDULED,
                "reported": SCHEDULED}  # 'expected' has no honest equivalent
UNSAFE_IN_SCRIPT = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                    "\u2028": "\\u2028", "\u2029": "\\u2029"}


def event_jsonld(timeline: Timeline, event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {"@context": CONTEXT, "@type": "Event", "name": event.title}
    start, end = event.date.start, event.date.end
    if start and end:
        data["startDate"] = start.iso()
        if event.date.is_interval:
            data["endDate"] = end.iso()
    if event.summary:
        data["description"] = event.summary
    if event.status in EVENT_STATUS:
        data["eventStatus"] = EVENT_STATUS[event.status]
    places = [timeline.places[p] for p in event.places if p in timeline.places]
    if places:
        data["location"] = [place_jsonld(timeline, p) for p in places]
    attendees = [timeline.people[p] for p in event.people
                 if p in timeline.people and attended(event, timeline.people[p])]
    if attendees:
        data["attendee"] = [person_jsonld(timeline, p) for p in attendees]
    cited = dict.fromkeys(c.source for c in event.sources)  # first-cited order, no repeats
    articles = [news_article(timeline.sources[s]) for s in cited if s in timeline.sources]
    if articles:
        data["subjectOf"] = articles
    _add_url(data, timeline, f"events/{event.id}.html")
    return data


def source_jsonld(timeline: Timeline, source: Source) -> dict[str, Any]:
    return {"@context": CONTEXT, **news_article(source)}


def news_article(source: Source) -> dict[str, Any]:
    """The article as its capture and metadata state it; unknown fields are left out."""
    data: dict[str, Any] = {"@type": "NewsArticle"}
    if source.headline:
        data["headline"] = source.headline
    if source.publisher:
        data["publisher"] = {"@type": "Organization", "name": source.publisher}
        if not source.publisher_stated:
            note = source.note_for("publisher")
            data["publisher"]["description"] = "Named by the curator, not by the article" + (
                f": {note}" if note else ".")
    if source.published:
        data["datePublished"] = source.published.iso()
    if source.url:
        data["url"] = source.url
    return data


def place_jsonld(timeline: Timeline, place: Place) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Place", "name": place.name}
    address = {"@type": "PostalAddress"}
    if place.city:
        address["addressLocality"] = place.city
    if place.country:
        address["addressCountry"] = place.country
    if len(address) > 1:
        data["address"] = address
    if place.lat is not None and place.lon is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": place.lat, "longitude": place.lon}
    if place.curated:
        data["description"] = f"The curator's, not the articles': the {listed(place.curated)}."
    _add_url(data, timeline, f"places/{place.id}.html")
    return data


def attended(event: Event, person: Person) -> bool:
    """Whether a quote of the event names the person and says 'attended': only then is
    a person an attendee (not a spokesman at his own announcement, nor a leader whose
    'expected presence' is reported)."""
    return any(ATTENDED.search(c.quote) and person.named_in(c.quote) for c in event.sources)


ATTENDED = re.compile(r"\battended\b", re.IGNORECASE)


def person_jsonld(timeline: Timeline, person: Person) -> dict[str, Any]:
    """Name and page only: a country is the curator's addition, which no article states."""
    data: dict[str, Any] = {"@type": "Person", "name": person.name}
    _add_url(data, timeline, f"people/{person.id}.html")
    return data


def jsonld_script(data: dict[str, Any]) -> Markup:
    """JSON text that cannot end its <script> early: '<', '>' and '&' become \\u escapes.

    Those characters only ever occur inside JSON strings, where the escapes mean the same.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for char, escaped in UNSAFE_IN_SCRIPT.items():
        text = text.replace(char, escaped)
    return Markup(text)


def _add_url(data: dict[str, Any], timeline: Timeline, path: str) -> None:
    """Only absolute URLs: a relative one would resolve differently from each page."""
    url = absolute_url(timeline, path)
    if url:
        data["url"] = url

