"""Date phrases in the articles ("on Monday", "late 2012", "9 May"), resolved against the
article's own date, and which events cite them.

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

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TextIO

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta  # type: ignore[import-untyped]

from ..dates import EventDate, PartialDate
from ..errors import UsageError
from ..model import Article, Citation, Source, Timeline, normalize
from ..plain import TextCache, dumps, key_of, loads
from ..read.articles import MONTH_NUMBERS
from ..workers import can_fork, in_workers

Kind = Literal["absolute", "relative"]
Tense = Literal["past", "future", "undecided", ""]


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
_WEEKDAYS = {"monday": MO, "tuesday": TU, "wednesday": WE, "thursday": TH, "friday": FR,
             "saturday": SA, "sunday": SU}
_UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}

Match = re.Match[str]
Published = PartialDate | None
Resolution = tuple[tuple[EventDate, ...], bool, str, Tense]  # dates, candidates, note, tense
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


MENTIONS_STEP = "mentions"  # kept by `key_of` the article: they depend on nothing else
Mentions = tuple[Mention, ...]


def kept_mentions(articles: list[Article], cache: TextCache, jobs: int = 1) -> list[Mentions]:
    """The mentions of each article: kept in `cache` by `key_of` the article, or found anew
    (in `jobs` forked processes, when many are new)."""
    keys = [key_of(article) for article in articles]
    held = cache.get_many(MENTIONS_STEP, keys)
    kept = [held.get(key) for key in keys]
    found = [None if text is None else cache.decode(Mentions, text) for text in kept]
    todo = [n for n, text in enumerate(kept) if text is None]
    if can_fork(jobs, len(todo), PARALLEL_MIN_ARTICLES):
        texts = [text for part in in_workers(
            lambda start, stop: [dumps(_scan(articles[n])) for n in todo[start:stop]],
            len(todo), jobs) for text in part]
        for n, text in zip(todo, texts):
            cache.put(MENTIONS_STEP, keys[n], text)
            found[n] = loads(Mentions, text)
    for n in todo:
        if found[n] is None:
            found[n] = _scan(articles[n])
            cache.put(MENTIONS_STEP, keys[n], dumps(found[n]))
    return [f for f in found if f is not None]


PARALLEL_MIN_ARTICLES = 200  # fewer to scan: starting processes costs more than it saves


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
    return (_between(PartialDate(int(m["a"])), PartialDate(int(m["b"]))),), False, \
        "a span of years", ""


@_rule(rf"(?P<phrase>(?P<a>{_YEAR}) and (?P<b>{_YEAR}))", "absolute",
       needs=(_YEAR_DIGITS, (" and ",)))
def _year_pair(m: Match, published: Published, text: str) -> Resolution:
    return (_on(PartialDate(int(m["a"]))), _on(PartialDate(int(m["b"])))), False, \
        "two years, each meant", ""


_PART_OF_YEAR = {"early": (1, 6, "the first half"), "mid": (4, 9, "the middle months"),
                 "late": (7, 12, "the second half")}


@_rule(rf"\b(?P<phrase>(?P<part>[Ee]arly|[Mm]id|[Ll]ate)[- ](?P<y>{_YEAR}))", "absolute",
       needs=(_YEAR_DIGITS, ("early", "mid", "late")))
def _part_of_year(m: Match, published: Published, text: str) -> Resolution:
    first, last, words = _PART_OF_YEAR[m["part"].lower()]
    year = int(m["y"])
    return (_between(PartialDate(year, first), PartialDate(year, last)),), False, \
        f"'{m['part'].lower()}' read as {words} of the year", ""


@_rule(rf"\b(?P<phrase>(?:(?P<m1>{_MONTH}) (?P<d1>{_DAY})|(?P<d2>{_DAY}) (?P<m2>{_MONTH}))"
       rf"(?:,? (?P<y>{_YEAR}))?)(?![\d])", "absolute", needs=(_DAY_DIGITS, _MONTH_STEMS))
def _month_day(m: Match, published: Published, text: str) -> Resolution:
    month = MONTH_NUMBERS[(m["m1"] or m["m2"]).rstrip(".")]
    day = int(m["d1"] or m["d2"])
    if _recurs(text, m.start("phrase")):
        return (), False, "recurring ('every'): no single date", ""
    if m["y"]:
        return _checked_day(int(m["y"]), month, day, "the year is stated")
    if published is None:
        return (), False, "no year stated, and the article states no date", ""
    return _checked_day(published.year, month, day, "no year stated: the publication's year")


@_rule(rf"\b(?P<phrase>(?:in )?(?P<mon>{_FULL_MONTHS}) (?P<y>{_YEAR}))", "absolute",
       needs=(_YEAR_DIGITS, _MONTH_NAMES))
def _month_year(m: Match, published: Published, text: str) -> Resolution:
    return (_on(PartialDate(int(m["y"]), MONTH_NUMBERS[m["mon"]])),), False, \
        "the year is stated", ""


@_rule(rf"\b(?P<phrase>in (?P<a>{_FULL_MONTHS})|(?P<b>{_FULL_MONTHS.replace('May|', '')}))\b"
       r"(?! \d)", "absolute", needs=(_MONTH_NAMES,))
def _month(m: Match, published: Published, text: str) -> Resolution:
    month = MONTH_NUMBERS[m["a"] or m["b"]]
    if published is None:
        return (), False, "no year stated, and the article states no date", ""
    return (_on(PartialDate(published.year, month)),), False, \
        "no year stated: the publication's year", ""


# ASCII: with Unicode case folding, 'ſunday' (a long s) matched, and no weekday is called that.
@_rule(r"\b(?P<phrase>(?:(?P<prep>on|last|next|this) )?(?P<wd>Monday|Tuesday|Wednesday|"
       r"Thursday|Friday|Saturday|Sunday))\b", "relative", needs=(("day",),),
       flags=re.IGNORECASE | re.ASCII)
def _weekday(m: Match, published: Published, text: str) -> Resolution:
    prep = (m["prep"] or "on").lower()
    tense: Tense
    if prep in ("last", "next"):
        tense, cue = ("past" if prep == "last" else "future"), prep
    else:
        tense, cue = _tense(text, m.start("phrase"), m.end("phrase"))
    if _recurs(text, m.start("phrase")):
        return (), False, "recurring ('every'): no single date", tense
    day = _day_of(published)
    if day is None:
        cue_words = f"{tense} ({cue!r})" if cue else "tense undecided"
        return (), False, f"{cue_words}; {_no_day(published)}", tense
    weekday = _WEEKDAYS[m["wd"].lower()]
    before, after = day + relativedelta(weekday=weekday(-1)), day + relativedelta(weekday=weekday(+1))
    name, today = m["wd"].capitalize(), _weekday_date(day)
    if tense == "past":
        return (_on(_partial(before)),), False, f"the {name} on or before {today} ({cue!r})", tense
    if tense == "future":
        return (_on(_partial(after)),), False, f"the {name} on or after {today} ({cue!r})", tense
    if before == after:
        return (_on(_partial(before)),), False, f"the article's own day, {today}", tense
    return (_on(_partial(before)), _on(_partial(after))), True, \
        f"the {name} before or after {today}: no tense cue decides", tense


@_rule(r"\b(?P<phrase>(?:(?P<side>[Ll]ater|[Ee]arlier) )?[Tt]his week)\b", "relative",
       needs=(("week",),))
def _this_week(m: Match, published: Published, text: str) -> Resolution:
    day = _day_of(published)
    if day is None:
        return (), False, _no_day(published), ""
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
    return (_between(_partial(first), _partial(last)),), False, \
        f"the article's week ({words})", ""


@_rule(r"\b(?P<phrase>(?:(?P<the>[Tt]he )(?:past|last)|(?P<which>[Ll]ast|[Nn]ext)) week)\b",
       "relative", needs=(("week",),))
def _week(m: Match, published: Published, text: str) -> Resolution:
    day = _day_of(published)
    if day is None:
        return (), False, _no_day(published), ""
    if m["the"]:
        return (_between(_partial(day - relativedelta(weeks=1)), _partial(day)),), False, \
            "the seven days up to the article's day", ""
    step = -1 if m["which"].lower() == "last" else 1
    monday = day + relativedelta(weekday=MO(-1), weeks=step)
    return (_between(_partial(monday), _partial(monday + relativedelta(days=6))),), False, \
        f"the {'previous' if step < 0 else 'following'} week, Monday to Sunday", ""


@_rule(r"\b(?P<phrase>(?P<which>[Ll]ast|[Tt]his|[Nn]ext) (?P<unit>month|year))\b", "relative",
       needs=(("month", "year"),))
def _this_or_last(m: Match, published: Published, text: str) -> Resolution:
    step = {"last": -1, "this": 0, "next": 1}[m["which"].lower()]
    if published is None or (m["unit"] == "month" and published.month is None):
        return (), False, _no_day(published, "month" if m["unit"] == "month" else "year"), ""
    if m["unit"] == "year":
        return (_on(PartialDate(published.year + step)),), False, \
            f"{_step_words(step, 'year')} {published.year}", ""
    month = dt.date(published.year, published.month or 1, 1) + relativedelta(months=step)
    return (_on(PartialDate(month.year, month.month)),), False, \
        f"{_step_words(step, 'month')} {PartialDate(published.year, published.month).display()}", ""


@_rule(r"\b(?P<phrase>(?P<n>\d{1,3}) (?P<unit>year|month|week|day)s? (?P<way>since|ago))\b",
       "relative", needs=(("since", "ago"),))
def _count_back(m: Match, published: Published, text: str) -> Resolution:
    n, unit = int(m["n"]), m["unit"]
    if published is None:
        return (), False, "the article states no date to count back from", ""
    if unit == "year":
        return (_on(PartialDate(published.year - n)),), False, \
            f"{n} years before {published.year}", ""
    day = _day_of(published)
    if day is None:
        return (), False, _no_day(published), ""
    back = day - relativedelta(**{_UNITS[unit]: n})
    point = _partial(back) if unit in ("day", "week") else PartialDate(back.year, back.month)
    return (_on(point),), False, f"{n} {unit}s before {_weekday_date(day)}", ""


@_rule(r"\b(?P<phrase>[Yy]esterday|[Tt]oday|[Tt]omorrow)\b", "relative",
       needs=(("day", "tomorrow"),))
def _near_day(m: Match, published: Published, text: str) -> Resolution:
    day = _day_of(published)
    if day is None:
        return (), False, _no_day(published), ""
    step = {"yesterday": -1, "today": 0, "tomorrow": 1}[m["phrase"].lower()]
    return (_on(_partial(day + relativedelta(days=step))),), False, \
        f"{_step_words(step, 'day')} {_weekday_date(day)}", ""


@_rule(rf"\b(?P<phrase>(?:in )?(?P<y>{_YEAR}))", "absolute", needs=(_YEAR_DIGITS,))
def _year(m: Match, published: Published, text: str) -> Resolution:
    return (_on(PartialDate(int(m["y"]))),), False, "the year is stated", ""


# -- helpers for the rules -----------------------------------------------------------------

_FUTURE_CUES = re.compile(r"\b(?:will|shall|going to|(?:is|are|was|were|be) (?:set|due|scheduled|"
                          r"expected|planning|poised) to|plans? to|to be held)\b")
_PAST_WORDS = frozenset({
    "said", "told", "spoke", "wrote", "met", "held", "gave", "took", "made", "came", "went",
    "saw", "sent", "led", "began", "won", "lost", "left", "brought", "became", "flew", "was",
    "were", "had", "did",
})  # irregular pasts; regular ones end in -ed
_NOT_PAST = frozenset({"need", "indeed", "speed", "seed", "breed", "proceed", "exceed",
                       "succeed", "hundred", "red", "bed", "embed"})
_WORD = re.compile(r"\b[a-z]+\b")
_CLAUSE_END = re.compile(r"[,;:–—]")


def _tense(text: str, start: int, end: int) -> tuple[Tense, str]:
    """Past or future by the nearest tense cue in the phrase's clause, and the cue itself.

    A fronted phrase ("On Sunday, RIA cited ...") takes its tense from the next clause.
    """
    left = max((c.end() for c in _CLAUSE_END.finditer(text, 0, start)), default=0)
    right_match = _CLAUSE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    if not text[left:start].strip() and not text[end:right].strip(". ") and right_match:
        following = _CLAUSE_END.search(text, right + 1)
        return _first_cue(text, right + 1, following.start() if following else len(text))
    before = _cues(text, left, start)
    if before:
        return before[-1][1], before[-1][2]
    return _first_cue(text, end, right)


def _first_cue(text: str, left: int, right: int) -> tuple[Tense, str]:
    cues = _cues(text, left, right)
    return (cues[0][1], cues[0][2]) if cues else ("undecided", "")


def _cues(text: str, left: int, right: int) -> list[tuple[int, Tense, str]]:
    """(position, tense, words) of every tense cue in text[left:right], in order."""
    part = text[left:right]
    future = [(left + f.start(), f.end() + left, f.group(0)) for f in _FUTURE_CUES.finditer(part)]
    cues: list[tuple[int, Tense, str]] = [(s, "future", w) for s, _, w in future]
    for word in _WORD.finditer(part):
        at, token = left + word.start(), word.group(0)
        if any(s <= at < e for s, e, _ in future):
            continue
        if token in _PAST_WORDS or (token.endswith("ed") and len(token) > 4
                                    and token not in _NOT_PAST):
            cues.append((at, "past", token))
    return sorted(cues)


def _recurs(text: str, start: int) -> bool:
    """'once every decade on Oct. 1': a date that recurs rather than happens once."""
    return re.search(r"\b(?:every|each)\b(?:\s+\S+){0,3}\s*$", text[max(0, start - 40):start]) \
        is not None


def _checked_day(year: int, month: int, day: int, why: str) -> Resolution:
    try:
        dt.date(year, month, day)
    except ValueError:
        return (), False, f"no such day in {year}", ""
    return (_on(PartialDate(year, month, day)),), False, why, ""


def _day_of(published: PartialDate | None) -> dt.date | None:
    return published.first_day() if published and published.precision == "day" else None


def _no_day(published: PartialDate | None, needed: str = "day") -> str:
    if published is None:
        return "the article states no date"
    return f"the article's date is known only to the {published.precision}, not the {needed}"


def _partial(day: dt.date) -> PartialDate:
    return PartialDate(day.year, day.month, day.day)


def _on(point: PartialDate) -> EventDate:
    return EventDate(point, point)


def _between(first: PartialDate, last: PartialDate) -> EventDate:
    return EventDate(first, last) if first != last else _on(first)


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _weekday_date(day: dt.date) -> str:
    """'Monday 11 May 2015', in English whatever the locale."""
    return f"{_DAY_NAMES[day.weekday()]} {_partial(day).display()}"


def _step_words(step: int, unit: str) -> str:
    return {-1: f"the {unit} before", 0: f"the article's {unit},", 1: f"the {unit} after"}[step]


# -- which records cite a phrase -----------------------------------------------------------

def quote_spans(article: Article, quote: str) -> dict[str, tuple[int, int]]:
    """{sentence anchor: (start, end)} of the words a quote covers in each sentence.

    Matching follows `articles.find_quote`: the first paragraph that holds the quote, after
    normalizing whitespace and typographic quotes (which keeps each sentence's length).
    """
    wanted = normalize(quote)
    for paragraph, texts, joined in zip(article.paragraphs, article.normalized,
                                        article.normalized_paragraphs):
        at = joined.find(wanted) if wanted else -1
        if at < 0:
            continue
        spans, offset = {}, 0
        for sentence, text in zip(paragraph.sentences, texts):
            first, last = max(at, offset), min(at + len(wanted), offset + len(text))
            if first < last:
                spans[sentence.anchor] = (first - offset, last - offset)
            offset += len(text) + 1
        return spans
    return {}


def quoted(mention: Mention, spans: dict[str, tuple[int, int]]) -> bool:
    """Whether a citation's quote includes the whole phrase."""
    span = spans.get(mention.anchor)
    return span is not None and span[0] <= mention.start and mention.end <= span[1]


def mentions_by_source(timeline: Timeline, jobs: int = 1, cache: TextCache | None = None
                       ) -> dict[str, list[Mention]]:
    """{source id: its mentions in reading order}, each with `cited_by` (event ids, in
    timeline order) and `anniversaries` (ids) filled: the records whose quote includes it.
    With a `cache`, the mentions found before are taken from it (see `kept_mentions`)."""
    ids = sorted(timeline.sources)
    articles = [timeline.sources[source_id].article for source_id in ids]
    found = dict(zip(ids, kept_mentions(articles, cache, jobs) if cache is not None
                     else map(_scan, articles)))
    events = _citations_by_source([(e.id, e.sources) for e in timeline.events])
    anniversaries = _citations_by_source(
        [(a.id, a.sources) for _, a in sorted(timeline.anniversaries.items())])
    out: dict[str, list[Mention]] = {}
    for source_id in sorted(timeline.sources):
        source = timeline.sources[source_id]
        mentions = found[source_id]
        dated = {m.anchor for m in mentions}
        citing_events = _spans(source, events.get(source_id, []), dated)
        citing_anniversaries = _spans(source, anniversaries.get(source_id, []), dated)
        out[source_id] = [
            dataclasses.replace(
                m,
                cited_by=tuple(i for i, spans in citing_events
                               if any(quoted(m, s) for s in spans)),
                anniversaries=tuple(i for i, spans in citing_anniversaries
                                    if any(quoted(m, s) for s in spans)),
            )
            for m in mentions
        ]
    return out


def without_events(by_source: dict[str, list[Mention]], ids: set[str]
                   ) -> dict[str, list[Mention]]:
    """`mentions_by_source` of the same timeline without the events `ids` (its drafts, say),
    made from what it found with them: those events only drop out of `cited_by`."""
    return {source_id: [m if ids.isdisjoint(m.cited_by) else dataclasses.replace(
                m, cited_by=tuple(i for i in m.cited_by if i not in ids)) for m in mentions]
            for source_id, mentions in by_source.items()}


def _citations_by_source(records: list[tuple[str, tuple[Citation, ...]]]
                         ) -> dict[str, list[tuple[str, list[Citation]]]]:
    """{source id: [(record id, its resolved citations of that source)]}, in record order:
    one pass over all records, instead of one per source."""
    out: dict[str, list[tuple[str, list[Citation]]]] = {}
    for record_id, citations in records:
        mine: dict[str, list[Citation]] = {}
        for citation in citations:
            if citation.anchors:
                mine.setdefault(citation.source, []).append(citation)
        for source_id, cited in mine.items():
            out.setdefault(source_id, []).append((record_id, cited))
    return out


def _spans(source: Source, citing: list[tuple[str, list[Citation]]], dated: set[str]
           ) -> list[tuple[str, list[dict[str, tuple[int, int]]]]]:
    """Each citing record with the spans of its quotes in `source`. A quote's spans lie in
    the sentences it was found in (its anchors): one that holds no date phrase (`dated`)
    can include none, so it is not looked for again."""
    return [(record_id, [quote_spans(source.article, c.quote) for c in citations
                         if dated.intersection(c.anchors)])
            for record_id, citations in citing]


# -- the command ---------------------------------------------------------------------------

def write_mentions(timeline: Timeline, source: str | None, out: TextIO) -> None:
    """`paradetimeline mentions [SOURCE]`: one line per date phrase. SOURCE may be an id or
    an unambiguous prefix of one ('001'); an unknown or ambiguous one is a UsageError."""
    by_source = mentions_by_source(timeline)
    if source is not None:
        by_source = {k: v for k, v in by_source.items() if k == source} or \
            {k: v for k, v in by_source.items() if k.startswith(source)}
        if len(by_source) != 1:
            known = ", ".join(sorted(timeline.sources)) or "none"
            raise UsageError(f"source '{source}' is {'ambiguous' if by_source else 'unknown'}"
                             f" (sources: {known})")
    for source_id, mentions in by_source.items():
        published = timeline.sources[source_id].published
        out.write(f"# {source_id}: published {_published(published)}, "
                  f"{len(mentions)} date phrase{'' if len(mentions) == 1 else 's'}\n")
        out.writelines(format_mention(mention) + "\n" for mention in mentions)


def format_mention(mention: Mention) -> str:
    """'001_… p4-s1 "on Saturday" -> 2015-05-09 [why] cited by: event-id'."""
    citers = [*mention.cited_by, *(f"anniversary:{a}" for a in mention.anniversaries)]
    return (f"{mention.source} {mention.anchor} \"{mention.phrase}\" -> {mention.resolution}"
            f" [{mention.note}] cited by: {', '.join(citers) if citers else '-'}")


def _published(published: PartialDate | None) -> str:
    if published is None:
        return "unknown"
    if published.precision == "day":
        return f"{published.iso()} ({_DAY_NAMES[published.first_day().weekday()]})"
    return published.iso()
