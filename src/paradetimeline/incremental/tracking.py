"""Which events each page reads, so that a rebuild renders only the pages that changed.

While a page renders, the renderer notes every event whose attributes a template reads and
every question a template asks the view (`view.events_with("tag", "parade")`), with a digest
of the answer. A page whose template reads the whole list (`view.years`,
`view.timeline.events`) depends on every event. After a build, `PageRecord` keeps this for
every page.

A later build may reuse a page as it is on disk when the "shared" inputs (templates, people,
places, sources, seeds, site settings, options, the code) are all unchanged, and
  * the page's own context (its event and that event's neighbours, its tag, ...) is the same,
  * every event it read is byte for byte the same file, and
  * every question it asked gets the same answer now.
Anything the record cannot vouch for is rendered again: an unknown value in an answer, an
argument that cannot be looked up again, a damaged or foreign record.

Templates reach events only through attributes and the view, which is what is watched.
Template globals (`event_jsonld`, filters) must depend on nothing but their arguments and
the shared inputs; the bundled ones do.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..frozen import pickled_by_fields
from ..model import Anniversary, Article, Commemoration, Event, Person, Place, SiteConfig, Source, Timeline
from ..render.views import TimelineView
from .pieces import KeptPieces, Spans
from .signing import read_signed, write_signed

FORMAT = b"paradetimeline/page-record@4"
EVENT_FOLDER = "content/events/"
EVENT_SUFFIXES = (".yaml", ".yml")
# Whole-timeline lookups: an answer's digest would cost as much as the answer.
WHOLE_TIMELINE = frozenset({"years", "mentions", "events_by_id", "_index", "_citations",
                            "_by_commemoration_and_tag", "_years_by_number", "warm"})
NOT_A_QUESTION = frozenset({"timeline"})  # the Timeline itself: its `events` are watched
# Lookups whose answer depends on nothing but their arguments (and the shared inputs): a page
# that asks one depends on the events it passes, which is cheaper to note than the question.
OF_ARGUMENTS_ONLY = frozenset({"href", "countries_of", "role_at", "year_of", "people_in"})

# Lookups whose answer is the events that each, by itself, meet a condition on the
# arguments (and the shared records): an event that did not change, and was not in the
# answer, cannot be in it now. So when only some events changed, such an answer is still
# the same if none of them was in it and none of them is in the answer asked of a view of
# just them (see PageRecord.reusable); any other answer is asked again of the whole view.
FILTERS = frozenset({"events_with", "related", "compare_cell", "events_in_year",
                     "cited_sentences", "year_group", "events_named"})

Query = tuple[str, tuple[Any, ...]]  # (view attribute, its arguments as `Ref`s and plain values)
Answer = tuple[str, tuple[str, ...] | None]  # digest, and for a FILTERS lookup its events' ids


class Unknown(Exception):
    """A value the record cannot describe: whatever read it depends on everything."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Ref:
    """An argument that names a record, so that it can be looked up again next build."""

    kind: str
    id: str | int


@dataclass
class Reads:
    events: set[str] = field(default_factory=set)
    queries: set[Query] = field(default_factory=set)
    everything: bool = False

    def merge(self, other: Reads) -> None:
        self.events |= other.events
        self.queries |= other.queries
        self.everything = self.everything or other.everything


@dataclass(frozen=True, slots=True)
class KeptReads:
    """`Reads` as a memo holds them for the rest of a build: tuples, not sets, as a worker
    holds 20,000 of them (10 MB as sets)."""

    events: tuple[str, ...]
    queries: tuple[Query, ...]
    everything: bool = False

    @classmethod
    def of(cls, reads: Reads) -> KeptReads:
        return cls(tuple(reads.events), tuple(reads.queries), reads.everything)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageReads:
    context: str  # digest of the page's own context
    events: tuple[str, ...]
    queries: tuple[Query, ...]
    everything: bool


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def event_keys(timeline: Timeline, files: dict[str, list[Any]], nonce: str) -> dict[str, str]:
    """{event id: digest of its file's path and bytes}. `files` is the build fingerprint's
    {path: [size, mtime, sha256]}; an event whose file is not in it gets a key made with
    `nonce`, which no later build matches."""
    keys = {}
    for event in timeline.events:
        facts = files.get(event.path)
        keys[event.id] = digest(f"{event.path}\0{facts[2] if facts else nonce}")
    return keys


