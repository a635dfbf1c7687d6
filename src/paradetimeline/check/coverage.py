"""Corroboration and coverage: do the cited sentences agree with the timeline, and does the
timeline account for every date the articles state?

Two checks, both warnings (so `check --strict` fails until each is fixed or explained):

1. Corroboration. For each citation of an event, the date phrases inside the quoted words
   must overlap the event's date, unless content/coverage.yaml lists them under
   'other_dates' as dating something else ("70 years since" the war's end, "the 1945
   defeat"). An anniversary ordinal inside the quote ("70th anniversary", "70 years
   since") must equal the event's computed anniversary.
2. Coverage. Every date phrase of every article must lie inside some event's or
   anniversary's quote, or be listed in content/coverage.yaml with a reason.

content/coverage.yaml explains what is deliberate:

    uncited:            # date phrases no record cites, and why
      - source: 000_e855b5d6b16dc860
        anchor: p4-s1
        phrase: Oct. 1
        reason: A recurring date (National Day), not something that happened once.
    other_dates:        # phrases an event quotes that date something other than the event
      - event: 2025-05-05-china-announces-pla-participation
        source: 003_966e67b1e78c5366
        anchor: p1-s1
        phrase: on Friday
        reason: Dates the parades announced, not the announcement.

An entry that matches no phrase is an error; one that no longer explains anything is a
warning, so the file cannot quietly go stale.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import Diagnostic, Diagnostics, Location, did_you_mean
from ..model import Article, CoverageEntry, Event, Timeline
from ..plain import TextCache
from .mentions import mentions_by_source, quote_spans, quoted
from .parses import check_context
from .phrases import Mention

Key = tuple[str | None, str, str, str]  # (event or None, source, anchor, phrase)
_ORDINAL = re.compile(r"\b(?P<n>\d{1,3})(?:st|nd|rd|th) anniversary\b|"
                      r"\b(?P<years>\d{1,3}) years since\b")


def check_coverage(timeline: Timeline, root: Path, diagnostics: Diagnostics, jobs: int = 1,
                   cache: TextCache | None = None, digests: dict[str, str] | None = None
                   ) -> dict[str, list[Mention]]:
    """Warn about disagreeing or uncovered date phrases; report bad coverage.yaml entries.
    Articles are scanned for date phrases in `jobs` processes when there are many (and what
    was found is kept in `cache`). Returns the mentions it checked (`mentions_by_source`),
    which the provenance report shows. `digests` (the fingerprint's) lets `serve`
    remember each event's corroboration while its file and the check context stay the same."""
    by_source = mentions_by_source(timeline, jobs, cache)
    explanations = list(timeline.coverage)
    used = _check_entries(explanations, timeline, by_source, diagnostics)  # bad ones count as used
    explained = {x.key() for x in explanations if x.event is not None}
    context = check_context(digests or {})
    for event in timeline.events:
        def corroborate(event: Event = event) -> tuple[set[Key], list[Diagnostic]]:
            found = Diagnostics()
            return _corroborate(event, timeline, by_source, explained, found), found.items

        sha = (digests or {}).get(event.path)
        keys, found = corroborate() if cache is None or sha is None or context is None else \
            cache.remember(("corroborate", event.path, sha, context), corroborate)
        used |= keys
        diagnostics.items.extend(found)
    used |= _uncovered(timeline, by_source, Path(root), explanations, diagnostics)
    for explanation in explanations:
        if explanation.key() not in used:
            _stale(explanation, by_source, diagnostics)
    return by_source


def _check_entries(explanations: list[CoverageEntry], timeline: Timeline,
                   by_source: dict[str, list[Mention]], diagnostics: Diagnostics) -> set[Key]:
    """Report entries that name no real source, sentence, phrase or event; return their keys
    so they are not also reported as explaining nothing."""
    invalid: set[Key] = set()
    events = {e.id for e in timeline.events}
    for x in explanations:
        problem = hint = None
        if x.source not in by_source:
            problem, hint = f"unknown source '{x.source}'", did_you_mean(x.source, by_source)
        elif x.event is not None and x.event not in events:
            problem, hint = f"unknown event '{x.event}'", did_you_mean(x.event, events)
        else:
            in_sentence = [m.phrase for m in by_source[x.source] if m.anchor == x.anchor]
            if x.phrase not in in_sentence:
                problem = f"no date phrase '{x.phrase}' in {x.source} {x.anchor}"
                hint = (f"date phrases there: {', '.join(repr(p) for p in in_sentence)}"
                        if in_sentence else "run 'paradetimeline mentions' to list them")
        if problem:
            invalid.add(x.key())
            diagnostics.error(x.where, problem, hint)
    return invalid


def _corroborate(event: Event, timeline: Timeline, by_source: dict[str, list[Mention]],
                 explained: set[Key], diagnostics: Diagnostics) -> set[Key]:
    """Warn where a quoted date phrase or ordinal disagrees with the event, or where none
    dates it and no `date_note` says how it was dated; return the keys of the explanations
    (`explained`: of 'other_dates') of phrases its quotes hold. Such a phrase dates
    something else: it neither dates the event nor disagrees with it."""
    used: set[Key] = set()
    dates_it = False  # a quoted phrase: one that falls on its date, or one warned about
    for citation in event.sources:
        source = timeline.sources.get(citation.source)
        if source is None or not citation.anchors:
            continue  # the loader has reported it
        where = citation.where.get("quote", Location(event.path))
        # Only a phrase in a sentence the quote was found in (its anchors) can be quoted:
        # a quote without one is not looked for again.
        mentions = [m for m in by_source.get(source.id, []) if m.anchor in citation.anchors]
        spans = quote_spans(source.article, citation.quote) if mentions else {}
        for mention in mentions:
            if not quoted(mention, spans):
                continue
            key = (event.id, mention.source, mention.anchor, mention.phrase)
            if key in explained:
                used.add(key)
            elif mention.dates:  # an unresolved phrase has nothing to disagree with
                dates_it = True
                if not any(d.overlaps(event.date) for d in mention.dates):
                    diagnostics.warning(
                        where, f"'{mention.phrase}' ({mention.anchor}) resolves to "
                        f"{mention.resolution}, outside the event's date {event.date.edtf()}",
                        "fix the date, or add it to 'other_dates' in content/coverage.yaml "
                        "with a reason")
        _ordinals(event, citation.quote, where, diagnostics)
    if not dates_it and event.date_note is None and event.sources:
        diagnostics.warning(event.where.get("date", Location(event.path)),
                            f"no date phrase the quotes hold falls on {event.date.edtf()}", DATE_NOTE_HINT)
    return used


DATE_NOTE_HINT = ("quote the words that date it, or say how the date was found in "
                  "'date_note:' (shown on the event's page)")


def _ordinals(event: Event, quote: str, where: Location, diagnostics: Diagnostics) -> None:
    if event.anniversary is None:
        return  # only a commemoration has an ordinal to disagree with
    for match in _ORDINAL.finditer(quote):
        stated = int(match["n"] or match["years"])
        if stated != event.anniversary:
            diagnostics.warning(
                where, f"the quote says '{match.group(0)}', but the event is the "
                f"{event.anniversary_label} anniversary of '{event.commemorates}'",
                "check the event's date and 'commemorates'")


def _uncovered(timeline: Timeline, by_source: dict[str, list[Mention]], root: Path,
               explanations: list[CoverageEntry], diagnostics: Diagnostics) -> set[Key]:
    """Warn about each phrase no record cites and no entry explains."""
    used: set[Key] = set()
    explained = {x.key() for x in explanations if x.event is None}
    for source_id, mentions in by_source.items():
        locate = _locator(root, timeline.sources[source_id].article)
        for mention in mentions:
            if mention.cited_by or mention.anniversaries:
                continue
            key = (None, source_id, mention.anchor, mention.phrase)
            if key in explained:
                used.add(key)
                continue
            diagnostics.warning(
                locate(mention), f"date phrase '{mention.phrase}' ({mention.anchor}, "
                f"{mention.resolution}) is cited by no event",
                "quote it from the event it dates, or add it to 'uncited' in "
                "content/coverage.yaml with a reason")
    return used


def _stale(x: CoverageEntry, by_source: dict[str, list[Mention]], diagnostics: Diagnostics) -> None:
    if x.event is None:
        citers = next((m.cited_by or m.anniversaries for m in by_source[x.source]
                       if m.anchor == x.anchor and m.phrase == x.phrase), ())
        diagnostics.warning(x.where, f"'{x.phrase}' ({x.anchor}) is cited by "
                            f"{', '.join(citers)}; this entry explains nothing",
                            "remove the entry")
    else:
        diagnostics.warning(x.where, f"'{x.phrase}' ({x.anchor}) is in no quote of event "
                            f"'{x.event}'; this entry explains nothing", "remove the entry")


def _locator(root: Path, article: Article) -> Callable[[Mention], Location]:
    """mention -> its Location in seeds/<id>.txt (line 1 when the sentence cannot be found).

    The parser collapses whitespace, so the seed is collapsed the same way while remembering
    where each kept run of characters came from; sentences are then found in reading order.
    The seed is read only when a first mention needs locating: most sources need none."""
    relpath = f"seeds/{article.id}.txt"
    sentences = {s.anchor: s.text for s in article.sentences()}
    found: dict[str, int] = {}
    cursor = [0]
    seed: list[tuple[str, str, list[int], list[int]]] = []  # (raw, collapsed, starts, origins)

    def read_seed() -> tuple[str, str, list[int], list[int]]:
        if not seed:
            try:
                raw = (root / relpath).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                raw = ""
            pieces: list[str] = []
            starts: list[int] = []  # where each piece starts in the collapsed text
            origins: list[int] = []  # and in the raw text
            length = 0
            for match in re.finditer(r"\S+|\s+", raw):
                piece = match.group()
                if piece[0].isspace():
                    if not pieces or pieces[-1] == " ":
                        continue
                    piece = " "
                starts.append(length)
                origins.append(match.start())
                pieces.append(piece)
                length += len(piece)
            seed.append((raw, "".join(pieces), starts, origins))
        return seed[0]

    def locate(mention: Mention) -> Location:
        raw, text, starts, origins = read_seed()
        if mention.anchor not in found:
            at = text.find(sentences.get(mention.anchor, "\0"), cursor[0])
            found[mention.anchor] = at
            if at >= 0:
                cursor[0] = at
        at = found[mention.anchor]
        if at < 0:
            return Location(relpath)
        collapsed_index = at + mention.start
        piece = bisect.bisect_right(starts, collapsed_index) - 1
        index = origins[piece] + (collapsed_index - starts[piece])
        line = raw.count("\n", 0, index) + 1
        column = index - (raw.rfind("\n", 0, index) + 1) + 1
        return Location(relpath, line, column)

    return locate
