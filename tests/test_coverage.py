"""Corroboration and coverage: exact diagnostics for each rule, on tiny projects."""

from __future__ import annotations

import pytest

from paradetimeline import build_site
from paradetimeline.api import check_project
from paradetimeline.errors import ContentError

PARADE = """\
    title: Xi attends the parade
    date: {date}
    status: happened
    commemorates: victory-day-1945
    sources:
      - source: s1
        quote: "{quote}"
    """
FULL = ("Xi attended Moscow's Victory Day parade on Saturday marking 70 years since the end "
        "of the war in Europe.")
# The parade quoted up to "on Saturday", so "70 years since" is left uncovered.
SHORT = {"content/events/parade.yaml": PARADE.format(
    date="2015-05-09", quote="Xi attended Moscow's Victory Day parade on Saturday"),
    "content/coverage.yaml": "other_dates: []\n"}
UNCOVERED_70 = ("seeds/s1.txt:7:61: warning: date phrase '70 years since' (p1-s1, 1945) is "
                "cited by no event\n    hint: quote it from the event it dates, or add it to "
                "'uncited' in content/coverage.yaml with a reason")


def diagnostics(root) -> list[str]:
    try:
        found = check_project(root)
    except ContentError as exc:
        found = exc.diagnostics
    return [d.format() for d in found]


def test_a_phrase_outside_every_quote_is_reported_at_its_place_in_the_seed(make_project):
    assert diagnostics(make_project(SHORT)) == [UNCOVERED_70]


def test_quoting_the_whole_sentence_covers_and_corroborates_it(make_project):
    root = make_project({"content/events/parade.yaml": PARADE.format(date="2015-05-09",
                                                                      quote=FULL)})
    assert diagnostics(root) == []


def test_a_quoted_phrase_that_disagrees_with_the_event_date(make_project):
    root = make_project({"content/events/parade.yaml": PARADE.format(date="2015-05-10",
                                                                      quote=FULL)})
    assert diagnostics(root) == [
        ("content/events/parade.yaml:7:12: warning: 'on Saturday' (p1-s1) resolves to "
        "2015-05-09, outside the event's date 2015-05-10\n    hint: fix the date, or add it to "
        "'other_dates' in content/coverage.yaml with a reason"),
    ]


def test_a_quoted_ordinal_that_disagrees_with_the_computed_anniversary(make_project):
    root = make_project({
        "content/anniversaries.yaml": "victory-day-1945:\n  title: Victory Day\n  date: 1946-05-09\n",
        "content/events/parade.yaml": PARADE.format(date="2015-05-09", quote=FULL),
    })
    assert diagnostics(root) == [  # the minimal project lists '70 years since' in 'other_dates'
        ("content/events/parade.yaml:7:12: warning: the quote says '70 years since', but the "
        "event is the 69th anniversary of 'victory-day-1945'\n    hint: check the event's "
        "date and 'commemorates'"),
    ]


def test_coverage_yaml_explains_uncited_phrases_and_other_dates(make_project):
    root = make_project({
        "content/events/parade.yaml": PARADE.format(date="2015-05-10", quote=FULL),
        "content/anniversaries.yaml": "victory-day-1945:\n  title: Victory Day\n  date: 1946-05-09\n",
        "content/coverage.yaml": """\
            other_dates:
              - event: parade
                source: s1
                anchor: p1-s1
                phrase: on Saturday
                reason: Test.
              - event: parade
                source: s1
                anchor: p1-s1
                phrase: 70 years since
                reason: Test.
            """,
    })
    assert [d for d in diagnostics(root) if "resolves to" in d] == []


def test_an_uncited_entry_silences_the_coverage_warning(make_project):
    root = make_project({**SHORT, "content/coverage.yaml": """\
        uncited:
          - source: s1
            anchor: p1-s1
            phrase: 70 years since
            reason: Counts back to the war's end, which the anniversary records.
        """})
    assert diagnostics(root) == []