def shared_digest(files: dict[str, list[Any]], options: str, *, templates: bool = True) -> str:
    """Digest of every input but the event files: when it changes, every page may have.
    Without `templates`, of every input but the event files and the templates."""
    parts = [options]
    for name, facts in sorted(files.items()):
        if name.startswith(EVENT_FOLDER) and name.endswith(EVENT_SUFFIXES):
            continue
        if templates or not name.startswith("templates/"):
            parts.append(f"{name}\0{facts[2]}")
    return digest("\n".join(parts))


def everything_digest(timeline: Timeline, keys: dict[str, str]) -> str:
    """Digest of the whole published event list, in order."""
    return digest("\n".join(f"{e.id}\0{keys[e.id]}" for e in timeline.events))


class Tracker:
    """Notes what is read while pages render (see the module docstring)."""

    def __init__(self, keys: dict[str, str], shared: str | None = None, data: str | None = None):
        self.keys = keys
        self.shared = shared  # digest of the shared inputs, if known
        self.data = data  # the same without the templates, if known: see render.Memo
        self.frames: list[Reads] = []
        self.answers: dict[Query, Answer] = {}
        self.view: TimelineView | None = None  # the view pages are rendered with
        self._ids: dict[str, str] | None = None  # see `adopt`
        self._questions: dict[Query, Query] = {}
        self.since: Since | None = None  # what changed since the build a record is of

    def adopt(self, chunk_reads: dict[str, PageReads], chunk_answers: dict[Query, Answer]
               ) -> tuple[dict[str, PageReads], dict[Query, Answer]]:
        """What a worker sent of the pages it rendered, made of this process's objects: each
        message brings its own copy of every event id and question it names (120,000 ids
        at 10,000 events, and 90,000 in the answers), which the build would otherwise hold
        until it ends, and the page record would hold as many times (pickle writes an
        object it met before as a reference, but an equal copy whole)."""
        ids, questions = self._own_ids(), self._questions
        reads = {path: PageReads(r.context, tuple(ids.get(e, e) for e in r.events),
                                 tuple(questions.setdefault(q, q) for q in r.queries),
                                 r.everything)
                 for path, r in chunk_reads.items()}
        return reads, {questions.setdefault(q, q): a if a[1] is None
                       else (a[0], tuple(ids.get(e, e) for e in a[1]))
                       for q, a in chunk_answers.items()}

    def adopt_pieces(self, pieces: KeptPieces) -> KeptPieces:
        """Where a worker's export file holds each event (pieces.py), made of this
        process's event ids and keys, as `adopt` does for reads: each export's spans name
        all 10,000 events, which the page record would otherwise hold once more per file."""
        ids, keys = self._own_ids(), self.keys
        return KeptPieces(pieces.context, {
            path: Spans(tuple(ids.get(i, i) for i in spans.ids),
                        tuple(own if (own := keys.get(i)) == key else key
                              for i, key in zip(spans.ids, spans.keys)), spans.bounds)
            for path, spans in pieces.files.items()})

    def _own_ids(self) -> dict[str, str]:
        """{event id: the string this process holds for it}, made once."""
        if self._ids is None:
            self._ids = {i: i for i in self.keys}
        return self._ids

    def answer_now(self, query: Query) -> Answer | None:
        """What the record keeps of `query`'s answer in this build (see `describe`), noted
        as if a template had asked it; None if it cannot be told. An answer the earlier
        record holds is taken from it when it cannot have changed (see `unchanged`): a
        kept section of the provenance report asks about 12 citations, say, and 1,250
        sections are checked so in a build that added one event."""
        if query not in self.answers:
            if self.view is None:
                return None
            since = self.since
            recorded = since.answers.get(query) if since is not None else None
            if since is not None and recorded is not None \
                    and unchanged(query, recorded, since, self.view, self.keys):
                found: Answer | None = recorded
            else:
                found = _answer(query, self.view, self.view.events_by_id, self)
            if found is None:
                return None
            self.answers[query] = found
        return self.answers[query]

    @contextmanager
    def frame(self) -> Iterator[Reads]:
        """Collect the reads of one page or fragment; they count for the enclosing one too."""
        reads = Reads()
        self.frames.append(reads)
        try:
            yield reads
        finally:
            self.frames.pop()
            if self.frames:
                self.frames[-1].merge(reads)

    def replay(self, reads: Reads | KeptReads) -> None:
        """A fragment rendered earlier is used again: so are its reads."""
        if self.frames:
            frame = self.frames[-1]
            frame.events.update(reads.events)
            frame.queries.update(reads.queries)
            frame.everything = frame.everything or reads.everything

    def read_event(self, event: Event) -> None:
        if self.frames:
            self.frames[-1].events.add(event.id)

    def read_all(self) -> None:
        if self.frames:
            self.frames[-1].everything = True

    def ask(self, view: TimelineView, name: str) -> Any:
        """`view.<name>` for a template: the value, with the question noted."""
        value = getattr(view, name)
        if not self.frames or name in NOT_A_QUESTION:
            return value
        if name in WHOLE_TIMELINE:
            self.read_all()
            return value
        if not callable(value):
            if not self.frames[-1].everything:
                self._note((name, ()), value)
            return value

        def asked(*args: Any, **kwargs: Any) -> Any:
            answer = value(*args, **kwargs)
            if not self.frames or self.frames[-1].everything:
                return answer  # nothing to note, or nothing left to learn: it reads it all
            try:
                if kwargs:
                    raise Unknown(name)
                query = (name, tuple(reference(a) for a in args))
            except Unknown:
                self.read_all()
                return answer
            if name in OF_ARGUMENTS_ONLY:
                self.frames[-1].events.update(_event_ids(query[1]))
            else:
                self._note(query, answer)
            return answer

        return asked

    def _note(self, query: Query, answer: Any) -> None:
        if query not in self.answers:
            try:
                self.answers[query] = describe(query[0], answer, self.keys)
            except Unknown:
                self.read_all()
                return
        self.frames[-1].queries.add(query)

    def page(self, context: dict[str, Any], reads: Reads) -> PageReads:
        context_digest = self.context_digest(context)
        if reads.everything:
            return PageReads(context_digest, (), (), True)
        return PageReads(context_digest, tuple(sorted(reads.events)),
                         tuple(sorted(reads.queries, key=repr)), False)

    def context_digest(self, context: dict[str, Any]) -> str:
        """A digest of a page's own context: `canon` of its sorted items, worked out here
        for the usual values (an event, a name, None), as every rebuild digests the context
        of each of 12,000 pages to tell whether it may reuse them."""
        keys, items = self.keys, []
        try:
            for name, value in sorted(context.items()):
                kind = type(value)
                if kind is Event:
                    key = keys.get(value.id)
                    if key is None:
                        raise Unknown(value.id)
                    items.append((name, key))
                else:
                    items.append((name, value if kind in _PLAIN else canon(value, keys)))
        except Unknown:
            return "unknown"
        return digest(repr(tuple(items)))


