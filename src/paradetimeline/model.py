"""The timeline model: frozen dataclasses, built by the loader, read by the renderer.

No parsing and no I/O here. `where` fields remember the file, line and column each value came
from, so checks made after loading (references, quotes) can still point at the right place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from .dates import EventDate, PartialDate, ordinal
from .errors import Location, Where

STATUSES = ("happened", "planned", "announced", "expected", "reported")
Status = Literal["happened", "planned", "announced", "expected", "reported"]
_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "„": '"',
                              "\u00a0": " "})


def normalize(text: str) -> str:
    """Whitespace collapsed and typographic quotes made plain, for quote matching."""
    return " ".join(text.translate(_TYPOGRAPHIC).split())


# -- articles -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sentence:
    anchor: str  # 'p3-s2'
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    anchor: str  # 'p3'
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        """The paragraph as the seed has it (its sentences, one space apart), made when
        asked: held as well as the sentences, it was 6.6 MB of every process's memory at
        10,000 events, for one quote lookup in each."""
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True, slots=True)
class Caption:
    text: str
    credit: str | None = None


@dataclass(frozen=True)
class Article:
    """What the seed text itself states; anything it does not state is None."""

    id: str
    headline: str | None
    byline: str | None
    published: PartialDate | None
    url: str | None
    captions: tuple[Caption, ...]
    paragraphs: tuple[Paragraph, ...]
    removed: tuple[str, ...]  # boilerplate taken out, for the provenance report

    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for p in self.paragraphs for s in p.sentences)

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        """Hashed once, not once per lookup: `serve` looks every article up every round."""
        return hash((self.id, self.headline, self.byline, self.published, self.url,
                     self.captions, self.paragraphs, self.removed))

    @cached_property
    def normalized(self) -> tuple[tuple[str, ...], ...]:
        """Each paragraph's sentences with whitespace and typographic quotes normalized
        (see `normalize`), computed once: every quote lookup compares against these."""
        return tuple(tuple(normalize(s.text) for s in p.sentences) for p in self.paragraphs)

    @cached_property
    def normalized_paragraphs(self) -> tuple[str, ...]:
        """Each paragraph as its normalized sentences joined by one space."""
        return tuple(" ".join(sentences) for sentences in self.normalized)


@dataclass(frozen=True)
class SourceMeta:
    """A curator's metadata file for one seed (content/sources/<id>.yaml)."""

    id: str
    headline: str | None = None
    publisher: str | None = None
    byline: str | None = None
    published: PartialDate | None = None
    url: str | None = None
    boilerplate: tuple[str, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()  # (field, why it is unknown or where it came from)
    where: Where = field(default_factory=Where, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Source:
    """An article merged with its metadata; `origin` says where each field came from."""

    id: str
    article: Article
    headline: str | None
    publisher: str | None
    byline: str | None
    published: PartialDate | None
    url: str | None
    origin: tuple[tuple[str, str], ...]  # (field, 'article' | 'metadata')
    notes: tuple[tuple[str, str], ...]

    @property
    def title(self) -> str:
        """A label for links: the headline, or an honest stand-in when none is stated."""
        return self.headline or f"Untitled article ({self.id})"

    @property
    def label(self) -> str:
        """A short citation label: publisher and date, each honestly marked when unknown,
        and the publisher marked as the curator's when the article does not name it."""
        publisher = self.publisher or "Unnamed publisher"
        if self.publisher and not self.publisher_stated:
            publisher += " (named by the curator)"
        return f"{publisher}, {self.published.display() if self.published else 'undated'}"

    @cached_property  # asked by every citation label: the article is read once
    def publisher_stated(self) -> bool:
        """Whether the article itself names its publisher, in its byline, headline or
        text: one it does not name (say, from a banner the capture caught) is the
        curator's word, and is labelled as such wherever it is shown."""
        if not self.publisher:
            return False
        name = self.publisher.casefold()
        texts = (self.article.byline, self.article.headline, *(s.text for s in self.article.sentences()))
        return any(name in text.casefold() for text in texts if text)

    def origin_of(self, name: str) -> str | None:
        return dict(self.origin).get(name)

    def note_for(self, name: str) -> str | None:
        return dict(self.notes).get(name)


# -- curated records ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Role:
    title: str
    start: PartialDate | None = None
    end: PartialDate | None = None


def names(text: str, name: str) -> bool:
    """Whether `text` holds `name` as words of its own ('Xi' in "Xi's", not in 'Xiamen')."""
    return bool(name) and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    native_names: tuple[tuple[str, str], ...] = ()  # (language tag, name)
    country: str | None = None
    roles: tuple[Role, ...] = ()
    description: str | None = None
    note: str | None = None  # where the curator's own fields (`curated`) come from
    where: Where = field(default_factory=Where, compare=False, hash=False, repr=False)

    @property
    def curated(self) -> tuple[str, ...]:
        """What the record says that no article states: the curator's, labelled as such."""
        return tuple(label for label, given in (("native names", self.native_names),
                                                ("country", self.country)) if given)

    def named_in(self, text: str) -> bool:
        """Whether `text` names the person: by full name, a native name, or one part of the
        name alone ('Xi', 'Putin': which part is the family name depends on the name)."""
        parts = [word for word in self.name.split() if len(word) > 1]
        return any(names(text, name) for name in (self.name, *(n for _, n in self.native_names), *parts))


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    kind: str
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    note: str | None = None  # where the curator's own fields (`curated`) come from
    where: Where = field(default_factory=Where, compare=False, hash=False, repr=False)

    @property
    def curated(self) -> tuple[str, ...]:
        """What the record says that no article states: the curator's, labelled as such."""
        return tuple(label for label, given in (
            ("city", self.city), ("country", self.country),
            ("coordinates", self.lat is not None and self.lon is not None)) if given)


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag declared in content/tags.yaml: its label is what pages show."""

    id: str
    label: str
    description: str | None = None
    where: Where = field(default_factory=Where, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Citation:
    source: str
    quote: str
    anchors: tuple[str, ...] = ()  # sentence anchors the quote spans, filled by the loader
    match: str = ""  # 'exact' or 'normalized', filled by the loader
    cut_before: bool = False  # whether words of its first sentence come before the quote
    cut_after: bool = False  # whether words of its last sentence come after it
    where: Where = field(default_factory=Where, compare=False, hash=False, repr=False)

    @property
    def anchor(self) -> str:
        return self.anchors[0] if self.anchors else ""

    @property
    def shown(self) -> str:
        """The quote as pages show it: an ellipsis where words of its sentences were cut."""
        return f"{'…' if self.cut_before else ''}{self.quote}{'…' if self.cut_after else ''}"


@dataclass(frozen=True, slots=True)
class Anniversary:
    """A reference event that commemorations count from (e.g. Victory Day, 9 May 1945)."""

    id: str
    title: str
    date: PartialDate
    description: str | None = None
    sources: tuple[Citation, ...] = ()
    date_note: str | None = None  # the curator's word on a date no quote gives
    where: Where = field(default_factory=Where, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    title: str
    date: EventDate
    status: Status
    path: str
    summary: str | None = None
    body: str | None = None  # Markdown, rendered and sanitized at render time
    commemorates: str | None = None
    anniversary: int | None = None  # computed from `commemorates`, never typed
    places: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[Citation, ...] = ()
    draft: bool = False
    date_note: str | None = None  # the curator's word on a date no quoted phrase gives
    where: Where = field(default_factory=Where, compare=False, hash=False, repr=False)

    @property
    def anniversary_label(self) -> str | None:
        return ordinal(self.anniversary) if self.anniversary else None

    def sort_key(self) -> tuple[tuple[int, int, int, int], str]:
        return (self.date.sort_key(), self.id)


def listed(names: tuple[str, ...]) -> str:
    """'city, country and coordinates': names in running text."""
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


@dataclass(frozen=True)
class CoverageEntry:
    """One entry of content/coverage.yaml: a date phrase no record cites ('uncited'), or,
    with `event`, one that event quotes and that dates something else ('other_dates')."""

    source: str
    anchor: str
    phrase: str
    reason: str
    event: str | None
    where: Location

    def key(self) -> tuple[str | None, str, str, str]:
        return (self.event, self.source, self.anchor, self.phrase)


@dataclass(frozen=True)
class Commemoration:
    """A year of commemorations shown as an era: 2015 is the 70th anniversary of 1945."""

    year: int
    anniversary: str
    number: int  # computed: year - the anniversary's year

    @property
    def label(self) -> str:
        return f"{ordinal(self.number)} anniversary"


@dataclass(frozen=True)
class CompareRow:
    tag: str
    label: str


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    language: str = "en"
    base_url: str | None = None
    license: str | None = None
    full_text: bool = False  # republish the articles' full text on source pages
    commemorations: tuple[tuple[int, str], ...] = ()  # (year, anniversary id)
    compare: tuple[CompareRow, ...] = ()
    where: Where = field(default_factory=Where, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Timeline:
    """Everything the renderer needs, checked and sorted."""

    config: SiteConfig
    events: tuple[Event, ...]
    people: dict[str, Person]
    places: dict[str, Place]
    sources: dict[str, Source]
    anniversaries: dict[str, Anniversary]
    commemorations: tuple[Commemoration, ...]
    tags: dict[str, Tag] = field(default_factory=dict)  # declared ones; {} without tags.yaml
    published: tuple[str, ...] = ()  # the files of content/static/, copied to the site as they are
    coverage: tuple[CoverageEntry, ...] = ()  # content/coverage.yaml

    @cached_property
    def other_dates(self) -> frozenset[tuple[str | None, str, str, str]]:
        """The keys of the date phrases that coverage.yaml says an event's quotes hold but
        that date something else: they neither date the event nor disagree with it."""
        return frozenset(x.key() for x in self.coverage if x.event is not None)