def test_entries_that_match_nothing_are_errors(make_project):
    root = make_project({**SHORT, "content/coverage.yaml": """\
        uncited:
          - source: s11
            anchor: p1-s1
            phrase: on Saturday
            reason: x
          - source: s1
            anchor: p1-s1
            phrase: on Sunday
            reason: x
          - source: s1
            anchor: p2-s1
            phrase: on Saturday
            reason: x
        other_dates:
          - event: parades
            source: s1
            anchor: p1-s1
            phrase: on Saturday
            reason: x
        """})
    assert diagnostics(root) == [
        "content/coverage.yaml:2:5: error: unknown source 's11'\n    hint: did you mean 's1'?",
        ("content/coverage.yaml:6:5: error: no date phrase 'on Sunday' in s1 p1-s1\n"
        "    hint: date phrases there: 'on Saturday', '70 years since'"),
        ("content/coverage.yaml:10:5: error: no date phrase 'on Saturday' in s1 p2-s1\n"
        "    hint: run 'paradetimeline mentions' to list them"),
        ("content/coverage.yaml:15:5: error: unknown event 'parades'\n"
        "    hint: did you mean 'parade'?"),
        UNCOVERED_70,
    ]


def test_entries_that_explain_nothing_are_warnings(make_project):
    """The parade's quote stops before '70 years since'."""
    root = make_project({**SHORT, "content/coverage.yaml": """\
        uncited:
          - source: s1
            anchor: p1-s1
            phrase: on Saturday
            reason: x
        other_dates:
          - event: parade
            source: s1
            anchor: p1-s1
            phrase: 70 years since
            reason: x
        """})
    assert diagnostics(root) == [
        ("content/coverage.yaml:2:5: warning: 'on Saturday' (p1-s1) is cited by parade; "
        "this entry explains nothing\n    hint: remove the entry"),
        ("content/coverage.yaml:7:5: warning: '70 years since' (p1-s1) is in no quote of "
        "event 'parade'; this entry explains nothing\n    hint: remove the entry"),
        UNCOVERED_70,
    ]


def test_a_phrase_listed_in_other_dates_never_dates_its_event(make_project):
    """Even one that falls on the event's date: then the event needs another, or a note."""
    root = make_project({**SHORT, "content/coverage.yaml": """\
        uncited:
          - source: s1
            anchor: p1-s1
            phrase: 70 years since
            reason: x
        other_dates:
          - event: parade
            source: s1
            anchor: p1-s1
            phrase: on Saturday
            reason: x
        """})
    assert diagnostics(root) == [
        ("content/events/parade.yaml:2:7: warning: no date phrase the quotes hold falls on "
        "2015-05-09\n    hint: quote the words that date it, or say how the date was found "
        "in 'date_note:' (shown on the event's page)")]
    build_site(root)
    assert "Dated by" not in (root / "site/events/parade.html").read_text()


def test_coverage_yaml_is_checked_like_any_record_file(make_project):
    root = make_project({**SHORT, "content/coverage.yaml": """\
        uncited:
          - source: s1
            anchor: p1-s1
            phrase: 70 years since
            reson: x
        """})
    assert diagnostics(root) == [  # an error: coverage is not checked until it is fixed
        "content/coverage.yaml:5:5: error: unknown key 'reson'\n    hint: did you mean 'reason'?",
    ]


def test_strict_builds_fail_on_coverage_warnings(make_project, tmp_path):
    with pytest.raises(ContentError):
        build_site(make_project(SHORT), tmp_path / "out", strict=True)
    found = build_site(make_project(SHORT), tmp_path / "out").diagnostics
    assert UNCOVERED_70 in [d.format() for d in found]


def test_a_quote_of_sentences_without_date_phrases_is_not_located_again(make_project,
                                                                       monkeypatch):
    import paradetimeline.check.coverage as coverage
    import paradetimeline.check.mentions as mentions

    located: list[str] = []
    for module in (coverage, mentions):
        original = module.quote_spans
        monkeypatch.setattr(module, "quote_spans", lambda article, quote, original=original: (
            located.append(quote), original(article, quote))[1])
    boycott = "Western leaders boycotted the Moscow parade over Russia's role in the Ukraine crisis."
    event = PARADE.format(date="2015-05-09\n    date_note: As the parade's.", quote=boycott)
    root = make_project({"content/events/boycott.yaml": event})
    assert diagnostics(root) == []
    assert located and boycott not in located  # the parade's quote holds phrases: located


def test_an_event_no_quoted_phrase_dates_needs_a_date_note(make_project):
    boycott = "Western leaders boycotted the Moscow parade over Russia's role in the Ukraine crisis."
    root = make_project({"content/events/boycott.yaml": PARADE.format(date="2015-05-09",
                                                                      quote=boycott)})
    assert diagnostics(root) == [
        "content/events/boycott.yaml:2:7: warning: no date phrase the quotes hold falls on "
        "2015-05-09\n    hint: quote the words that date it, or say how the date was found in "
        "'date_note:' (shown on the event's page)"]
