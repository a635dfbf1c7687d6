"""Date phrases in the articles ("on Monday", "late 2012", "9 May"), found and resolved
against the article's own date.

Readers and curators need to see *when* each sentence says something happened, not just that
an event quotes it. A relative phrase only means something against the article's publication
date: "said on Monday" in an article of Monday 11 May 2015 is that day, "set to participate on
Friday" in one of Tuesday 6 May 2025 is the Friday after. Rules, and nothing cleverer:

- A month or day without a year ("Sept. 3", "in September") is in the publication's year,
  as news style writes dates of the current year.
- A weekday takes its direction from the nearest tense cue in its clause ("said" points back,
  "is set to" forward). When no cue decides it, both candidates are given, never a guess.
- A phrase that needs a date the article does not state stays unresolved, and says so.
- A date after "every" ("once every decade on Oct. 1") recurs: it has no single date.

Resolution uses python-dateutil's relativedelta and weekdays; no clock is ever read.
"""


from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta  # type: ignore[import-untyped]

from ..dates import EventDate, PartialDate
from ..model import Article
from ..read.articles import MONTH_NUMBERS
from .resolve import (
    DAY_NAMES,
    Match,
    Published,
    Resolution,
    Tense,
    checked_day,
    clause_tense,
    date_between,
    day_of,
    no_day,
    one_date,
    partial_date,
    recurs,
    step_words,
    weekday_date,
)

Kind = Literal["absolute", "relative"]

@dataclass(frozen=True)
class Mention:
    """One date phrase in one sentence, resolved (or not) against the article's date.

    `dates` is empty when unresolved. Several dates are either each meant ("2005 and 2010")
    or, when `candidates` is true, alternatives the text does not decide between.
    `cited_by` and `anniversaries` name the records whose quote includes the phrase; they are
    filled by `mentions_by_source`, not by `find_mentions`.
    """

    source: str
    anchor: str  # the sentence, 'p4-s1'
    phrase: str  # as written: 'on Saturday'
    start: int  # offset of the phrase in the sentence's text
    kind: Kind
    tense: Tense  # the cue a weekday was resolved by; '' where the phrase needs none
    dates: tuple[EventDate, ...]
    candidates: bool
    note: str  # how it was resolved, or why it could not be
    cited_by: tuple[str, ...] = ()
    anniversaries: tuple[str, ...] = ()

    @property
    def end(self) -> int:
        return self.start + len(self.phrase)

    @property
    def resolved(self) -> bool:
        return bool(self.dates)

    @property
    def resolution(self) -> str:
        """EDTF text: '2015-05-09', '2005, 2010', '2015-05-08 or 2015-05-15', 'unresolved'."""
        if not self.dates:
            return "unresolved"
        return (" or " if self.candidates else ", ").join(d.edtf() for d in self.dates)


# -- finding phrases -----------------------------------------------------------------------

_YEAR = r"(?<![\d.,])(?:1[5-9]|20)\d\d(?![\d%]|\s?percent|-[a-z])"
_FULL_MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
                "November|December")
_MONTH = rf"(?:{_FULL_MONTHS}|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|" \
         r"Nov\.|Dec\.)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_WEEKDAY_NAMES = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_WEEKDAYS = {"monday": MO, "tuesday": TU, "wednesday": WE, "thursday": TH, "friday": FR,
             "saturday": SA, "sunday": SU}
_UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}

Resolver = Callable[[Match, Published, str], Resolution]
Needs = tuple[tuple[str, ...], ...]
_RULES: list[tuple[re.Pattern[str], Kind, Resolver, Needs]] = []


def _rule(pattern: str, kind: Kind, needs: Needs, flags: int = 0
          ) -> Callable[[Resolver], Resolver]:
    """Register a phrase pattern; rules registered first win where matches overlap.

    `needs` is what every match of the pattern contains, lowercased: from each group, one
    of its words. A sentence without them is not searched. Most sentences hold no date
    phrase at all, and a search costs ten times the check: at 10,000 events the scan of
    53,000 sentences took 1.9 s."""
    def register(resolve: Resolver) -> Resolver:
        _RULES.append((re.compile(pattern, flags), kind, resolve, needs))
        return resolve
    return register


