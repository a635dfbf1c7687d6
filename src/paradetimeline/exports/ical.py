"""events.ics: the timeline as an RFC 5545 calendar of all-day events.

Written by hand because the format is small and its rules are exact: CRLF line ends,
lines folded at 75 octets (never inside a UTF-8 character), TEXT values escaped.

A calendar can only show whole days, so dates keep their honesty in words:
- a date known to the month or year spans the whole month or year, and SUMMARY says
  "(date known to the month)" or "(date known to the year)";
- an interval open at one end ("before 9 May 2015") is placed on its known end, at that
  end's precision, and SUMMARY says "(date not known: before 9 May 2015)";
- an approximate or uncertain date says "(date not certain: about May 2015)".
docs/exports.md describes the same rules for readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial

from ..dates import PRECISION_RANK
from ..model import Event, Place, Timeline
from ..render.filedata import Blocks
from ..render.urls import absolute_url
from .pieces import KeptPieces, Piece

PRODID = "-//paradetimeline//events@1//EN"
CRLF = "\r\n"
LIMIT = 75  # octets per line, CRLF excluded (RFC 5545 §3.1)

# RFC 5545 STATUS for VEVENT has only TENTATIVE, CONFIRMED and CANCELLED.
ICS_STATUS = {"happened": "CONFIRMED", "reported": "CONFIRMED", "planned": "TENTATIVE",
              "announced": "TENTATIVE", "expected": "TENTATIVE"}


def events_ics(timeline: Timeline, stamp: dt.datetime, store: KeptPieces | None = None
               ) -> Blocks:
    """The calendar as UTF-8, its lines folded and ended with CRLF."""
    return (store or KeptPieces()).assemble("events.ics", _calendar_parts(timeline, stamp))


def _calendar_parts(timeline: Timeline, stamp: dt.datetime) -> Iterator[str | Piece]:
    yield _lines("BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
                 "METHOD:PUBLISH", f"NAME:{escape(timeline.config.title)}",
                 f"X-WR-CALNAME:{escape(timeline.config.title)}")
    dtstamp = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for event in timeline.events:
        yield Piece(event.id, partial(_vevent_text, timeline, event, dtstamp))
    yield _lines("END:VCALENDAR")


def _vevent_text(timeline: Timeline, event: Event, dtstamp: str) -> str:
    return _lines(*vevent(timeline, event, dtstamp))


def _lines(*lines: str) -> str:
    return "".join(fold(line) + CRLF for line in lines)


def vevent(timeline: Timeline, event: Event, dtstamp: str) -> list[str]:
    first, last = calendar_span(event)
    url = absolute_url(timeline, f"events/{event.id}.html")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{url or event.id + '@paradetimeline'}",
        f"DTSTAMP:{dtstamp}",
        f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
        f"DTEND;VALUE=DATE:{last + dt.timedelta(days=1):%Y%m%d}",  # exclusive
        f"SUMMARY:{escape(event.title + date_note(event))}",
        f"DESCRIPTION:{escape(description(timeline, event, url))}",
        f"STATUS:{ICS_STATUS[event.status]}",
        "TRANSP:TRANSPARENT",  # a month-long span must not mark anyone busy
    ]
    places = [timeline.places[p] for p in event.places if p in timeline.places]
    if places:
        lines.append("LOCATION:" + escape("; ".join(_place_label(p) for p in places)))
        located = [p for p in places if p.lat is not None and p.lon is not None]
        if located:
            lines.append(f"GEO:{_decimal(located[0].lat)};{_decimal(located[0].lon)}")
    if event.tags:
        lines.append("CATEGORIES:" + ",".join(escape(t) for t in event.tags))
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def calendar_span(event: Event) -> tuple[dt.date, dt.date]:
    """First and last whole day to show; an open interval shows only its known end."""
    start, end = event.date.start, event.date.end
    known = start or end
    assert known is not None  # parse_edtf refuses '../..'
    return (start or known).first_day(), (end or known).last_day()


def date_note(event: Event) -> str:
    """The words SUMMARY adds when whole days would claim more than the date says."""
    date = event.date
    if date.start is None or date.end is None:
        return f" (date not known: {date.display()})"
    if any(p.approximate or p.uncertain for p in (date.start, date.end)):
        return f" (date not certain: {date.display()})"
    coarsest = min((date.start, date.end), key=lambda p: PRECISION_RANK[p.precision])
    if coarsest.precision == "day":
        return ""
    plural = "dates" if date.is_interval else "date"
    return f" ({plural} known to the {coarsest.precision})"


def description(timeline: Timeline, event: Event, url: str | None) -> str:
    parts = [f"When: {event.date.display()}", f"Status: {event.status}"]
    if event.summary:
        parts.append(event.summary)
    for citation in event.sources:
        source = timeline.sources.get(citation.source)
        label = source.label if source else citation.source
        parts.append(f"“{citation.quote}” ({label})")
    if url:
        parts.append(url)
    return "\n\n".join(parts)


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, ';', ',' and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, continuing with a space; a cut
    that would fall inside a UTF-8 character moves back to where the character starts."""
    data = line.encode("utf-8")
    if len(data) <= LIMIT:
        return line  # most lines
    parts: list[bytes] = []
    start, limit = 0, LIMIT
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: not a character's start
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, LIMIT - 1  # the leading space takes one octet
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


def _place_label(place: Place) -> str:
    return f"{place.name}, {place.city}" if place.city and place.city != place.name else place.name


def _decimal(value: float | None) -> str:
    """GEO wants plain decimals: 55.7539, never 5.5e+01."""
    return f"{value:.6f}".rstrip("0").rstrip(".")
