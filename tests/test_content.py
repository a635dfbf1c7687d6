"""The shipped content: checked strictly, and dated exactly as the articles' words resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from paradetimeline.api import check_project
from paradetimeline.check.loader import load_timeline
from paradetimeline.check.mentions import mentions_by_source

REPO = Path(__file__).resolve().parent.parent
S000, S001, S003 = "000_e855b5d6b16dc860", "001_0f98aee22f1571cc", "003_966e67b1e78c5366"


@pytest.fixture(scope="module")
def timeline():
    loaded, diagnostics = load_timeline(REPO)
    assert diagnostics.items == []
    return loaded


def event(timeline, event_id):
    return next(e for e in timeline.events if e.id == event_id)


def test_check_strict_passes_on_the_repository():
    assert check_project(REPO, strict=True) == ()


def test_the_event_citing_001_p4_s1_is_dated_saturday_9_may_2015(timeline):
    citing = [e for e in timeline.events
              if any(c.source == S001 and "p4-s1" in c.anchors for c in e.sources)]
    assert [(e.id, e.date.edtf()) for e in citing] == [
        ("2015-05-09-moscow-victory-day-parade", "2015-05-09"),
    ]


# Events the articles date only by a relative phrase: the date is the phrase's resolution.
RELATIVE = [
    ("2015-04-medeiros-questions-parade", S001, "p10-s1", "Last month", "2015-04"),
    ("2015-05-09-moscow-victory-day-parade", S001, "p4-s1", "on Saturday", "2015-05-09"),
    ("2015-05-11-china-invites-russian-troops", S001, "p1-s1", "on Monday", "2015-05-11"),
    ("2025-05-04-putin-documentary", S003, "p12-s1", "On Sunday", "2025-05-04"),
    ("2025-05-05-china-announces-pla-participation", S003, "p1-s1", "on Monday", "2025-05-05"),
    ("2025-05-09-moscow-victory-day-parade", S003, "p1-s1", "on Friday", "2025-05-09"),
    ("2025-05-09-minsk-victory-day-parade", S003, "p1-s1", "on Friday", "2025-05-09"),
    ("2025-05-rehearsals-in-minsk-and-moscow", S003, "p4-s1", "the past week",
     "2025-04-29/2025-05-06"),
    ("2025-05-xi-visit-to-moscow", S003, "p6-s1", "later this week", "2025-05-07/2025-05-11"),
    ("2000-putin-first-inauguration", S003, "p12-s1", "25 years since", "2000"),
]


@pytest.mark.parametrize("event_id, source, anchor, phrase, date", RELATIVE)
def test_relative_dates_are_resolved_not_typed(timeline, event_id, source, anchor, phrase, date):
    mention = next(m for m in mentions_by_source(timeline)[source]
                   if (m.anchor, m.phrase) == (anchor, phrase))
    assert mention.resolution == date
    assert event_id in mention.cited_by
    assert event(timeline, event_id).date.edtf() == date


def test_an_undated_article_dates_nothing_to_the_day(timeline):
    """000 states no date: its "on Friday" dates the announcement only as before 9 May 2015."""
    assert event(timeline, "beijing-announces-joint-commemorations").date.edtf() == "../2015-05-08"
    assert all(not m.resolved for m in mentions_by_source(timeline)[S000]
               if m.kind == "relative")


def test_anniversaries_are_computed(timeline):
    assert {e.id: e.anniversary for e in timeline.events if e.commemorates} == {
        "2005-moscow-victory-day-parade": 60,
        "2010-moscow-victory-day-parade": 65,
        "2015-05-09-moscow-victory-day-parade": 70,
        "2015-05-09-western-leaders-boycott": 70,
        "2015-09-03-beijing-parade": 70,
        "2025-05-09-minsk-victory-day-parade": 80,
        "2025-05-09-moscow-victory-day-parade": 80,
    }


def test_nothing_after_its_last_source_is_said_to_have_happened(timeline):
    """An article can only announce or expect what comes after it."""
    for e in timeline.events:
        dates = [timeline.sources[c.source].published for c in e.sources]
        known = [d.last_day() for d in dates if d is not None]
        first = e.date.first_day()
        if known and first and first > max(known):
            assert e.status in ("planned", "expected", "announced"), e.id


def test_every_person_and_place_is_in_some_event(timeline):
    assert {p for e in timeline.events for p in e.people} == set(timeline.people)
    assert {p for e in timeline.events for p in e.places} == set(timeline.places)


def test_compare_rows_have_events_in_the_years_the_articles_support(timeline):
    years = {row.tag: sorted({e.date.year for e in timeline.events if row.tag in e.tags
                              and e.date.year in (2015, 2025)})
             for row in timeline.config.compare}
    # The 2025 article names no one who stays away.
    assert years == {"parade": [2015, 2025], "troops": [2015, 2025], "visit": [2015, 2025],
                     "announcement": [2015, 2025], "absence": [2015]}


def test_the_timeline_counts(timeline):
    assert len(timeline.events) == 25
    assert len(timeline.people) == 10
    assert sum(len(s.article.sentences()) for s in timeline.sources.values()) == 38


def test_what_no_article_gives_is_the_curators_on_the_pages_that_show_it():
    """The day of each 1945 anniversary, Hu Jintao's title, a native name: issue 31."""
    site = REPO / "site"
    for anniversary in ("victory-day-1945", "china-victory-day-1945"):
        page = (site / "anniversaries" / f"{anniversary}.html").read_text()
        assert "Curator’s note on the date:</span> No article gives the day of 1945" in page
    for year in (2005, 2010):  # 'Former President' in 2015: no role shown in 2005 or 2010
        page = (site / "events" / f"{year}-moscow-victory-day-parade.html").read_text()
        assert '<a href="../people/hu-jintao.html">Hu Jintao</a></li>' in page
        assert "President" not in page.split("<dt>Who</dt>")[1].split("</dd>")[0]
    xi = (site / "people/xi-jinping.html").read_text()
    assert '<dt>Native name</dt><dd><span lang="zh">习近平</span> <span class="note">(the curator’s)</span>' in xi
