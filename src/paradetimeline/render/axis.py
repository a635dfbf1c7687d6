"""A to-scale time axis, laid out at build time and drawn by templates/_axis.html as inline
SVG: labelled ticks, the eras as bands, one mark per event and reference point, and a zoomed
strip of its own for each cluster too dense to tell apart at the overview's scale.

Positions are fractions of the axis's width, which the SVG gives as percentages: the marks
stay to scale at any width and the text keeps its size. Marks are spaced for the narrowest
axis a phone shows, and a mark that would touch another moves down a lane, so none collide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal, NamedTuple

from ..model import Anniversary, Event

NARROWEST_PX = 340  # the axis's width on a 390 px phone
ROOM = 14 / NARROWEST_PX  # marks starting closer than this crowd each other
RADIUS = 6 / NARROWEST_PX  # half a point mark, its ring included
CLUSTER_RADIUS = 9 / NARROWEST_PX  # half a crowd's numbered circle
GAP = 3 / NARROWEST_PX  # the least space between two marks of a lane
CLUSTER_SIZE = 4  # this many marks crowded together get a zoomed strip
MAX_DEPTH = 3  # strips within strips, at most; beyond, lanes alone keep marks apart
MOST_MARKS = 200  # beyond this many items an axis counts them per year or month instead

Shape = Literal["point", "bar", "open"]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Mark:
    """One event or reference point: `x` and `width` are fractions of the row's width."""

    item: Event | Anniversary
    x: float
    width: float
    lane: int
    shape: Shape
    fuzzy: bool  # an approximate or uncertain date, drawn blurred


@dataclass(frozen=True)
class Cluster:
    """A crowd of marks, standing in for the strip that spreads them out: one below, or,
    for a crowd within a year that has a page of its own, the axis on that page."""

    strip: str | None  # the id of the strip below
    year: int | None  # or the year whose page has the strip
    x: float
    lane: int
    count: int


@dataclass(frozen=True)
class Bin:
    """Of an axis with too many items to mark: how many fall in one year (or month)."""

    label: str  # '2015' or 'May 2015'
    year: int
    x: float
    width: float
    count: int
    height: float  # the count as a share of the largest bin's


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Band:
    """A commemoration's year, behind the marks."""

    year: int
    x: float
    width: float


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    ticks: tuple[Tick, ...]
    bands: tuple[Band, ...]
    marks: tuple[Mark, ...]
    clusters: tuple[Cluster, ...]
    lanes: int
    bins: tuple[Bin, ...] = ()


@dataclass(frozen=True)
class Axis:
    """The overview first, then a strip for each cluster, in time order."""

    rows: tuple[Row, ...]

    @property
    def marks(self) -> tuple[Mark, ...]:
        return tuple(m for row in self.rows for m in row.marks)


class _Placed(NamedTuple):
    x: float
    width: float
    shape: Shape
    fuzzy: bool
    item: Event | Anniversary

    @property
    def extent(self) -> tuple[float, float]:
        """Where the mark is drawn: a bar over its days, a point around their middle."""
        if self.shape == "bar":
            return self.x, self.x + self.width
        middle = self.x + self.width / 2
        return middle - RADIUS, middle + RADIUS


def days_of(item: Event | Anniversary) -> tuple[dt.date, dt.date, Shape, bool]:
    """First and last day an item covers, how to draw it, and whether it is fuzzy. An open
    interval ('before 9 May 2015') sits at its known end."""
    if isinstance(item, Anniversary):
        d = item.date
        return d.first_day(), d.last_day(), "point" if d.precision == "day" else "bar", \
            d.approximate or d.uncertain
    date = item.date
    ends = [p for p in (date.start, date.end) if p is not None]
    fuzzy = any(p.approximate or p.uncertain for p in ends)
    first, last = date.first_day(), date.last_day()
    if first is None or last is None:
        known = first or last
        assert known is not None
        return known, known, "open", True
    shape: Shape = "point" if first == last else "bar"
    return first, last, shape, fuzzy


