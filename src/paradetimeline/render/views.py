"""Lookups the pages need, computed once from a `Timeline`: who is in which event, what
cites which sentence, which events sit in which year or commemoration.

Pure and read-only, so templates stay free of logic beyond loops and conditions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from ..check.mentions import dating_phrases, mentions_by_source
from ..check.phrases import Mention
from ..dates import PartialDate
from ..model import Anniversary, Citation, Commemoration, Event, Person, Place, Role, Timeline
from .axis import Axis, build_axis


@dataclass(frozen=True)
class YearGroup:
    year: int
    commemoration: Commemoration | None
    items: tuple[Event | Anniversary, ...]


@dataclass(frozen=True)
class CitedSentence:
    anchor: str
    text: str
    citations: tuple[tuple[Event | Anniversary, Citation], ...]


RELATED_LIMIT = 12
EMBED_MOST = 200
ERA_COLOURS = 6  # .era-1 to .era-6 in templates/static/style.css


def _timeline_order(item: Event | Anniversary) -> tuple[tuple[int, ...], str]:
    """An event's sort key; a reference point goes before the events of its day."""
    if isinstance(item, Event):
        return item.sort_key()
    return (item.date.first_day().toordinal(), -1, 0, 0), item.id


class TimelineView:
    def __init__(self, timeline: Timeline, mentions: dict[str, list[Mention]] | None = None):
        """`mentions`, if given, must be `mentions_by_source(timeline)`, computed already."""
        self.timeline = timeline
        self._related: dict[str, tuple[Event, ...]] = {}
        if mentions is not None:
            self.__dict__["mentions"] = mentions  # the cached property, filled

    def warm(self) -> None:
        """Compute the lookups many pages share now, before pages are rendered in forked
        workers. `mentions`, if not given, is left to the worker that renders provenance.html."""
        for name in ("years", "_years_by_number", "tags", "_index", "_citations",
                     "_by_commemoration_and_tag", "countries", "events_by_id", "sections"):
            getattr(self, name)

    # -- grouping ---------------------------------------------------------------------------

    @cached_property
    def years(self) -> tuple[YearGroup, ...]:
        """Events and reference points (anniversaries), grouped by year, in timeline order.

        The events are in that order already (see `Timeline`), so only the years a
        reference point falls in are sorted, not every event."""
        by_year: dict[int, list[Event | Anniversary]] = defaultdict(list)
        for event in self.timeline.events:
            by_year[event.date.year].append(event)
        for anniversary in self.timeline.anniversaries.values():
            by_year[anniversary.date.year].append(anniversary)
        for year in {a.date.year for a in self.timeline.anniversaries.values()}:
            by_year[year].sort(key=_timeline_order)
        eras = {c.year: c for c in self.timeline.commemorations}
        return tuple(YearGroup(y, eras.get(y), tuple(v)) for y, v in sorted(by_year.items()))

    @cached_property
    def _years_by_number(self) -> dict[int, YearGroup]:
        return {group.year: group for group in self.years}

    def year_group(self, year: int) -> YearGroup | None:
        """One year of `years`: a question of its own, so that a page section showing one
        year depends on that year alone."""
        return self._years_by_number.get(year)

    @staticmethod
    def year_of(item: Event | Anniversary) -> int:
        return item.date.year

    @cached_property
    def axis(self) -> Axis | None:
        """The index's time axis: every event and reference point, the eras as bands; a
        crowd within an era opens that era page's axis."""
        items = [item for group in self.years for item in group.items]
        eras = [c.year for c in self.timeline.commemorations]
        return build_axis(items, eras, elsewhere=eras)

    def axis_of_year(self, year: int) -> Axis | None:
        """An era page's time axis: that year's events."""
        return build_axis(self.events_in_year(year), (year,), name=f"axis-{year}")

    def embed_events(self, year: int | None) -> tuple[tuple[Event, ...], int]:
        """An embed's events (the newest EMBED_MOST of them, in timeline order) and how many
        there are in all: an iframe is no place for ten thousand."""
        events = self.events_in_year(year) if year else self.timeline.events
        return tuple(events[-EMBED_MOST:]), len(events)

    def commemoration(self, year: int) -> Commemoration:
        return next(c for c in self.timeline.commemorations if c.year == year)

    def events_in_year(self, year: int) -> tuple[Event, ...]:
        return tuple(e for e in self.timeline.events if e.date.year == year)

    @cached_property
    def mentions(self) -> dict[str, list[Mention]]:
        """Each source's date phrases, resolved, with who cites them (provenance.html)."""
        return mentions_by_source(self.timeline)

    def mentions_of(self, source_id: str) -> tuple[Mention, ...]:
        """One source's date phrases (see `mentions`), for a page section about it."""
        return tuple(self.mentions.get(source_id, ()))

    @cached_property
    def events_by_id(self) -> dict[str, Event]:
        return {e.id: e for e in self.timeline.events}

    def events_named(self, ids: tuple[str, ...]) -> tuple[Event, ...]:
        """The published events among `ids`, in that order."""
        return tuple(self.events_by_id[i] for i in ids if i in self.events_by_id)

    @cached_property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({t for e in self.timeline.events for t in e.tags}))

    @cached_property
    def sections(self) -> frozenset[str]:
        """The pages beyond the timeline this site has, which every page links to: a page
        with nothing to show (Compare without compare rows, Tags without tags) is neither
        made nor linked."""
        t = self.timeline
        present = {"compare": bool(t.config.compare and t.commemorations), "sources": bool(t.sources),
                   "people": bool(t.people), "places": bool(t.places), "tags": bool(self.tags)}
        return frozenset(name for name, shown in present.items() if shown)

    @cached_property
    def _era_positions(self) -> dict[int, int]:
        return {c.year: n for n, c in enumerate(sorted(self.timeline.commemorations,
                                                        key=lambda c: c.year))}

    def dating_phrases(self, event: Event) -> tuple[Mention, ...]:
        """The date phrases of its quotes that date the event (its page says how)."""
        return dating_phrases(event, self.timeline)

    def era_class(self, year: int) -> str:
        """'era-1' for the earliest commemoration, 'era-2' for the next: colours come from an
        era's place, so any number of eras is coloured (the stylesheet's six repeat)."""
        return f"era-{self._era_positions[year] % ERA_COLOURS + 1}"

    def tag_label(self, tag: str) -> str:
        """What pages call a tag: its label in content/tags.yaml, or else its id."""
        declared = self.timeline.tags.get(tag)
        return declared.label if declared is not None else tag

    @cached_property
    def _index(self) -> dict[tuple[str, str], list[Event]]:
        index: dict[tuple[str, str], list[Event]] = defaultdict(list)
        for event in self.timeline.events:
            for person in event.people:
                index["person", person].append(event)
            for place in self.places_around(event):
                index["place", place].append(event)
            for tag in event.tags:
                index["tag", tag].append(event)
            for source in sorted({c.source for c in event.sources}):
                index["source", source].append(event)
            if event.commemorates:
                index["anniversary", event.commemorates].append(event)
        return index

    def events_with(self, kind: str, key: str) -> tuple[Event, ...]:
        return tuple(self._index.get((kind, key), ()))

    @cached_property
    def _by_commemoration_and_tag(self) -> dict[tuple[str, str], list[tuple[Event, int, frozenset[str]]]]:
        """{(anniversary, tag): [(event, its year, its places)]}, in timeline order."""
        index: dict[tuple[str, str], list[tuple[Event, int, frozenset[str]]]] = defaultdict(list)
        for event in self.timeline.events:
            if event.commemorates:
                entry = (event, event.date.year, frozenset(event.places))
                for tag in event.tags:
                    index[event.commemorates, tag].append(entry)
        return index

    def related(self, event: Event, limit: int = RELATED_LIMIT) -> tuple[Event, ...]:
        """The same commemoration in other years (the 2015 Moscow parade <-> 2025's): same
        anniversary, a shared tag, and a shared place when the event has places. At most
        `limit`, in timeline order, so a page stays small however large the timeline."""
        if not event.commemorates:
            return ()
        if limit == RELATED_LIMIT:  # asked by the plan, then by the page: worked out once
            found = self._related.get(event.id)
            if found is None:
                found = self._related[event.id] = self._find_related(event, event.commemorates, limit)
            return found
        return self._find_related(event, event.commemorates, limit)

    def _find_related(self, event: Event, anniversary: str, limit: int) -> tuple[Event, ...]:
        places, year = set(event.places), event.date.year
        found: dict[str, Event] = {}
        for tag in event.tags:
            for other, other_year, other_places in self._by_commemoration_and_tag.get(
                    (anniversary, tag), ()):
                if other_year != year and (not places or not places.isdisjoint(other_places)):
                    found[other.id] = other
        return tuple(sorted(found.values(), key=Event.sort_key)[:limit])

    # -- places -----------------------------------------------------------------------------

    @cached_property
    def _container(self) -> dict[str, str]:
        """{place id: the id of the place it is in}. Red Square's `city: Moscow` puts it in
        the city record named Moscow, Moscow's `country: Russia` in a country record named
        Russia if there is one; a name two records share nests nothing, rather than guess."""
        places = self.timeline.places.values()
        named: dict[tuple[str, str], list[Place]] = defaultdict(list)
        for place in places:
            if place.kind in ("city", "country"):
                named[place.kind, place.name].append(place)

        def unique(kind: str, name: str | None, of: Place) -> Place | None:
            found = [p for p in named.get((kind, name or ""), ()) if p.id != of.id
                     and (kind == "country" or not (p.country and of.country) or p.country == of.country)]
            return found[0] if len(found) == 1 else None

        container: dict[str, str] = {}
        for place in places:
            if place.kind == "country":
                continue
            outer = unique("city", place.city, place) if place.kind != "city" else None
            outer = outer or unique("country", place.country, place)
            if outer is not None:
                container[place.id] = outer.id
        return container

    @cached_property
    def place_names(self) -> dict[str, str]:
        """{place id: name} for the places the timeline's events are in, for the filters."""
        ids = {p for event in self.timeline.events for p in self.places_around(event)}
        return {i: self.timeline.places[i].name for i in sorted(ids)}

    def containers_of(self, place_id: str) -> tuple[Place, ...]:
        """The places around a place, innermost first: Red Square -> Moscow -> Russia."""
        found: list[Place] = []
        seen = {place_id}
        while (place_id := self._container.get(place_id, "")) and place_id not in seen:
            seen.add(place_id)
            found.append(self.timeline.places[place_id])
        return tuple(found)

    @cached_property
    def _contents(self) -> dict[str, list[Place]]:
        contents: dict[str, list[Place]] = defaultdict(list)
        for inner, outer in self._container.items():
            contents[outer].append(self.timeline.places[inner])
        return contents

    def places_in(self, place_id: str) -> tuple[Place, ...]:
        """The places directly inside a place, by name: Moscow holds Red Square."""
        return tuple(sorted(self._contents.get(place_id, ()), key=lambda p: p.name))

    def places_around(self, event: Event) -> tuple[str, ...]:
        """An event's places and the places they are in, so that Moscow's page and filter
        include the parade on Red Square."""
        found = dict.fromkeys(event.places)
        for place in event.places:
            found.update(dict.fromkeys(c.id for c in self.containers_of(place)))
        return tuple(found)

    # -- people -----------------------------------------------------------------------------

    def role_at(self, person: Person, event: Event) -> Role | None:
        """The role the person held at the event's date, if the data says so."""
        day = event.date.first_day() or event.date.last_day()
        best = None
        for role in person.roles:
            starts = role.start.first_day() if role.start else None
            ends = role.end.last_day() if role.end else None
            if day and (starts is None or starts <= day) and (ends is None or day <= ends):
                best = role
        return best

    def people_in(self, events: tuple[Event, ...]) -> tuple[Person, ...]:
        ids = sorted({p for e in events for p in e.people}, key=lambda i: self.timeline.people[i].name)
        return tuple(self.timeline.people[i] for i in ids if i in self.timeline.people)

    @cached_property
    def countries(self) -> tuple[str, ...]:
        found = {p.country for p in self.timeline.people.values() if p.country}
        found |= {p.country for p in self.timeline.places.values() if p.country}
        return tuple(sorted(found))

    def status_as_of(self, event: Event) -> PartialDate | None:
        """The date a status speaks from ('planned, as of 6 May 2025'): the latest date of
        the articles the event cites, or None when none of them is dated."""
        dates = [source.published for citation in event.sources
                 if (source := self.timeline.sources.get(citation.source)) and source.published]
        return max(dates, key=lambda d: d.first_day(), default=None)

    def countries_of(self, event: Event) -> tuple[str, ...]:
        found = {self.timeline.people[p].country for p in event.people if p in self.timeline.people}
        found |= {self.timeline.places[p].country for p in event.places if p in self.timeline.places}
        return tuple(sorted(c for c in found if c))

    # -- sources ----------------------------------------------------------------------------

    @cached_property
    def _citations(self) -> dict[str, dict[str, list[tuple[Event | Anniversary, Citation]]]]:
        """{source id: {sentence anchor: [(citing item, citation)]}}, each item once a
        sentence, built in one pass so source pages do not each scan every event."""
        index: dict[str, dict[str, list[tuple[Event | Anniversary, Citation]]]] = {}
        citing: list[Event | Anniversary] = [*self.timeline.events,
                                             *self.timeline.anniversaries.values()]
        for item in citing:
            for citation in item.sources:
                by_anchor = index.setdefault(citation.source, {})
                for anchor in citation.anchors:
                    entries = by_anchor.setdefault(anchor, [])
                    if not entries or entries[-1][0] is not item:
                        entries.append((item, citation))
        return index

    def cited_sentences(self, source_id: str) -> tuple[CitedSentence, ...]:
        """Each sentence of a source that something cites, in article order."""
        by_anchor = self._citations.get(source_id, {})
        source = self.timeline.sources[source_id]
        return tuple(
            CitedSentence(s.anchor, s.text, tuple(by_anchor[s.anchor]))
            for s in source.article.sentences() if s.anchor in by_anchor
        )

    # -- compare ----------------------------------------------------------------------------

    def compare_cell(self, tag: str, year: int) -> tuple[Event, ...]:
        return tuple(e for e in self.events_with("tag", tag) if e.date.year == year)

    def href(self, item: Event | Anniversary) -> str:
        """Path of an item's page from the site root."""
        folder = "events" if isinstance(item, Event) else "anniversaries"
        return f"{folder}/{item.id}.html"
