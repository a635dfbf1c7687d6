"""Drafting help from the articles: the sentence `new event --from SOURCE#ANCHOR` drafts
from, and `paradetimeline suggest`, every date phrase that no event cites yet, each with the
command that would draft it."""

from __future__ import annotations

import itertools
import re
from typing import TextIO

from ..check.mentions import dated_article, format_phrase, mentions_by_source
from ..check.phrases import Mention, scan_article
from ..check.references import MIN_QUOTE_WORDS
from ..dates import DateError, EventDate, parse_edtf
from ..errors import UsageError
from ..model import Timeline, names
from .event import Sentence


def find_source(timeline: Timeline, wanted: str) -> str:
    """A source id from an id or an unambiguous prefix of one ('001')."""
    if wanted in timeline.sources:
        return wanted
    found = [s for s in sorted(timeline.sources) if s.startswith(wanted)]
    if len(found) != 1:
        known = ", ".join(sorted(timeline.sources)) or "none yet: add one with 'new source FILE'"
        raise UsageError(f"source '{wanted}' is {'ambiguous' if found else 'unknown'} "
                         f"(sources: {known})")
    return found[0]


def drafted_from(timeline: Timeline, reference: str, date: str | None = None) -> Sentence:
    """The sentence 'SOURCE#p4-s1' names, with the date, people and places a draft takes:
    the date of its first phrase that resolves to one; with a `date`, the phrase that
    resolves to it, if any (else the draft quotes the whole sentence)."""
    source_id, anchor = reference.partition("#")[::2]
    if not source_id or not anchor:
        raise UsageError(f"--from '{reference}' must be SOURCE#ANCHOR, such as 001#p4-s1 "
                         "(paradetimeline suggest lists them)")
    source_id = find_source(timeline, source_id)
    source = timeline.sources[source_id]
    text = next((s.text for s in source.article.sentences() if s.anchor == anchor), None)
    if text is None:
        count = len(source.article.paragraphs)
        raise UsageError(f"{source_id} has no sentence '{anchor}' (its sentences are p1-s1 to "
                         f"p{count}-s…; 'paradetimeline mentions {source_id}' lists the dated ones)")
    mentions = [m for m in scan_article(dated_article(source)) if m.anchor == anchor]
    wanted = _date(date)
    single = next((m for m in mentions if _single(m) and (wanted is None or m.dates[0] == wanted)),
                  None)
    others = [m for m in mentions if m is not single and m.dates != (single.dates if single else ())]
    return Sentence(
        source=source_id, anchor=anchor, text=text,
        quote=clause_around(text, single, others) if single else text,
        date=single.dates[0] if single else None, phrase=single.phrase if single else None,
        other_phrases=tuple(f'"{m.phrase}" -> {m.resolution}' for m in mentions if m is not single),
        people=tuple(p.id for p in sorted(timeline.people.values(), key=lambda p: p.id)
                     if p.named_in(text)),
        places=tuple(p.id for p in sorted(timeline.places.values(), key=lambda p: p.id)
                     if names(text, p.name)))


def _date(text: str | None) -> EventDate | None:
    try:
        return parse_edtf(text) if text is not None else None
    except DateError:
        return None  # new_event says why


def clause_around(text: str, phrase: Mention, others: list[Mention]) -> str:
    """The part of a sentence that holds `phrase` but none of the `others` (phrases dating
    something else), cut at commas and semicolons; the whole sentence if no such part is
    long enough to quote. 'The bridge will close on Monday, September 23, the council said
    on Tuesday.' -> 'The bridge will close on Monday, September 23'."""
    if not others:
        return text
    cuts = [0, *(m.end() for m in re.finditer(r"[,;] ", text)), len(text)]
    pieces = list(itertools.pairwise(cuts))
    inside = [n for n, (a, b) in enumerate(pieces) if a < phrase.end and phrase.start < b]
    first, last = inside[0], inside[-1]

    def clear(n: int) -> bool:
        a, b = pieces[n]
        return not any(a < m.end and m.start < b for m in others)

    if not all(clear(n) for n in range(first, last + 1)):
        return text
    while first > 0 and clear(first - 1):
        first -= 1
    while last + 1 < len(pieces) and clear(last + 1):
        last += 1
    quote = text[pieces[first][0]:pieces[last][1]].rstrip(",; ")
    return quote if len(quote.split()) >= MIN_QUOTE_WORDS else text


def write_suggestions(timeline: Timeline, source: str | None, out: TextIO) -> int:
    """`paradetimeline suggest [SOURCE]`: each date phrase no event or anniversary cites,
    with the command that drafts an event from its sentence. Returns how many."""
    by_source = mentions_by_source(timeline)
    if source is not None:
        wanted = find_source(timeline, source)
        by_source = {wanted: by_source[wanted]}
    count = 0
    for mentions in by_source.values():
        drafted: dict[str, Mention] = {}  # the phrase whose date `--from` takes, by sentence
        for mention in mentions:
            if _single(mention):
                drafted.setdefault(mention.anchor, mention)
        for mention in mentions:
            if not mention.cited_by and not mention.anniversaries:
                out.write(_suggestion(mention, drafted.get(mention.anchor) is mention))
                count += 1
    return count


def _single(mention: Mention) -> bool:
    return len(mention.dates) == 1 and not mention.candidates


def _suggestion(mention: Mention, drafted: bool) -> str:
    """The phrase, and the command: with `--date` unless `--from` takes this phrase's date."""
    command = f"paradetimeline new event --from {mention.source}#{mention.anchor}"
    if not drafted:
        command += f" --date {mention.dates[0].edtf()}" if _single(mention) else " --date DATE"
    return f"{mention.source} {format_phrase(mention)}\n    {command}\n"