def build_axis(items: Sequence[Event | Anniversary], eras: Iterable[int], name: str = "axis",
               elsewhere: Iterable[int] = ()) -> Axis | None:
    """The axis of `items`, or None when there is nothing to draw. A strip can have crowds
    of its own (2010-2015, then May 2015): each gets a strip after it, to a depth where
    lanes keep the last of them apart. A crowd within one of the years `elsewhere` (those
    whose own page draws their axis) links there instead, so an overview stays small."""
    if not items:
        return None
    if len(items) > MOST_MARKS:
        return Axis((_counted_row(name, items, tuple(eras)),))
    return Axis(tuple(_rows(name, items, tuple(eras), frozenset(elsewhere), 0)))


def _counted_row(row_id: str, items: Sequence[Event | Anniversary], eras: tuple[int, ...]) -> Row:
    """A row of bars, one a year (or a month, within one year), as high as its count."""
    firsts = [days_of(item)[0] for item in items]
    first, last = min(firsts), max(days_of(item)[1] for item in items)
    by_month = first.year == last.year
    counts: dict[tuple[int, int], int] = {}
    for day in firsts:
        key = (day.year, day.month if by_month else 1)
        counts[key] = counts.get(key, 0) + 1
    start = dt.date(first.year, first.month if by_month else 1, 1)
    end = _next(dt.date(last.year, last.month if by_month else 12, 1), True)
    length = (end - start).days

    def at(day: dt.date) -> float:
        return (day - start).days / length

    most = max(counts.values())
    bins = tuple(Bin(f"{MONTHS[m - 1]} {y}" if by_month else str(y), y, at(dt.date(y, m, 1)),
                     at(_next(dt.date(y, m, 1), by_month)) - at(dt.date(y, m, 1)), n, n / most)
                 for (y, m), n in sorted(counts.items()))
    bands = tuple(Band(y, at(dt.date(y, 1, 1)), at(dt.date(y + 1, 1, 1)) - at(dt.date(y, 1, 1)))
                  for y in eras if first.year <= y <= last.year and not by_month)
    return Row(row_id, _span_label(first, last), _ticks(first, last, at), bands, (), (), 3, bins)


def _next(day: dt.date, by_month: bool) -> dt.date:
    """The first day of the next month, or of the next year."""
    if by_month:
        return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return dt.date(day.year + 1, 1, 1)


def _rows(row_id: str, items: Sequence[Event | Anniversary], eras: tuple[int, ...],
          elsewhere: frozenset[int], depth: int) -> Iterator[Row]:
    row, crowds = _row(row_id, items, eras, elsewhere, strips=depth < MAX_DEPTH)
    yield row
    for n, crowd in enumerate(crowds, start=1):
        yield from _rows(f"{row_id}-{n}", crowd, eras, elsewhere, depth + 1)


def _year_of(crowd: list[_Placed]) -> int | None:
    years = {days_of(p.item)[0].year for p in crowd} | {days_of(p.item)[1].year for p in crowd}
    return years.pop() if len(years) == 1 else None


