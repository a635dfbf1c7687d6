"""Partial dates: the small EDTF subset that event records use.

Supported, and nothing else:

    2015            year            2015~   approximate    2015?   uncertain   2015%  both
    2015-05         month           2015-05-07/2015-05-10          closed interval
    2015-05-09      day             ../2015-05-08  open start ("before 9 May 2015")
                                    2015-05-10/..  open end   ("after 9 May 2015")

Pure: no I/O and no "now". A date is shown at the precision it was given: "May 2015"
never becomes "1 May 2015".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Precision = Literal["year", "month", "day"]
PRECISION_RANK: dict[str, int] = {"year": 0, "month": 1, "day": 2}
MONTHS = [calendar.month_name[i] for i in range(13)]

_SINGLE = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?(?P<q>[~?%])?")


class DateError(ValueError):
    """A date string that is not in the supported EDTF subset; `hint` says what would be."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False
    uncertain: bool = False

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        if self.day is not None:
            return dt.date(self.year, self.month or 1, self.day)
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        """The date at its precision without qualifiers: '2015', '2015-05', '2015-05-09'."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def edtf(self) -> str:
        qualifier = {(True, True): "%", (True, False): "~", (False, True): "?"}
        return self.iso() + qualifier.get((self.approximate, self.uncertain), "")

    def display(self) -> str:
        """'9 May 2015', 'May 2015', '2015', 'about May 2015', 'May 2015 (uncertain)'."""
        return _qualify(self, _plain(self))


@dataclass(frozen=True, slots=True)
class EventDate:
    """A single partial date, or an interval whose ends may be open (None)."""

    start: PartialDate | None
    end: PartialDate | None

    @property
    def is_interval(self) -> bool:
        return self.start != self.end

    @property
    def anchor(self) -> PartialDate:
        """The end we place the event by: the start, or the end when the start is open."""
        point = self.start or self.end
        assert point is not None  # parse_edtf refuses '../..'
        return point

    @property
    def precision(self) -> Precision:
        return self.anchor.precision

    @property
    def year(self) -> int:
        return self.anchor.year

    def first_day(self) -> dt.date | None:
        return self.start.first_day() if self.start else None

    def last_day(self) -> dt.date | None:
        return self.end.last_day() if self.end else None

    def overlaps(self, other: EventDate) -> bool:
        """Whether the two share a day ('2015-05' and '2015-05-09' do; an open end reaches
        as far as time goes)."""
        return (self.first_day() or dt.date.min) <= (other.last_day() or dt.date.max) and \
            (other.first_day() or dt.date.min) <= (self.last_day() or dt.date.max)

    def edtf(self) -> str:
        if not self.is_interval:
            return self.anchor.edtf()
        return f"{self.start.edtf() if self.start else '..'}/{self.end.edtf() if self.end else '..'}"

    def datetime_attr(self) -> str | None:
        """A value for HTML's <time datetime>: the anchor at its precision, or None for an
        open interval, whose anchor ('before 9 May 2015': 8 May) is a day it does not claim."""
        if self.start is None or self.end is None:
            return None
        return self.anchor.iso()

    def display(self) -> str:
        if not self.is_interval:
            return self.anchor.display()
        try:
            if self.start is None:
                assert self.end is not None
                return "before " + _shift(self.end, +1).display()
            if self.end is None:
                return "after " + _shift(self.start, -1).display()
        except (OverflowError, ValueError):  # the calendar's own edges: 1 and 9999
            return f"by {self.end.display()}" if self.end else f"from {self.anchor.display()}"
        return _display_range(self.start, self.end)

    def sort_key(self) -> tuple[int, int, int, int]:
        """Total order: by anchor day, coarser precision first, points before intervals,
        then by the last day. Callers add the id as the final tie-break."""
        last = self.last_day() or dt.date.max
        return (
            self.anchor.first_day().toordinal(),
            PRECISION_RANK[self.anchor.precision],
            1 if self.is_interval else 0,
            last.toordinal(),
        )

    def contains(self, day: dt.date) -> bool:
        first = self.first_day() or dt.date.min
        last = self.last_day() or dt.date.max
        return first <= day <= last


def parse_partial(text: str) -> PartialDate:
    """Parse one EDTF date ('2015', '2015-05', '2015-05-09', each optionally ~ ? %)."""
    match = _SINGLE.fullmatch(text)
    if not match and "/" in text:
        raise DateError(f"'{text}' is an interval; a single date is expected here",
                        "write YYYY, YYYY-MM or YYYY-MM-DD")
    if not match:
        raise DateError(
            f"'{text}' is not a date",
            "write YYYY, YYYY-MM or YYYY-MM-DD, optionally ending in ~ (approximate) or ? (uncertain)",
        )
    year = int(match["y"])
    month = int(match["m"]) if match["m"] else None
    day = int(match["d"]) if match["d"] else None
    if year == 0:
        raise DateError(f"'{text}' has year 0, which the calendar does not have")
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"'{text}' has month {month}; months run from 01 to 12")
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateError(
                f"'{text}' is not a real date: {MONTHS[month]} {year} has {last} days"
            )
    qualifier = match["q"] or ""
    return PartialDate(year, month, day, qualifier in "~%" and bool(qualifier),
                       qualifier in "?%" and bool(qualifier))


def parse_edtf(text: str) -> EventDate:
    """Parse a date or interval of the supported subset; raises DateError."""
    text = text.strip()
    if "/" not in text:
        point = parse_partial(text)
        return EventDate(point, point)
    if text.count("/") > 1:
        raise DateError(f"'{text}' has more than one '/'", "an interval is START/END")
    left, right = text.split("/")
    if left in ("..", "") and right in ("..", ""):
        raise DateError(
            f"'{text}' leaves both ends of the interval open",
            "give at least one end, e.g. '../2015-05-08' for 'before 9 May 2015'",
        )
    start = None if left in ("..", "") else parse_partial(left)
    end = None if right in ("..", "") else parse_partial(right)
    if start and end and start.first_day() > end.last_day():
        raise DateError(
            f"interval '{text}' ends before it starts",
            f"did you mean '{end.edtf()}/{start.edtf()}'?",
        )
    if start and end and start == end:
        return EventDate(start, start)
    return EventDate(start, end)


def ordinal(number: int) -> str:
    """70 -> '70th', 71 -> '71st', 112 -> '112th'."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def anniversary_number(reference: PartialDate, date: EventDate) -> int | None:
    """Which anniversary of `reference` an event on `date` marks (by year), if positive."""
    years = date.year - reference.year
    return years if years > 0 else None


