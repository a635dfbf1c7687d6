"""Dates: the EDTF subset, display at precision, sort order, anniversaries.

Examples pin what a reader sees; hypothesis properties pin the rules for every input.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from paradetimeline.dates import (
    DateError,
    EventDate,
    PartialDate,
    anniversary_number,
    ordinal,
    parse_edtf,
    parse_partial,
)


@pytest.mark.parametrize("text, shown", [
    ("2015", "2015"),
    ("2015-05", "May 2015"),
    ("2015-05-09", "9 May 2015"),
    ("2015-05~", "about May 2015"),
    ("2015?", "2015 (uncertain)"),
    ("2015%", "about 2015 (uncertain)"),
    ("2015-05-07/2015-05-10", "7–10 May 2015"),
    ("2015-04-30/2015-05-02", "30 April – 2 May 2015"),
    ("2015-04/2015-06", "April–June 2015"),
    ("2014/2015", "2014–2015"),
    ("2015-05/2015-05-09", "May 2015 – 9 May 2015"),
    ("2015-05-07~/2015-05-10", "about 7 May 2015 – 10 May 2015"),
    ("../2015-05-08", "before 9 May 2015"),
    ("2015-05-10/..", "after 9 May 2015"),
    ("../2015-12", "before January 2016"),
    ("2015-09/2015-09", "September 2015"),
])
def test_display_at_the_precision_given(text: str, shown: str) -> None:
    assert parse_edtf(text).display() == shown


def test_a_month_never_becomes_its_first_day() -> None:
    date = parse_edtf("2015-05")
    assert date.display() == "May 2015"
    assert date.datetime_attr() == "2015-05"
    assert (date.first_day(), date.last_day()) == (dt.date(2015, 5, 1), dt.date(2015, 5, 31))


@pytest.mark.parametrize("text", ["../2015-05-08", "2015-05-10/.."])
def test_an_open_interval_claims_no_day_for_html_time(text: str) -> None:
    # 'before 9 May 2015' is anchored on 8 May for sorting, a day the date does not claim
    assert parse_edtf(text).datetime_attr() is None


def test_a_closed_interval_is_timed_at_its_start() -> None:
    assert parse_edtf("2015-04-29/2015-05-06").datetime_attr() == "2015-04-29"


@pytest.mark.parametrize("text, message, hint", [
    ("2015-02-30", "'2015-02-30' is not a real date: February 2015 has 28 days", None),
    ("2016-02-30", "'2016-02-30' is not a real date: February 2016 has 29 days", None),
    ("2015-13", "'2015-13' has month 13; months run from 01 to 12", None),
    ("2015-00-01", "'2015-00-01' has month 0; months run from 01 to 12", None),
    ("0000", "'0000' has year 0, which the calendar does not have", None),
    ("May 2015", "'May 2015' is not a date",
     "write YYYY, YYYY-MM or YYYY-MM-DD, optionally ending in ~ (approximate) or ? (uncertain)"),
    ("15-05-09", "'15-05-09' is not a date",
     "write YYYY, YYYY-MM or YYYY-MM-DD, optionally ending in ~ (approximate) or ? (uncertain)"),
    ("2015-05-10/2015-05-07", "interval '2015-05-10/2015-05-07' ends before it starts",
     "did you mean '2015-05-07/2015-05-10'?"),
    ("../..", "'../..' leaves both ends of the interval open",
     "give at least one end, e.g. '../2015-05-08' for 'before 9 May 2015'"),
    ("2015/2016/2017", "'2015/2016/2017' has more than one '/'", "an interval is START/END"),
    ("", "'' is not a date",
     "write YYYY, YYYY-MM or YYYY-MM-DD, optionally ending in ~ (approximate) or ? (uncertain)"),
])
def test_bad_dates_say_what_is_wrong(text: str, message: str, hint: str | None) -> None:
    with pytest.raises(DateError) as caught:
        parse_edtf(text)
    assert (caught.value.message, caught.value.hint) == (message, hint)


def test_an_interval_where_one_date_is_expected() -> None:
    with pytest.raises(DateError) as caught:
        parse_partial("2013/2018")
    assert caught.value.message == "'2013/2018' is an interval; a single date is expected here"


@pytest.mark.parametrize("text", ["٢٠١٥", "2015\n", "２０１５", " 2015"])
def test_only_ascii_digits_and_nothing_around_them(text: str) -> None:
    with pytest.raises(DateError):
        parse_partial(text)


def test_a_one_day_interval_is_that_day() -> None:
    assert parse_edtf("2015-05-09/2015-05-09") == parse_edtf("2015-05-09")


def test_open_intervals_keep_their_open_end() -> None:
    before = parse_edtf("../2015-05-08")
    assert before.start is None and before.first_day() is None
    assert before.anchor == PartialDate(2015, 5, 8)
    assert before.contains(dt.date(1900, 1, 1)) and not before.contains(dt.date(2015, 5, 9))


def test_display_at_the_edges_of_the_calendar() -> None:
    assert parse_edtf("../9999-12-31").display() == "by 31 December 9999"
    assert parse_edtf("0001-01-01/..").display() == "from 1 January 1"
    assert parse_edtf("9999-12-31/..").display() == "after 30 December 9999"
    assert parse_edtf("../9999").display() == "by 9999"
    assert parse_edtf("0001-01/..").display() == "from January 1"


def test_sorting_mixed_precisions() -> None:
    texts = ["2015-05-09", "2015", "2015-05", "2015-05-07/2015-05-10", "../2015-05-08",
             "2015-05-09/..", "2014-12-31"]
    ordered = sorted(texts, key=lambda t: parse_edtf(t).sort_key())
    assert ordered == ["2014-12-31", "2015", "2015-05", "2015-05-07/2015-05-10",
                       "../2015-05-08", "2015-05-09", "2015-05-09/.."]


@pytest.mark.parametrize("number, text", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"),
                                          (11, "11th"), (12, "12th"), (13, "13th"),
                                          (21, "21st"), (70, "70th"), (80, "80th"),
                                          (101, "101st"), (111, "111th"), (112, "112th")])
def test_ordinal(number: int, text: str) -> None:
    assert ordinal(number) == text


def test_anniversaries_count_years() -> None:
    victory = PartialDate(1945, 5, 9)
    assert anniversary_number(victory, parse_edtf("2015-05-09")) == 70
    assert anniversary_number(victory, parse_edtf("2025-05")) == 80
    assert anniversary_number(victory, parse_edtf("1945-09-03")) is None
    assert anniversary_number(victory, parse_edtf("1944")) is None


# -- properties ---------------------------------------------------------------------------

@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    day = draw(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    return PartialDate(day.year, day.month if precision != "year" else None,
                       day.day if precision == "day" else None,
                       draw(st.booleans()), draw(st.booleans()))


@st.composite
def event_dates(draw: st.DrawFn) -> EventDate:
    a, b = draw(partial_dates()), draw(partial_dates())
    kind = draw(st.sampled_from(["point", "interval", "open-start", "open-end"]))
    if kind == "point":
        return EventDate(a, a)
    if kind == "open-start":
        return EventDate(None, a)
    if kind == "open-end":
        return EventDate(a, None)
    start, end = sorted([a, b], key=lambda p: (p.first_day(), p.last_day()))
    assume(start.first_day() <= end.last_day() and start != end)
    return EventDate(start, end)


@given(partial_dates())
def test_partial_format_then_parse_is_the_identity(point: PartialDate) -> None:
    assert parse_partial(point.edtf()) == point


@given(event_dates())
def test_event_format_then_parse_is_the_identity(date: EventDate) -> None:
    assert parse_edtf(date.edtf()) == date


@given(event_dates())
def test_display_never_raises_and_is_text(date: EventDate) -> None:
    shown = date.display()
    assert shown and "None" not in shown


@given(event_dates(), event_dates())
def test_sorting_follows_the_calendar(a: EventDate, b: EventDate) -> None:
    if a.anchor.first_day() < b.anchor.first_day():
        assert a.sort_key() < b.sort_key()


@given(st.lists(event_dates(), max_size=8), st.randoms())
def test_sort_order_is_total_and_independent_of_input_order(dates: list[EventDate],
                                                            rnd) -> None:  # type: ignore[no-untyped-def]
    """Keys of every mix of precisions and open ends compare (no None inside), and with the
    id as the final tie-break the order does not depend on the order things were read in."""
    items = [(date.sort_key(), f"e{n}") for n, date in enumerate(dates)]
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert sorted(shuffled) == sorted(items)


@given(st.text())
@example("2015-02-29")
@example("../..")
@example("2015-05-09/")
@example("/")
@example("9999-12-31/..")
@example("2015-1٣")
def test_no_input_raises_anything_but_date_error(text: str) -> None:
    for parse in (parse_edtf, parse_partial):
        try:
            parsed = parse(text)
        except DateError as exc:
            assert exc.message
        else:
            assert parsed.display()


@given(st.from_regex(r"\A[0-9./~?%-]{1,25}\Z"))
def test_date_shaped_noise_raises_only_date_error(text: str) -> None:
    with contextlib.suppress(DateError):
        parse_edtf(text).display()