_YEAR_DIGITS = ("1", "2")  # a _YEAR begins 15-19 or 20
_DAY_DIGITS = tuple("123456789")  # a _DAY holds one of these, in ASCII
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")  # of _MONTH, lowercased
_MONTH_NAMES = tuple(_FULL_MONTHS.lower().split("|"))


def find_mentions(article: Article) -> list[Mention]:
    """Every date phrase of the article, in reading order, resolved against its date."""
    return list(_scan(article))




Mentions = tuple[Mention, ...]


def scan_article(article: Article) -> Mentions:
    """Every date phrase of the article, found anew: what `kept_mentions` keeps."""
    return _scan(article)


@functools.cache
def _scan(article: Article) -> tuple[Mention, ...]:
    """Cached in the process too, for a second ask (the provenance page's, say)."""
    mentions = []
    for sentence in article.sentences():
        taken: list[tuple[int, int]] = []
        found = []
        lowered = sentence.text.lower()
        for pattern, kind, resolve, needs in _RULES:
            if not _holds(lowered, needs):
                continue
            for match in pattern.finditer(sentence.text):
                start, end = match.span("phrase")
                if any(start < e and s < end for s, e in taken):
                    continue
                taken.append((start, end))
                dates, candidates, note, tense = resolve(match, article.published, sentence.text)
                found.append(Mention(article.id, sentence.anchor, match["phrase"], start, kind,
                                     tense, dates, candidates, note))
        mentions.extend(sorted(found, key=lambda m: m.start))
    return tuple(mentions)


def _holds(lowered: str, needs: Needs) -> bool:
    """Whether `lowered` has a word of each group of `needs` (loops: twice as fast as any()
    and all() over generators, run 13 times a sentence)."""
    for group in needs:
        for word in group:
            if word in lowered:
                break
        else:
            return False
    return True


# -- the rules, most specific first --------------------------------------------------------

@_rule(rf"(?:[Ff]rom )?(?P<phrase>(?P<a>{_YEAR}) (?:to|until) (?P<b>{_YEAR}))", "absolute",
       needs=(_YEAR_DIGITS, (" to ", " until ")))
def _year_range(m: Match, published: Published, text: str) -> Resolution:
    return (date_between(PartialDate(int(m["a"])), PartialDate(int(m["b"]))),), False, \
        "a span of years", ""


@_rule(rf"(?P<phrase>(?P<a>{_YEAR}) and (?P<b>{_YEAR}))", "absolute",
       needs=(_YEAR_DIGITS, (" and ",)))
def _year_pair(m: Match, published: Published, text: str) -> Resolution:
    return (one_date(PartialDate(int(m["a"]))), one_date(PartialDate(int(m["b"])))), False, \
        "two years, each meant", ""


_PART_OF_YEAR = {"early": (1, 6, "the first half"), "mid": (4, 9, "the middle months"),
                 "late": (7, 12, "the second half")}


@_rule(rf"\b(?P<phrase>(?P<part>[Ee]arly|[Mm]id|[Ll]ate)[- ](?P<y>{_YEAR}))", "absolute",
       needs=(_YEAR_DIGITS, ("early", "mid", "late")))
def _part_of_year(m: Match, published: Published, text: str) -> Resolution:
    first, last, words = _PART_OF_YEAR[m["part"].lower()]
    year = int(m["y"])
    return (date_between(PartialDate(year, first), PartialDate(year, last)),), False, \
        f"'{m['part'].lower()}' read as {words} of the year", ""


@_rule(rf"\b(?P<phrase>(?:(?:on )?(?P<wd>{_WEEKDAY_NAMES}),? )?"
       rf"(?:(?P<m1>{_MONTH}) (?P<d1>{_DAY})|(?P<d2>{_DAY}) (?P<m2>{_MONTH}))"
       rf"(?:,? (?P<y>{_YEAR}))?)(?![\d])", "absolute", needs=(_DAY_DIGITS, _MONTH_STEMS))