# -- values as plain data ------------------------------------------------------------------

_SHARED: dict[type, tuple[str, str]] = {
    Person: ("person", "id"), Place: ("place", "id"), Source: ("source", "id"),
    Anniversary: ("anniversary", "id"), Commemoration: ("commemoration", "year"),
    Article: ("article", "id"),
}


def reference(value: Any) -> Any:
    """An argument as something the next build can look up again (see `resolve`)."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Event):
        return Ref("event", value.id)
    if type(value) in _SHARED:
        kind, attribute = _SHARED[type(value)]
        return Ref(kind, getattr(value, attribute))
    if isinstance(value, (tuple, list)):
        return tuple(reference(v) for v in value)
    raise Unknown(type(value).__name__)


def _event_ids(arguments: tuple[Any, ...]) -> Iterator[str]:
    for argument in arguments:
        if isinstance(argument, Ref) and argument.kind == "event":
            yield str(argument.id)
        elif isinstance(argument, tuple):
            yield from _event_ids(argument)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def describe(name: str, answer: Any, keys: dict[str, str]) -> Answer:
    """What the record keeps of the answer to a lookup: its digest, and for a FILTERS
    lookup the ids of the events in it."""
    ids: set[str] | None = set() if name in FILTERS else None
    return digest(repr(canon(answer, keys, ids))), None if ids is None else tuple(sorted(ids))


def canon(value: Any, keys: dict[str, str], ids: set[str] | None = None) -> Any:
    """A value as nested tuples of plain values, for a digest: events by their key (see
    `event_keys`), shared records by id (their content is covered by the shared digest).
    The ids of the events met are added to `ids`."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Event:  # its key digests its file's path (which names it) and bytes
        key = keys.get(value.id)
        if key is None:
            raise Unknown(value.id)
        if ids is not None:
            ids.add(value.id)
        return key
    if kind is tuple or kind is list:
        return tuple(v if type(v) in _PLAIN else canon(v, keys, ids) for v in value)
    if kind in _SHARED:
        name, attribute = _SHARED[kind]
        return (name, getattr(value, attribute))
    if kind is SiteConfig:
        return ("site",)
    if kind is dict:
        return ("dict", *((canon(k, keys, ids), canon(v, keys, ids)) for k, v in value.items()))
    if kind is set or kind is frozenset:
        return ("set", *sorted((canon(v, keys, ids) for v in value), key=repr))
    if isinstance(value, str):  # Markup
        return str(value)
    if dataclasses.is_dataclass(value):
        fields = _fields(kind)(value)
        return (kind.__name__, *(v if type(v) in _PLAIN else canon(v, keys, ids) for v in fields))
    raise Unknown(kind.__name__)


