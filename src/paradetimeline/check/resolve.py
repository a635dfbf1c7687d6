"""What the date phrase rules (phrases.py) share: the tense cues of a phrase's clause,
which decide which way a weekday points, and the dates and notes a rule returns."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from ..dates import EventDate, PartialDate

Tense = Literal["past", "future", "undecided", ""]
Match = re.Match[str]
Published = PartialDate | None
Resolution = tuple[tuple[EventDate, ...], bool, str, Tense]  # dates, candidates, note, tense

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


def clause_tense(text: str, start: int, end: int) -> tuple[Tense, str]:
    """Past or future by the nearest tense cue in the phrase's clause, and the cue itself.

    A fronted phrase ("On Sunday, RIA cited ...") takes its tense from the next clause.
    """
    left = max((c.end() for c in _CLAUSE_END.finditer(text, 0, start)), default=0)
    right_match = _CLAUSE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    if not text[left:start].strip() and not text[end:right].strip(". ") and right_match:
        following = _CLAUSE_END.search(text, right + 1)
        return first_cue(text, right + 1, following.start() if following else len(text))
    before = tense_cues(text, left, start)
    if before:
        return before[-1][1], before[-1][2]
    return first_cue(text, end, right)


def first_cue(text: str, left: int, right: int) -> tuple[Tense, str]:
    cues = tense_cues(text, left, right)
    return (cues[0][1], cues[0][2]) if cues else ("undecided", "")


def tense_cues(text: str, left: int, right: int) -> list[tuple[int, Tense, str]]:
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


def recurs(text: str, start: int) -> bool:
    """'once every decade on Oct. 1': a date that recurs rather than happens once."""
    return re.search(r"\b(?:every|each)\b(?:\s+\S+){0,3}\s*$", text[max(0, start - 40):start]) \
        is not None


def checked_day(year: int, month: int, day: int, why: str) -> Resolution:
    try:
        dt.date(year, month, day)
    except ValueError:
        return (), False, f"no such day in {year}", ""
    return (one_date(PartialDate(year, month, day)),), False, why, ""


def day_of(published: PartialDate | None) -> dt.date | None:
    return published.first_day() if published and published.precision == "day" else None


def no_day(published: PartialDate | None, needed: str = "day") -> str:
    if published is None:
        return "the article states no date"
    return f"the article's date is known only to the {published.precision}, not the {needed}"


def partial_date(day: dt.date) -> PartialDate:
    return PartialDate(day.year, day.month, day.day)


def one_date(point: PartialDate) -> EventDate:
    return EventDate(point, point)


def date_between(first: PartialDate, last: PartialDate) -> EventDate:
    return EventDate(first, last) if first != last else one_date(first)


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_date(day: dt.date) -> str:
    """'Monday 11 May 2015', in English whatever the locale."""
    return f"{DAY_NAMES[day.weekday()]} {partial_date(day).display()}"


def step_words(step: int, unit: str) -> str:
    return {-1: f"the {unit} before", 0: f"the article's {unit},", 1: f"the {unit} after"}[step]


