"""Which events and anniversaries cite each date phrase of the articles (phrases.py finds
them), kept per article between builds; and the `mentions` command that lists them all.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import TextIO

from ..dates import PartialDate
from ..errors import UsageError
from ..model import Article, Citation, Event, Source, Timeline, normalize
from ..plain import TextCache, dumps, key_of, loads
from ..workers import can_fork, in_workers
from .phrases import Mention, Mentions, scan_article
from .resolve import DAY_NAMES

MENTIONS_STEP = "mentions"  # kept by `key_of` the article: they depend on nothing else


def kept_mentions(articles: list[Article], cache: TextCache, jobs: int = 1) -> list[Mentions]:
    """The mentions of each article: kept in `cache` by `key_of` the article, or found anew
    (in `jobs` forked processes, when many are new)."""
    keys = [cache.remember(("key_of", a), partial(key_of, a)) for a in articles]  # serve's, once
    held = cache.get_many(MENTIONS_STEP, keys)
    kept = [held.get(key) for key in keys]
    found = [None if text is None else cache.decode(Mentions, text) for text in kept]
    todo = [n for n, text in enumerate(kept) if text is None]
    if can_fork(jobs, len(todo), PARALLEL_MIN_ARTICLES):
        texts = [text for part in in_workers(
            lambda start, stop: [dumps(scan_article(articles[n])) for n in todo[start:stop]],
            len(todo), jobs) for text in part]
        for n, text in zip(todo, texts):
            cache.put(MENTIONS_STEP, keys[n], text)
            found[n] = loads(Mentions, text)
    for n in todo:
        if found[n] is None:
            found[n] = scan_article(articles[n])
            cache.put(MENTIONS_STEP, keys[n], dumps(found[n]))
    return [f for f in found if f is not None]


PARALLEL_MIN_ARTICLES = 200  # fewer to scan: starting processes costs more than it saves


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
    articles = [dated_article(timeline.sources[source_id]) for source_id in ids]
    found = dict(zip(ids, kept_mentions(articles, cache, jobs) if cache is not None
                     else map(scan_article, articles)))
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


def dating_phrases(event: Event, timeline: Timeline) -> tuple[Mention, ...]:
    """The date phrases the event's quotes include that fall on its date and that
    coverage.yaml does not list as dating something else: how it is dated, which its page
    shows. They depend on its quotes, their articles and coverage.yaml alone."""
    found: dict[tuple[str, str, int], Mention] = {}
    for citation in event.sources:
        source = timeline.sources.get(citation.source)
        if source is None or not citation.anchors:
            continue
        mentions = [m for m in scan_article(dated_article(source))
                    if m.anchor in citation.anchors and any(d.overlaps(event.date) for d in m.dates)
                    and (event.id, m.source, m.anchor, m.phrase) not in timeline.other_dates]
        spans = quote_spans(source.article, citation.quote) if mentions else {}
        for mention in mentions:
            if quoted(mention, spans):
                found.setdefault((mention.source, mention.anchor, mention.start), mention)
    return tuple(found.values())


def dated_article(source: Source) -> Article:
    """The article with the date its phrases count from: its own, or else the one its
    metadata gives (`published:`), so that 'on Tuesday' resolves either way."""
    article = source.article
    if article.published is None and source.published is not None:
        return dataclasses.replace(article, published=source.published)
    return article


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
    return (f"{mention.source} {format_phrase(mention)} cited by: "
            f"{', '.join(citers) if citers else '-'}")


def format_phrase(mention: Mention) -> str:
    """'p4-s1 "on Saturday" -> 2015-05-09 [how it was resolved]'."""
    return f"{mention.anchor} \"{mention.phrase}\" -> {mention.resolution} [{mention.note}]"


def _published(published: PartialDate | None) -> str:
    if published is None:
        return "unknown"
    if published.precision == "day":
        return f"{published.iso()} ({DAY_NAMES[published.first_day().weekday()]})"
    return published.iso()