def _row(row_id: str, items: Sequence[Event | Anniversary], eras: tuple[int, ...],
         elsewhere: frozenset[int], strips: bool) -> tuple[Row, list[list[Event | Anniversary]]]:
    spans = [days_of(item) for item in items]
    first = min(s[0] for s in spans)
    last = max(s[1] for s in spans)
    pad = max((last - first).days * 0.04, 1)
    start = first.toordinal() - pad
    length = (last.toordinal() + 1 + pad) - start

    def at(day: dt.date) -> float:
        return (day.toordinal() - start) / length

    placed = sorted((_Placed(at(a), at(b + dt.timedelta(days=1)) - at(a), shape, fuzzy, item)
                     for (a, b, shape, fuzzy), item in zip(spans, items)),
                    key=lambda p: (p.x, -p.width))
    crowds: list[list[Event | Anniversary]] = []
    marks: list[_Placed] = []
    stand_ins: list[tuple[float, str | None, int | None, int]] = []  # (x, strip, year, count)
    for group in _crowds(placed):
        if not strips or len(group) < CLUSTER_SIZE:
            marks.extend(group)
            continue
        middle = (group[0].x + max(p.x + p.width for p in group)) / 2
        year = _year_of(group)
        if year in elsewhere:
            stand_ins.append((middle, None, year, len(group)))
        else:
            crowds.append([p.item for p in group])
            stand_ins.append((middle, f"{row_id}-{len(crowds)}", None, len(group)))

    lanes = _lanes([p.extent for p in marks]
                   + [(x - CLUSTER_RADIUS, x + CLUSTER_RADIUS) for x, *_ in stand_ins])
    bands = []
    for year in eras:
        if first.year <= year <= last.year:
            x = max(at(dt.date(year, 1, 1)), 0.0)
            bands.append(Band(year, x, min(at(dt.date(year + 1, 1, 1)), 1.0) - x))
    row = Row(
        id=row_id,
        label=_span_label(first, last),
        ticks=_ticks(first, last, at),
        bands=tuple(bands),
        marks=tuple(Mark(p.item, p.x, p.width, lane, p.shape, p.fuzzy)
                    for p, lane in zip(marks, lanes)),
        clusters=tuple(Cluster(strip, year, x, lane, count)
                       for (x, strip, year, count), lane in zip(stand_ins, lanes[len(marks):])),
        lanes=max(lanes, default=0) + 1,
    )
    return row, crowds


def _crowds(placed: list[_Placed]) -> list[list[_Placed]]:
    """Runs of marks each starting within a point's room of the one before. A long bar
    crowds nothing it spans: it has a lane of its own."""
    groups: list[list[_Placed]] = []
    for p in placed:
        if groups and p.extent[0] < groups[-1][-1].extent[0] + ROOM:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _lanes(extents: list[tuple[float, float]]) -> list[int]:
    """The lane of each mark: the first whose last mark ends a gap before it starts."""
    ends: list[float] = []
    found = [0] * len(extents)
    for index in sorted(range(len(extents)), key=lambda i: extents[i]):
        start, end = extents[index]
        lane = next((n for n, last in enumerate(ends) if last + GAP <= start), len(ends))
        if lane == len(ends):
            ends.append(end)
        ends[lane] = end
        found[index] = lane
    return found


def _span_label(first: dt.date, last: dt.date) -> str:
    if first.year != last.year:
        return f"{first.year}–{last.year}"
    if first.month != last.month:
        return f"{MONTHS[first.month - 1]}–{MONTHS[last.month - 1]} {first.year}"
    if first.day != last.day:
        return f"{first.day}–{last.day} {MONTHS[first.month - 1]} {first.year}"
    return f"{first.day} {MONTHS[first.month - 1]} {first.year}"


def _ticks(first: dt.date, last: dt.date, at: Callable[[dt.date], float]) -> tuple[Tick, ...]:
    """Round dates at the smallest step whose labels do not touch at the narrowest width:
    years, else months, else days (placed at the middle of their day, like the marks)."""
    days = (last - first).days
    candidates: list[list[Tick]] = []
    if days > 3 * 365:
        for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
            candidates.append([Tick(at(dt.date(y, 1, 1)), str(y))
                               for y in range(-(-first.year // step) * step, last.year + 1, step)])
    elif days > 60:
        months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        for step in (1, 2, 3, 6, 12):
            candidates.append([Tick(at(dt.date(m // 12, m % 12 + 1, 1)),
                                    f"{MONTHS[m % 12]} {m // 12}") for m in months if m % 12 % step == 0])
    else:
        for step in (1, 2, 7, 14):
            candidates.append([Tick((at(day) + at(day + dt.timedelta(days=1))) / 2,
                                    f"{day.day} {MONTHS[day.month - 1]}")
                               for n in range(0, days + 1, step)
                               if (day := first + dt.timedelta(days=n))])
    for ticks in candidates:
        if len(ticks) >= 2 and all(b.x - a.x >= _label_room(a) for a, b in pairwise(ticks)):
            return tuple(ticks)
    return ()


def _label_room(tick: Tick) -> float:
    """The width a tick's label needs (12 px text, about 7 px a character), as a share."""
    return (len(tick.label) * 7 + 12) / NARROWEST_PX
