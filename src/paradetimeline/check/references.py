"""References and quotes: every id an event names is defined, every quote is in its article.

`Checker` resolves what a file states against everything that was read; it reports into a
`Diagnostics` and returns the record with its quotes' anchors and its anniversary filled in.
"""

from __future__ import annotations

import copy
import dataclasses
import re

from ..dates import anniversary_number
from ..errors import Diagnostics, Location, did_you_mean
from ..model import (
    Anniversary,
    Article,
    Citation,
    Commemoration,
    Event,
    Person,
    Place,
    SiteConfig,
    Source,
    Tag,
    normalize,
)
from ..plain import MemoryCache, TextCache, digest, dumps, key_of
from ..read.articles import across_paragraphs, find_quote, nearest_sentence
from .mentions import quote_spans

REF_FILES = {"person": "content/people.yaml", "place": "content/places.yaml",
             "anniversary": "content/anniversaries.yaml", "tag": "content/tags.yaml"}
# The kinds whose folder has a list page, FOLDER/index.html (see render/plan.py): a record of
# that kind with the id 'index' would overwrite it.
LIST_PAGES = {"person": "people", "place": "places", "source": "sources", "tag": "tags"}
RESERVED_ID = "index"
MIN_QUOTE_WORDS = 4  # a shorter quote ("the", "on Friday") proves nothing
# Words that hedge or look ahead, and words that report: a quote that only hedges does not
# show that something happened; one that reports a statement ("X said Y will") does show
# that the statement did.
HEDGES = re.compile(r"\b(is set to|are set to|will|would|expected|could|likely|plans?)\b")
# A headline's own hedges: 'Xi to visit Moscow', 'Putin may attend', 'a parade is planned'.
TITLE_HEDGES = re.compile(r"\b(to [a-z]+|may|might|planned|proposed|invited|possible|probable)\b")
REPORTS = re.compile(r"\b(said|says|confirmed|announced|told|stated|reported|according to)\b")


def reserved(kind: str) -> str:
    """The message for a record of `kind` whose id would overwrite its folder's list page."""
    return f"'{RESERVED_ID}' is reserved for the list of {LIST_PAGES[kind]}; choose another id"


Found = tuple[tuple[str, ...], str] | None  # what `find_quote` returns


