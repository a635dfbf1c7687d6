"""mentions.py: which records cite each date phrase, and the `mentions` command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from paradetimeline.check.loader import load_timeline
from paradetimeline.check.mentions import (
    format_mention,
    mentions_by_source,
    quote_spans,
    write_mentions,
)
from paradetimeline.check.phrases import find_mentions
from paradetimeline.dates import PartialDate
from paradetimeline.errors import UsageError
from paradetimeline.read.articles import parse_article

REPO = Path(__file__).resolve().parent.parent

S000, S001, S003 = "000_e855b5d6b16dc860", "001_0f98aee22f1571cc", "003_966e67b1e78c5366"
TUESDAY = PartialDate(2025, 5, 6)


@pytest.fixture(scope="module")
def repo_timeline():
    timeline, _ = load_timeline(REPO)
    return timeline


def article(text: str, published: PartialDate | None):
    parsed = parse_article("t", text)
    return parsed.__class__(**{**parsed.__dict__, "published": published})


def test_quote_spans_cover_the_quoted_words_of_each_sentence():
    parsed = parse_article("t", "First one here. Second “one” there.\n\nThird.")
    assert quote_spans(parsed, 'here. Second "one"') == {"p1-s1": (10, 15), "p1-s2": (0, 12)}
    assert quote_spans(parsed, "missing") == {}


def test_a_quotes_spans_lie_in_exactly_the_sentences_it_was_found_in(repo_timeline):
    """Coverage locates a quote again only when its anchors hold a date phrase: this is
    what makes that safe."""
    records = [*repo_timeline.events, *repo_timeline.anniversaries.values()]
    citations = [c for record in records for c in record.sources]
    assert citations and all(
        tuple(quote_spans(repo_timeline.sources[c.source].article, c.quote)) == c.anchors
        for c in citations)


def test_mentions_by_source_names_the_records_whose_quote_holds_the_phrase(repo_timeline):
    by_source = mentions_by_source(repo_timeline)
    assert list(by_source) == [S000, S001, S003]
    saturday = next(m for m in by_source[S001] if m.phrase == "on Saturday")
    assert saturday.cited_by == ("2015-05-09-moscow-victory-day-parade",)
    nineteen45 = next(m for m in by_source[S003] if m.phrase == "1945")
    assert nineteen45.anniversaries == ("victory-day-1945",)


def test_write_mentions_prints_one_line_per_phrase():
    out = io.StringIO()
    write_mentions(load_timeline(REPO)[0], "001", out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"# {S001}: published 2015-05-11 (Monday), 8 date phrases"
    assert lines[3] == (
        f'{S001} p4-s1 "on Saturday" -> 2015-05-09 '
        "[the Saturday on or before Monday 11 May 2015 ('attended')] "
        "cited by: 2015-05-09-moscow-victory-day-parade"
    )
    assert len(lines) == 9


def test_write_mentions_refuses_an_unknown_source():
    with pytest.raises(UsageError, match="source '999' is unknown"):
        write_mentions(load_timeline(REPO)[0], "999", io.StringIO())


def test_format_mention_marks_uncited_phrases():
    mention = find_mentions(article("It happened yesterday.", TUESDAY))[0]
    assert format_mention(mention) == \
        't p1-s1 "yesterday" -> 2025-05-05 [the day before Tuesday 6 May 2025] cited by: -'


def test_a_seed_without_a_date_line_counts_from_its_metadata_s_published(make_project):
    """An article that states no date is dated by `published:` in its metadata, and its
    relative phrases resolve from that date as from a date line."""
    from conftest import MINIMAL_SEED

    root = make_project({"seeds/s1.txt": MINIMAL_SEED.replace("May 11, 2015\n\n", ""),
                         "content/sources/s1.yaml": "publisher: Test Times\npublished: 2015-05-11\n"})
    timeline, _ = load_timeline(root)
    assert timeline.sources["s1"].article.published is None
    found = mentions_by_source(timeline)["s1"]
    assert [(m.phrase, m.dates[0].edtf() if m.dates else None) for m in found] == [
        ("on Saturday", "2015-05-09"), ("70 years since", "1945")]
