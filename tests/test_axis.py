"""render/axis.py: the time axis is to scale, no two marks touch, crowds get strips."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import REPO

from paradetimeline import build_site, load_timeline
from paradetimeline.dates import parse_edtf
from paradetimeline.model import Event
from paradetimeline.render.axis import MOST_MARKS, NARROWEST_PX, Axis, Mark, build_axis, days_of
from paradetimeline.render.views import TimelineView

GOLDEN = Path(__file__).parent / "golden" / "axis.html"


def event(id: str, date: str, status: str = "happened") -> Event:
    return Event(id=id, title=id, date=parse_edtf(date), status=status, path=f"{id}.yaml")  # type: ignore[arg-type]


def repo_axis() -> Axis:
    timeline, _ = load_timeline(REPO)
    axis = TimelineView(timeline).axis
    assert axis is not None
    return axis


def test_every_item_is_one_mark_here_or_on_its_era_page_and_crowds_link_to_strips():
    timeline, _ = load_timeline(REPO)
    view = TimelineView(timeline)
    axis = repo_axis()
    assert [row.label for row in axis.rows] == ["1937–2025", "2010–2015"]
    clusters = [c for row in axis.rows for c in row.clusters]
    rows = {row.id for row in axis.rows}
    assert all(c.strip in rows for c in clusters if c.strip)
    elsewhere = sorted(c.year for c in clusters if c.year)
    assert elsewhere == [2015, 2025]  # crowds within an era open that era's page

    ids = [m.item.id for m in axis.marks]
    for year in elsewhere:
        era_axis = view.axis_of_year(year)
        assert era_axis is not None and not any(c.year for r in era_axis.rows for c in r.clusters)
        ids += [m.item.id for m in era_axis.marks if m.item.id not in ids]
    assert sorted(ids) == sorted(item.id for group in view.years for item in group.items)
    assert [r.label for r in view.axis_of_year(2015).rows] == ["Apr–Sep 2015", "8–11 May 2015"]


def test_a_crowd_within_a_year_with_its_own_page_is_left_to_that_page():
    crowd = [event(f"e{n}", f"2015-05-0{n}") for n in range(1, 6)]
    axis = build_axis([event("old", "1945-05-09"), *crowd], [2015], elsewhere=[2015])
    assert axis is not None
    (overview,) = axis.rows
    assert [(c.strip, c.year, c.count) for c in overview.clusters] == [(None, 2015, 5)]


def drawn(mark: Mark) -> tuple[float, float]:
    """Where the template draws a mark: a bar over its days, a 12 px point at their middle."""
    if mark.shape == "bar":
        return mark.x, mark.x + mark.width
    middle = mark.x + mark.width / 2
    return middle - 6 / NARROWEST_PX, middle + 6 / NARROWEST_PX


def test_no_two_marks_of_a_lane_touch_at_the_narrowest_width():
    timeline, _ = load_timeline(REPO)
    view = TimelineView(timeline)
    for row in (*repo_axis().rows, *view.axis_of_year(2015).rows, *view.axis_of_year(2025).rows):
        lanes: dict[int, list[tuple[float, float]]] = {}
        for m in row.marks:
            lanes.setdefault(m.lane, []).append(drawn(m))
        for c in row.clusters:
            lanes.setdefault(c.lane, []).append((c.x - 9 / NARROWEST_PX, c.x + 9 / NARROWEST_PX))
        for extents in lanes.values():
            extents.sort()
            for (_, end), (start, _) in pairwise(extents):
                assert start > end, row.label


def test_tick_labels_do_not_touch_and_are_to_scale():
    overview = repo_axis().rows[0]
    assert [t.label for t in overview.ticks] == ["1940", "1960", "1980", "2000", "2020"]
    gaps = [b.x - a.x for a, b in pairwise(overview.ticks)]
    assert max(gaps) - min(gaps) < 1e-3  # twenty years take the same room everywhere


def test_marks_are_placed_to_scale_and_drawn_by_precision():
    axis = build_axis([event("a", "2015-01-01"), event("b", "2015-12"), event("c", "2015-07-01"),
                       event("d", "../2015-03-31"), event("e", "2015-05-09~")], [2015])
    assert axis is not None
    marks = {m.item.id: m for m in axis.rows[0].marks}
    assert (marks["a"].shape, marks["b"].shape, marks["d"].shape) == ("point", "bar", "open")
    assert marks["b"].width == pytest.approx(marks["a"].width * 31)  # a month is 31 days wide
    # 1 July is as far from 1 January as 181 days are
    assert marks["c"].x - marks["a"].x == pytest.approx(marks["a"].width * 181)
    assert marks["d"].fuzzy and marks["e"].fuzzy and not marks["a"].fuzzy
    assert days_of(event("d", "../2015-03-31"))[:2] == (marks["d"].item.date.last_day(),) * 2


def test_a_crowd_gets_a_strip_that_spreads_it_out():
    crowd = [event(f"e{n}", f"2015-05-0{n}") for n in range(1, 6)]
    axis = build_axis([event("old", "1945-05-09"), *crowd], [])
    assert axis is not None
    overview, strip = axis.rows
    assert [m.item.id for m in overview.marks] == ["old"]
    assert [(c.strip, c.year, c.count) for c in overview.clusters] == [(strip.id, None, 5)]
    assert strip.label == "1–5 May 2015"
    assert {m.lane for m in strip.marks} == {0}  # a day apart is room enough at this scale
    assert [t.label for t in strip.ticks] == ["1 May", "2 May", "3 May", "4 May", "5 May"]


def test_nothing_to_draw_is_no_axis():
    assert build_axis([], []) is None


def test_the_axis_svg_matches_its_golden_file(make_project, update_golden):
    """The drawn SVG of a small project with a crowd. Refresh: pytest --update-golden."""
    cited = "sources:\n  - source: s2\n    quote: The army marched through the city.\n"
    files: dict[str, str | None] = {
        f"content/events/e{n}.yaml": f"title: Event {n}\ndate: 2015-05-0{n}\nstatus: planned\n"
        + cited for n in range(1, 6)}
    files |= {"content/events/parade.yaml": None, "content/coverage.yaml": None,
              "seeds/s2.txt": "A report\n\nThe army marched through the city.\n",
              "content/sources/s2.yaml": "publisher: Test Times\n",
              "content/events/war.yaml": "title: The war\ndate: 1941/1945\nstatus: happened\n" + cited}
    root = make_project(files)
    build_site(root)
    page = (root / "site/index.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure class="axis".*?</figure>', page, re.S)
    assert figure is not None
    if update_golden:
        GOLDEN.write_text(figure.group(0) + "\n", encoding="utf-8")
    assert figure.group(0) + "\n" == GOLDEN.read_text(encoding="utf-8"), \
        "the axis differs; if intended: pytest --update-golden"


def test_past_the_most_marks_an_axis_counts_per_year_and_within_a_year_per_month():
    many = [event(f"e{n}", f"{2000 + n % 10}-0{1 + n % 9}-01") for n in range(MOST_MARKS + 1)]
    axis = build_axis(many, [2005])
    assert axis is not None
    (row,) = axis.rows
    assert row.marks == () and [b.label for b in row.bins] == [str(y) for y in range(2000, 2010)]
    assert sum(b.count for b in row.bins) == MOST_MARKS + 1
    assert max(b.height for b in row.bins) == 1
    assert [b.year for b in row.bands] == [2005]

    one_year = [event(f"e{n}", f"2015-{1 + n % 12:02d}-01") for n in range(MOST_MARKS + 1)]
    axis = build_axis(one_year, [2015])
    assert axis is not None
    assert [b.label for b in axis.rows[0].bins][:2] == ["Jan 2015", "Feb 2015"]
    assert axis.rows[0].bins[-1].x + axis.rows[0].bins[-1].width == pytest.approx(1)


def test_a_counted_axis_links_each_year_of_the_index_to_its_section(make_project, monkeypatch):
    import paradetimeline.render.axis as axis_module

    monkeypatch.setattr(axis_module, "MOST_MARKS", 1)
    root = make_project()
    build_site(root)
    page = (root / "site/index.html").read_text(encoding="utf-8")
    assert "the events are counted per year, each bar a link to its year." in page
    assert '<a href="#y2015"><title>2015: 1 event</title><rect class="bin"' in page
    assert '<section class="year' in page and 'id="y2015"' in page
