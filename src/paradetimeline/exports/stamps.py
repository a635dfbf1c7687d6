"""The one timestamp that feeds and calendars require, taken from the content, never the clock.

Atom needs `updated`, iCalendar needs `DTSTAMP`, sitemaps like `lastmod`. A build must be
byte-identical whenever its inputs are (README.md, "Development"), so the instant comes from
`SOURCE_DATE_EPOCH` when that is set (https://reproducible-builds.org/specs/source-date-epoch/),
else from the content: midnight UTC of the latest source publication date.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from ..model import Timeline

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def content_timestamp(timeline: Timeline, environ: Mapping[str, str] | None = None) -> dt.datetime:
    """SOURCE_DATE_EPOCH if it is a whole number of seconds, else the latest source date.

    `build_site` refuses a malformed SOURCE_DATE_EPOCH before it gets here; any other
    caller's is ignored. Only ASCII digits make a number, as the specification asks:
    str.isdigit also takes '²' and '١٢'. With no dated
    source at all, the latest day any event is known to fall on is used, and failing that
    the Unix epoch.
    """
    environ = os.environ if environ is None else environ
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isascii() and value.isdigit():
        try:
            return EPOCH + dt.timedelta(seconds=int(value))
        except OverflowError:  # beyond year 9999: no format could show it anyway
            pass
    days = [s.published.first_day() for s in timeline.sources.values() if s.published]
    if not days:
        days = [d for e in timeline.events for d in (e.date.last_day(), e.date.first_day()) if d]
    if not days:
        return EPOCH
    return dt.datetime.combine(max(days), dt.time(), tzinfo=dt.UTC)


def rfc3339(stamp: dt.datetime) -> str:
    """'2025-05-06T00:00:00Z': the form Atom requires."""
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