class Checker:
    """Resolves references and quotes against everything that was read. Where a quote was
    found in its article is kept in `cache`, under a digest of the article and the quote."""

    def __init__(self, diagnostics: Diagnostics, sources: dict[str, Source],
                 people: dict[str, Person], places: dict[str, Place],
                 anniversaries: dict[str, Anniversary], broken: dict[str, set[str]],
                 cache: TextCache | None = None, tags: dict[str, Tag] | None = None):
        self.d = diagnostics
        self.sources, self.people, self.places = sources, people, places
        self.anniversaries = anniversaries
        self.tags = tags  # None: no content/tags.yaml, so any tag may be used
        self.broken = broken
        self.cache: TextCache = cache or MemoryCache()
        self.article_keys: dict[str, str] = {}  # source id -> `key_of` its article

    def caching_in(self, cache: TextCache) -> Checker:
        """The same checker, keeping quotes in `cache`."""
        other = copy.copy(self)
        other.cache = cache
        return other

    def reporting_to(self, diagnostics: Diagnostics) -> Checker:
        """The same checker, reporting into `diagnostics`."""
        other = copy.copy(self)
        other.d = diagnostics
        return other

    def ref(self, kind: str, value: str, known, loc: Location | None) -> bool:  # type: ignore[no-untyped-def]
        """Whether `value` names a known record; reports it if not (once, with a hint)."""
        if value in known:
            return True
        broken = self.broken.get(kind, set())
        if value in broken or "*" in broken:
            return False  # its definition already has an error
        hint = did_you_mean(value, known)
        if hint is None and kind == "source":
            hint = f"a source is a seed file, and there is no 'seeds/{value}.txt'"
        elif hint is None:
            hint = f"define '{value}' in {REF_FILES[kind]}, or check the spelling"
        self.d.error(loc or Location("?"), f"unknown {kind} '{value}'", hint)
        return False

    def citation(self, citation: Citation) -> Citation:
        source = self.sources.get(citation.source)
        if not self.ref("source", citation.source, self.sources, citation.where.get("source")):
            return citation
        assert source is not None
        words = len(citation.quote.split())
        if words < MIN_QUOTE_WORDS:
            self.d.error(citation.where["quote"], f"a quote of {words} word"
                         f"{'' if words == 1 else 's'} proves nothing",
                         f"quote at least {MIN_QUOTE_WORDS} words: the sentence, or the part "
                         "of it, that states the event")
            return citation
        found = self._quote(citation.source, source.article, citation.quote)
        if found is None:
            self.d.error(citation.where["quote"], f"quote not found in source '{citation.source}'",
                         self._not_found_hint(source.article, citation.quote))
            return citation
        anchors, how = found
        before, after = _cuts(source.article, citation.quote)
        return dataclasses.replace(citation, anchors=anchors, match=how, cut_before=before,
                                   cut_after=after)

    def _not_found_hint(self, article: Article, quote: str) -> str:
        """Why a quote was not found, as near as can be told: it is another source's, it
        runs across paragraphs, or it differs from a sentence in a word or a character."""
        for other in self.sources.values():
            if other.article is not article and (found := find_quote(other.article, quote)):
                return f"it is in source '{other.id}' ({', '.join(found[0])}): cite that one"
        spans = across_paragraphs(article, quote)
        if spans is not None:
            return (f"it runs from paragraph {spans[0]} into {spans[1]}; a quote lies inside "
                    "one paragraph: cite each part as a quote of its own")
        nearest = nearest_sentence(article, quote)
        return f"nearest sentence is {nearest}" if nearest else "quote the article word for word"

    def _quote(self, source_id: str, article: Article, quote: str) -> Found:
        """`find_quote(article, quote)`, kept (a digest of an article is made once)."""
        article_key = self.article_keys.get(source_id)
        if article_key is None:
            article_key = self.article_keys[source_id] = key_of(article)
        key = digest(article_key, quote)
        kept = self.cache.get("quote", key)
        if kept is not None:
            found: Found = self.cache.decode(Found, kept)
            return found
        found = find_quote(article, quote)
        self.cache.put("quote", key, dumps(found))
        return found

    def anniversary(self, anniversary: Anniversary) -> Anniversary:
        sources = tuple(self.citation(c) for c in anniversary.sources)
        return dataclasses.replace(anniversary, sources=sources)

    def event(self, event: Event) -> Event:
        w = event.where
        for n, person in enumerate(event.people):
            self.ref("person", person, self.people, w.get(f"people.{n}"))
        for n, place in enumerate(event.places):
            self.ref("place", place, self.places, w.get(f"places.{n}"))
        for n, tag in enumerate(event.tags):
            if tag == RESERVED_ID:
                self.d.error(w.get(f"tags.{n}") or Location(event.path), reserved("tag"))
            elif self.tags is not None:
                self.ref("tag", tag, self.tags, w.get(f"tags.{n}"))
        number = None
        if event.commemorates and self.ref("anniversary", event.commemorates, self.anniversaries,
                                           w.get("commemorates")):
            reference = self.anniversaries[event.commemorates]
            number = anniversary_number(reference.date, event.date)
            if number is None:
                self.d.error(w["commemorates"], f"event on {event.date.display()} cannot "
                             f"commemorate '{event.commemorates}' ({reference.date.display()})",
                             "a commemoration comes after what it commemorates")
        sources = tuple(self.citation(c) for c in event.sources)
        if sources:
            self._hedged(event, sources)
        return dataclasses.replace(event, sources=sources, anniversary=number)

    def _hedged(self, event: Event, sources: tuple[Citation, ...]) -> None:
        """Where every quote hedges or looks ahead, and none reports a statement: a warning
        for a status of 'happened', and for a title that states as done what they hedge
        (one with no hedge of its own, nor a headline's 'to march')."""
        words: list[str] = []
        for citation in sources:
            quote = normalize(citation.quote).lower()
            found = HEDGES.findall(quote)
            if not found or REPORTS.search(quote):
                return
            words += [w for w in found if w not in words]
        hedging = ", ".join(f"'{w}'" for w in words)
        if event.status == "happened":
            self.d.warning(event.where.get("status") or Location(event.path),
                           f"status 'happened', but every quote hedges or looks ahead ({hedging})",
                           "make it 'planned' or 'expected', or quote a sentence that reports "
                           "it happened")
        title = normalize(event.title).lower()
        if not HEDGES.search(title) and not TITLE_HEDGES.search(title):
            self.d.warning(event.where.get("title") or Location(event.path),
                           f"the title states as done what every quote hedges ({hedging})",
                           "say it as the quotes do: 'X to visit Y', 'X expected at Y', 'X plans Y'")

    def tag_spelling(self, events: list[Event], named: set[str]) -> None:
        """Without declared tags, a tag that one event alone uses and that is close to an
        established one (used by more events, or `named` by the site's compare rows) is a
        warning: a typo, `parad` beside `parade`, must not silently make a tag."""
        users: dict[str, list[Event]] = {}
        for event in events:
            for tag in event.tags:
                users.setdefault(tag, []).append(event)
        established = named | {tag for tag, found in users.items() if len(found) > 1}
        for tag, found in users.items():
            if tag in established or (hint := did_you_mean(tag, established)) is None:
                continue
            event = found[0]
            where = event.where.get(f"tags.{event.tags.index(tag)}") or Location(event.path)
            self.d.warning(where, f"tag '{tag}' is used by no other event",
                           f"{hint} To make a new tag, declare the tags in content/tags.yaml "
                           "('parade: {label: Parades}')")

    def commemorations(self, config: SiteConfig) -> tuple[Commemoration, ...]:
        out = []
        for n, (year, anniversary_id) in enumerate(config.commemorations):
            if self.ref("anniversary", anniversary_id, self.anniversaries,
                        config.where.get(f"commemorations.{n}")):
                number = year - self.anniversaries[anniversary_id].date.year
                out.append(Commemoration(year, anniversary_id, number))
        return tuple(sorted(out, key=lambda c: c.year))


def _cuts(article: Article, quote: str) -> tuple[bool, bool]:
    """Whether words (not just punctuation) of the quote's first sentence come before it,
    and of its last sentence after it."""
    spans = quote_spans(article, quote)
    if not spans:  # not found: nothing to show
        return False, False
    texts = {s.anchor: normalize(s.text) for s in article.sentences() if s.anchor in spans}
    first, last = next(iter(spans)), list(spans)[-1]
    return (any(c.isalnum() for c in texts[first][:spans[first][0]]),
            any(c.isalnum() for c in texts[last][spans[last][1]:]))
