"""phrases.py: date phrases found in the articles and resolved against each article's date."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from paradetimeline.check import phrases
from paradetimeline.check.loader import load_timeline
from paradetimeline.check.phrases import find_mentions
from paradetimeline.dates import PartialDate
from paradetimeline.read.articles import parse_article

REPO = Path(__file__).resolve().parent.parent

S000, S001, S003 = "000_e855b5d6b16dc860", "001_0f98aee22f1571cc", "003_966e67b1e78c5366"

# Every date phrase of the three articles, checked by hand against a calendar:
# 000 is undated; 001 is Monday 11 May 2015; 003 is Tuesday 6 May 2025.
EXPECTED = [
    (S000, "p1-s1", "on Friday", "unresolved", "past"),  # "Beijing announced on Friday"
    (S000, "p3-s1", "Sept. 3", "unresolved", ""),
    (S000, "p4-s1", "Oct. 1", "unresolved", ""),  # "once every decade on Oct. 1": recurs
    (S000, "p5-s1", "May 9", "unresolved", ""),
    (S000, "p6-s1", "in September", "unresolved", ""),
    (S000, "p9-s2", "1937 to 1945", "1937/1945", ""),
    (S000, "p10-s1", "2005 and 2010", "2005, 2010", ""),
    (S001, "p1-s1", "in September", "2015-09", ""),
    (S001, "p1-s1", "on Monday", "2015-05-11", "past"),  # "said on Monday": the article's day
    (S001, "p4-s1", "on Saturday", "2015-05-09", "past"),  # "Xi attended ... on Saturday"
    (S001, "p4-s1", "70 years since", "1945", ""),
    (S001, "p5-s1", "September", "2015-09", ""),  # "the September events in Beijing"
    (S001, "p8-s1", "late 2012", "2012-07/2012-12", ""),
    (S001, "p8-s1", "early 2013", "2013-01/2013-06", ""),
    (S001, "p10-s1", "Last month", "2015-04", ""),
    (S003, "p1-s1", "on Friday", "2025-05-09", "future"),  # "is set to participate ... on Friday"
    (S003, "p1-s1", "on Monday", "2025-05-05", "past"),  # "said on Monday"
    (S003, "p2-s1", "1945", "1945", ""),
    (S003, "p3-s1", "9 May", "2025-05-09", ""),
    (S003, "p4-s1", "the past week", "2025-04-29/2025-05-06", ""),
    (S003, "p5-s2", "9 May", "2025-05-09", ""),
    (S003, "p6-s1", "later this week", "2025-05-07/2025-05-11", ""),
    (S003, "p9-s3", "in 2018", "2018", ""),
    (S003, "p11-s1", "this year", "2025", ""),
    (S003, "p12-s1", "On Sunday", "2025-05-04", "past"),  # "On Sunday, ... RIA cited"
    (S003, "p12-s1", "25 years since", "2000", ""),
]


@pytest.fixture(scope="module")
def repo_timeline():
    timeline, _ = load_timeline(REPO)
    return timeline


def test_every_phrase_of_the_three_articles_resolves_as_checked_by_hand(repo_timeline):
    found = [
        (m.source, m.anchor, m.phrase, m.resolution, m.tense)
        for source in sorted(repo_timeline.sources)
        for m in find_mentions(repo_timeline.sources[source].article)
    ]
    assert found == EXPECTED


def test_the_publication_dates_the_resolutions_rest_on(repo_timeline):
    assert repo_timeline.sources[S000].published is None
    assert repo_timeline.sources[S001].published == PartialDate(2015, 5, 11)
    assert repo_timeline.sources[S003].published == PartialDate(2025, 5, 6)


def test_notes_say_how_or_why_not(repo_timeline):
    notes = {(m.source, m.phrase): m.note
             for s in repo_timeline.sources.values() for m in find_mentions(s.article)}
    assert notes[(S000, "on Friday")] == "past ('announced'); the article states no date"
    assert notes[(S000, "Oct. 1")] == "recurring ('every'): no single date"
    assert notes[(S001, "on Saturday")] == \
        "the Saturday on or before Monday 11 May 2015 ('attended')"
    assert notes[(S003, "on Friday")] == \
        "the Friday on or after Tuesday 6 May 2025 ('is set to')"
    assert notes[(S003, "9 May")] == "no year stated: the publication's year"


def article(text: str, published: PartialDate | None):
    parsed = parse_article("t", text)
    return parsed.__class__(**{**parsed.__dict__, "published": published})


def resolutions(text: str, published: PartialDate | None) -> list[tuple[str, str, str]]:
    return [(m.phrase, m.resolution, m.tense) for m in find_mentions(article(text, published))]


TUESDAY = PartialDate(2025, 5, 6)


@pytest.mark.parametrize("text, expected", [
    ("The minister spoke on Friday.", ("on Friday", "2025-05-02", "past")),
    ("The minister will speak on Friday.", ("on Friday", "2025-05-09", "future")),
    # No tense cue decides: both candidates, never a guess.
    ("A meeting on Friday in Minsk.", ("on Friday", "2025-05-02 or 2025-05-09", "undecided")),
    # The article's own weekday needs no tense.
    ("A meeting on Tuesday in Minsk.", ("on Tuesday", "2025-05-06", "undecided")),
    ("It happened last Friday.", ("last Friday", "2025-05-02", "past")),
    ("It is expected to happen this week.", ("this week", "2025-05-05/2025-05-11", "")),
    ("It happened earlier this week.", ("earlier this week", "2025-05-05", "")),
    ("It happened last week.", ("last week", "2025-04-28/2025-05-04", "")),
    ("It happened yesterday.", ("yesterday", "2025-05-05", "")),
    ("It happens next month.", ("next month", "2025-06", "")),
    ("It happened last year.", ("last year", "2024", "")),
    ("It happened 3 days ago.", ("3 days ago", "2025-05-03", "")),
    ("It happened on May 9, 2015.", ("May 9, 2015", "2015-05-09", "")),
    ("It happened in March 2014.", ("in March 2014", "2014-03", "")),
    ("It happened in mid-2014.", ("mid-2014", "2014-04/2014-09", "")),
    # A weekday before a date is part of it: not "on Monday" the 5th, but the 12th.
    ("It will close on Monday, May 12.", ("on Monday, May 12", "2025-05-12", "")),
    ("It closed Friday 2 May 2025.", ("Friday 2 May 2025", "2025-05-02", "")),
])
def test_phrase_kinds(text, expected):
    assert resolutions(text, TUESDAY) == [expected]


def test_a_weekday_that_does_not_fall_on_its_date_leaves_it_unresolved():
    found = find_mentions(article("It closes on Tuesday, May 12.", TUESDAY))
    assert [(m.phrase, m.resolution, m.note) for m in found] == [
        ("on Tuesday, May 12", "unresolved",
         "Tuesday, but Monday 12 May 2025 is not one: the text contradicts itself")]


def test_an_undated_article_leaves_relative_phrases_unresolved():
    assert resolutions("Beijing announced on Friday that it held talks last month.", None) == [
        ("on Friday", "unresolved", "past"), ("last month", "unresolved", ""),
    ]


def test_a_date_known_to_the_year_resolves_what_needs_only_the_year():
    assert resolutions("It said on Friday that the parade on Sept. 3 marks this year.",
                       PartialDate(2015)) == [
        ("on Friday", "unresolved", "past"), ("Sept. 3", "2015-09-03", ""),
        ("this year", "2015", ""),
    ]


def test_no_false_years_in_numbers():
    assert resolutions("About 1.95 million soldiers, 70 percent of 2000 soldiers, "
                       "a 60-member delegation.", TUESDAY) == [("2000", "2000", "")]


def test_a_weekday_in_letters_that_only_fold_to_it_is_not_one():
    # Case-insensitive Unicode matching took 'ſunday' (long s) for a weekday, then failed
    # to look it up: a seed with it stopped the build with a KeyError.
    assert resolutions("It happened on SUNDAY, not on ſunday.", TUESDAY) == [
        ("on SUNDAY", "2025-05-04", "past")]


def test_what_a_rule_needs_is_in_every_match(monkeypatch):
    # Each rule names words every match of it contains, and sentences without them are not
    # searched; searching every sentence with every rule must find exactly the same.
    rng = random.Random(7)
    words = ("on last next this From from the past Later earlier week Week month Year year "
             "2015 1945 to until and early Mid late - May may Sept. Sep. 9 31 3 in September "
             "december Dec. ago since days weeks Yesterday TODAY tomorrow Friday, MONDAY every "
             "said will 2000s 20 12 mid-2014 70").split()
    sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 9))) + "."
                 for _ in range(3000)]
    texts = [(REPO / "seeds" / f"{s}.txt").read_text() for s in (S000, S001, S003)]
    texts.append("\n\n".join(sentences))
    articles = [article(text, TUESDAY) for text in texts]
    assert all(word == word.lower() for *_, needs in phrases._RULES for group in needs
               for word in group)
    checked = [phrases.scan_article(a) for a in articles]
    monkeypatch.setattr(phrases, "_holds", lambda lowered, needs: True)
    phrases._scan.cache_clear()
    everything = [phrases.scan_article(a) for a in articles]
    phrases._scan.cache_clear()
    assert sum(map(len, checked)) > 2000
    assert checked == everything


def test_may_the_verb_is_not_a_month():
    assert resolutions("Leaders May attend, it may rain.", TUESDAY) == []