def _month_day(m: Match, published: Published, text: str) -> Resolution:
    """'Sept. 3', '9 May 2015', 'Monday, September 23': a weekday before a date is part of
    it (not a phrase of its own), and must fall on it."""
    month = MONTH_NUMBERS[(m["m1"] or m["m2"]).rstrip(".")]
    day = int(m["d1"] or m["d2"])
    if recurs(text, m.start("phrase")):
        return (), False, "recurring ('every'): no single date", ""
    if m["y"]:
        found = checked_day(int(m["y"]), month, day, "the year is stated")
    elif published is None:
        return (), False, "no year stated, and the article states no date", ""
    else:
        found = checked_day(published.year, month, day, "no year stated: the publication's year")
    if m["wd"] and found[0]:
        named, date = m["wd"].capitalize(), found[0][0].anchor.first_day()
        if DAY_NAMES[date.weekday()] != named:
            return (), False, f"{named}, but {weekday_date(date)} is not one: the text " \
                "contradicts itself", ""
    return found


@_rule(rf"\b(?P<phrase>(?:in )?(?P<mon>{_FULL_MONTHS}) (?P<y>{_YEAR}))", "absolute",
       needs=(_YEAR_DIGITS, _MONTH_NAMES))
def _month_year(m: Match, published: Published, text: str) -> Resolution:
    return (one_date(PartialDate(int(m["y"]), MONTH_NUMBERS[m["mon"]])),), False, \
        "the year is stated", ""


@_rule(rf"\b(?P<phrase>in (?P<a>{_FULL_MONTHS})|(?P<b>{_FULL_MONTHS.replace('May|', '')}))\b"
       r"(?! \d)", "absolute", needs=(_MONTH_NAMES,))
def _month(m: Match, published: Published, text: str) -> Resolution:
    month = MONTH_NUMBERS[m["a"] or m["b"]]
    if published is None:
        return (), False, "no year stated, and the article states no date", ""
    return (one_date(PartialDate(published.year, month)),), False, \
        "no year stated: the publication's year", ""


# ASCII: with Unicode case folding, 'ſunday' (a long s) matched, and no weekday is called that.
@_rule(rf"\b(?P<phrase>(?:(?P<prep>on|last|next|this) )?(?P<wd>{_WEEKDAY_NAMES}))\b",
       "relative", needs=(("day",),),
       flags=re.IGNORECASE | re.ASCII)
def _weekday(m: Match, published: Published, text: str) -> Resolution:
    prep = (m["prep"] or "on").lower()
    tense: Tense
    if prep in ("last", "next"):
        tense, cue = ("past" if prep == "last" else "future"), prep
    else:
        tense, cue = clause_tense(text, m.start("phrase"), m.end("phrase"))
    if recurs(text, m.start("phrase")):
        return (), False, "recurring ('every'): no single date", tense
    day = day_of(published)
    if day is None:
        cue_words = f"{tense} ({cue!r})" if cue else "tense undecided"
        return (), False, f"{cue_words}; {no_day(published)}", tense
    weekday = _WEEKDAYS[m["wd"].lower()]
    before, after = day + relativedelta(weekday=weekday(-1)), day + relativedelta(weekday=weekday(+1))
    name, today = m["wd"].capitalize(), weekday_date(day)
    if tense == "past":
        return (one_date(partial_date(before)),), False, f"the {name} on or before {today} ({cue!r})", tense
    if tense == "future":
        return (one_date(partial_date(after)),), False, f"the {name} on or after {today} ({cue!r})", tense
    if before == after:
        return (one_date(partial_date(before)),), False, f"the article's own day, {today}", tense
    return (one_date(partial_date(before)), one_date(partial_date(after))), True, \
        f"the {name} before or after {today}: no tense cue decides", tense


@_rule(r"\b(?P<phrase>(?:(?P<side>[Ll]ater|[Ee]arlier) )?[Tt]his week)\b", "relative",
       needs=(("week",),))