def _plain(point: PartialDate) -> str:
    if point.day is not None:
        return f"{point.day} {MONTHS[point.month or 1]} {point.year}"
    if point.month is not None:
        return f"{MONTHS[point.month]} {point.year}"
    return str(point.year)


def _qualify(point: PartialDate, text: str) -> str:
    if point.approximate:
        text = "about " + text
    if point.uncertain:
        text += " (uncertain)"
    return text


def _display_range(start: PartialDate, end: PartialDate) -> str:
    plain = start.approximate or start.uncertain or end.approximate or end.uncertain
    same_precision = start.precision == end.precision
    if not plain and same_precision and start.year == end.year:
        if start.precision == "day" and start.month == end.month:
            return f"{start.day}–{end.day} {MONTHS[end.month or 1]} {end.year}"
        if start.precision == "day":
            return f"{start.day} {MONTHS[start.month or 1]} – {_plain(end)}"
        if start.precision == "month":
            return f"{MONTHS[start.month or 1]}–{_plain(end)}"
    if not plain and same_precision and start.precision == "year":
        return f"{start.year}–{end.year}"
    return f"{start.display()} – {end.display()}"


def _shift(point: PartialDate, step: int) -> PartialDate:
    """The neighbouring date at the same precision: for 'before'/'after' wording.

    Raises ValueError (or OverflowError) past the calendar's edges, years 1 and 9999.
    """
    flags = (point.approximate, point.uncertain)
    if point.precision == "day":
        day = point.first_day() + dt.timedelta(days=step)
        return PartialDate(day.year, day.month, day.day, *flags)
    if point.precision == "month":
        index = point.year * 12 + (point.month or 1) - 1 + step
        year, month = index // 12, index % 12 + 1
    else:
        year, month = point.year + step, None
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is outside the calendar")
    return PartialDate(year, month, None, *flags)