_FIELDS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _fields(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    """A function from a dataclass to the tuple of its fields but `where`."""
    found = _FIELDS.get(kind)
    if found is None:
        names = [f.name for f in dataclasses.fields(kind) if f.name != "where"]
        if len(names) > 1:
            found = operator.attrgetter(*names)
        else:  # attrgetter of one name returns the value alone, and of none is an error
            found = lambda v: tuple(getattr(v, n) for n in names)
        _FIELDS[kind] = found
    return found


def resolve(value: Any, timeline: Timeline, events: dict[str, Event]) -> Any:
    """The inverse of `reference`, against this build's records; KeyError if one is gone."""
    if isinstance(value, Ref):
        if value.kind == "event":
            return events[str(value.id)]
        if value.kind == "commemoration":
            return next(c for c in timeline.commemorations if c.year == value.id)
        tables: dict[str, Mapping[str, Any]] = {
            "person": timeline.people, "place": timeline.places, "source": timeline.sources,
            "anniversary": timeline.anniversaries}
        table = tables[value.kind]
        return table[str(value.id)]
    if isinstance(value, tuple):
        return tuple(resolve(v, timeline, events) for v in value)
    return value


# -- the record ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRecord:
    """What a build's pages read, kept beside its build record (see incremental/buildrecord.py)."""

    fingerprint: str  # of the build this describes
    shared: str
    everything: str  # digest of the whole event list
    keys: dict[str, str]  # event id -> key, for every published event
    answers: dict[Query, Answer]
    pages: dict[str, PageReads]
    outputs: dict[str, str]  # every output file (pages, exports, static files): its digest
    pieces: KeptPieces | None = None  # where the exports hold each event (pieces.py)

    @classmethod
    def of_build(cls, fingerprint: str, shared: str, everything: str, keys: dict[str, str],
                 pages: dict[str, PageReads], answers: dict[Query, Answer],
                 outputs: dict[str, str], pieces: KeptPieces | None = None) -> PageRecord:
        """The record of a build: every event's key (what changed next time is told by
        them), and the answers its pages read."""
        read = {q for p in pages.values() for q in p.queries}
        return cls(fingerprint, shared, everything, dict(keys),
                   {q: answers[q] for q in read if q in answers}, pages, outputs, pieces)

    def reusable(self, pages: Iterable[tuple[str, dict[str, Any]]], tracker: Tracker,
                 view: TimelineView, everything: str) -> set[str]:
        """The paths of `pages` ((path, context) pairs) that would render as they did.

        The work follows what changed: pages that read none of the changed events, and
        answers that cannot have changed (see FILTERS), are taken as they were. The
        tracker is told what changed (see `tell`) if it was not before; whether an answer
        is the same is found once in a process, however many calls ask."""
        events = view.events_by_id
        since = tracker.since or self.tell(tracker, view, everything)
        changed = since.changed
        same_answer = since.checked

        def still(query: Query) -> bool:
            if query not in same_answer:
                recorded = self.answers.get(query)
                same_answer[query] = recorded is not None and (
                    unchanged(query, recorded, since, view, tracker.keys)
                    or _answer(query, view, events, tracker) == recorded)
            return same_answer[query]

        found = set()
        for path, context in pages:
            earlier = self.pages.get(path)
            if earlier is None or self.must_render(path, everything):
                continue
            if earlier.context != tracker.context_digest(context):
                continue
            if not changed.isdisjoint(earlier.events):
                continue
            if all(still(q) for q in earlier.queries):
                found.add(path)
        return found

    def tell(self, tracker: Tracker, view: TimelineView, everything: str) -> Since:
        """Tell `tracker` what changed since this record's build (the event list's digest
        is `everything` now), for the pages rendered again: answers that cannot have
        changed are taken from the record (see Since)."""
        timeline = view.timeline
        changed = {i for i in self.keys.keys() | tracker.keys.keys()
                   if self.keys.get(i) != tracker.keys.get(i)}
        only_changed = TimelineView(dataclasses.replace(
            timeline, events=tuple(e for e in timeline.events if e.id in changed)))
        tracker.since = Since(self.answers, changed, only_changed, everything)
        return tracker.since

    def must_render(self, path: str, everything: str) -> bool:
        """Whether the page at `path` is rendered again whatever else `reusable` finds: it
        is new, or it read the whole event list (`everything` now), which changed."""
        earlier = self.pages.get(path)
        return earlier is None or (earlier.everything and everything != self.everything)


@dataclass(frozen=True)
class Since:
    """What changed since the build an earlier record is of: its answers, the events whose
    key is not the same now, and a view of just those; and whether each answer asked of
    the record so far is still the same (in this process: each worker checks its own)."""

    answers: dict[Query, Answer]
    changed: set[str]
    only_changed: TimelineView
    everything: str  # digest of the event list now
    checked: dict[Query, bool] = field(default_factory=dict)  # see PageRecord.reusable


def unchanged(query: Query, recorded: Answer, since: Since, view: TimelineView,
              keys: dict[str, str]) -> bool:
    """Whether `query` is sure to get the answer `recorded` in the earlier build, without
    asking it of the whole view: a FILTERS answer that held none of the changed events,
    asked of a view of them alone, takes none of them in (see FILTERS). False means only
    that it cannot be told so."""
    name, arguments = query
    members = recorded[1]
    if name not in FILTERS or members is None or not since.changed.isdisjoint(members) \
            or not since.changed.isdisjoint(_event_ids(arguments)):
        return False
    try:
        value = getattr(since.only_changed, name)(
            *resolve(arguments, view.timeline, view.events_by_id))
        newcomers: set[str] = set()
        canon(value, keys, newcomers)
    except Exception:
        return False
    return not newcomers

def _answer(query: Query, view: TimelineView, events: dict[str, Event],
            tracker: Tracker) -> Answer | None:
    """What the record would keep of `query`'s answer now; None if it cannot be told."""
    name, arguments = query
    try:
        value = getattr(view, name)
        if callable(value):
            value = value(*resolve(arguments, view.timeline, events))
        return describe(name, value, tracker.keys)
    except Exception:  # a record gone, a view that changed: cannot vouch for it
        return None


def read_record(path: Path) -> PageRecord | None:
    """The record `write_record` kept; None if there is none this code may trust."""
    record = read_signed(path, FORMAT)
    return record if isinstance(record, PageRecord) else None


def write_record(path: Path, record: PageRecord) -> None:
    """Keep `record`, pickled and signed like the result cache (signing.py): it is read
    back whole by every rebuild, and a pickle is a tenth of the time JSON was."""
    write_signed(path, FORMAT, record)