def _this_week(m: Match, published: Published, text: str) -> Resolution:
    day = day_of(published)
    if day is None:
        return (), False, no_day(published), ""
    monday, sunday = day + relativedelta(weekday=MO(-1)), day + relativedelta(weekday=SU(+1))
    side = (m["side"] or "").lower()
    if side == "later":
        if day == sunday:
            return (), False, "the article is dated on the last day of its week", ""
        first, last, words = day + relativedelta(days=1), sunday, "after the article's day"
    elif side == "earlier":
        if day == monday:
            return (), False, "the article is dated on the first day of its week", ""
        first, last, words = monday, day - relativedelta(days=1), "before the article's day"
    else:
        first, last, words = monday, sunday, "Monday to Sunday"
    return (date_between(partial_date(first), partial_date(last)),), False, \
        f"the article's week ({words})", ""


@_rule(r"\b(?P<phrase>(?:(?P<the>[Tt]he )(?:past|last)|(?P<which>[Ll]ast|[Nn]ext)) week)\b",
       "relative", needs=(("week",),))
def _week(m: Match, published: Published, text: str) -> Resolution:
    day = day_of(published)
    if day is None:
        return (), False, no_day(published), ""
    if m["the"]:
        return (date_between(partial_date(day - relativedelta(weeks=1)), partial_date(day)),), False, \
            "the seven days up to the article's day", ""
    step = -1 if m["which"].lower() == "last" else 1
    monday = day + relativedelta(weekday=MO(-1), weeks=step)
    return (date_between(partial_date(monday), partial_date(monday + relativedelta(days=6))),), False, \
        f"the {'previous' if step < 0 else 'following'} week, Monday to Sunday", ""


@_rule(r"\b(?P<phrase>(?P<which>[Ll]ast|[Tt]his|[Nn]ext) (?P<unit>month|year))\b", "relative",
       needs=(("month", "year"),))
def _this_or_last(m: Match, published: Published, text: str) -> Resolution:
    step = {"last": -1, "this": 0, "next": 1}[m["which"].lower()]
    if published is None or (m["unit"] == "month" and published.month is None):
        return (), False, no_day(published, "month" if m["unit"] == "month" else "year"), ""
    if m["unit"] == "year":
        return (one_date(PartialDate(published.year + step)),), False, \
            f"{step_words(step, 'year')} {published.year}", ""
    month = dt.date(published.year, published.month or 1, 1) + relativedelta(months=step)
    return (one_date(PartialDate(month.year, month.month)),), False, \
        f"{step_words(step, 'month')} {PartialDate(published.year, published.month).display()}", ""


@_rule(r"\b(?P<phrase>(?P<n>\d{1,3}) (?P<unit>year|month|week|day)s? (?P<way>since|ago))\b",
       "relative", needs=(("since", "ago"),))
def _count_back(m: Match, published: Published, text: str) -> Resolution:
    n, unit = int(m["n"]), m["unit"]
    if published is None:
        return (), False, "the article states no date to count back from", ""
    if unit == "year":
        return (one_date(PartialDate(published.year - n)),), False, \
            f"{n} years before {published.year}", ""
    day = day_of(published)
    if day is None:
        return (), False, no_day(published), ""
    back = day - relativedelta(**{_UNITS[unit]: n})
    point = partial_date(back) if unit in ("day", "week") else PartialDate(back.year, back.month)
    return (one_date(point),), False, f"{n} {unit}s before {weekday_date(day)}", ""


@_rule(r"\b(?P<phrase>[Yy]esterday|[Tt]oday|[Tt]omorrow)\b", "relative",
       needs=(("day", "tomorrow"),))
def _near_day(m: Match, published: Published, text: str) -> Resolution:
    day = day_of(published)
    if day is None:
        return (), False, no_day(published), ""
    step = {"yesterday": -1, "today": 0, "tomorrow": 1}[m["phrase"].lower()]
    return (one_date(partial_date(day + relativedelta(days=step))),), False, \
        f"{step_words(step, 'day')} {weekday_date(day)}", ""


@_rule(rf"\b(?P<phrase>(?:in )?(?P<y>{_YEAR}))", "absolute", needs=(_YEAR_DIGITS,))
def _year(m: Match, published: Published, text: str) -> Resolution:
    return (one_date(PartialDate(int(m["y"]))),), False, "the year is stated", ""
