"""YAML records -> model objects, one reader per file kind.

Each reader takes a `Mapping` from `yamlfile` and reports every problem it finds: unknown
keys (with "did you mean"), missing fields, wrong types, bad dates and ids. References
between files are checked later, by the loader, which sees all files at once.
"""

from __future__ import annotations

import re

from ..errors import Diagnostics, Location, Where, did_you_mean
from ..model import (
    STATUSES,
    Anniversary,
    Article,
    Citation,
    CompareRow,
    CoverageEntry,
    Event,
    Person,
    Place,
    Role,
    SiteConfig,
    Source,
    SourceMeta,
    Tag,
    listed,
)
from .fields import Fields, id_hint, is_id
from .yamlfile import Mapping, Scalar, Sequence, describe

# Python-Markdown's time on a body grows with its length times its links and tags, so a
# body of a few kilobytes could hold a build or `serve` for minutes. The slowest
# body these bounds allow is measured by benchmarks/markdown_worst.py.
MAX_BODY_LENGTH = 10_000
MAX_BODY_LINKS = 50

NO_QUOTE_HINT = ("cite the sentence that states it: 'sources:', then '- source: SEED-ID' "
                 "with 'quote: \"...\"' below it; or keep it a draft ('draft: true')")
EVENT_KEYS = ("title", "date", "date_note", "status", "commemorates", "places", "people",
              "tags", "summary", "body", "sources", "draft")


def read_event(event_id: str, path: str, mapping: Mapping, diagnostics: Diagnostics) -> Event | None:
    f = Fields(mapping, diagnostics, EVENT_KEYS,
               {"id": "an event's id is its file name; remove this line"})
    title = f.text("title", required=True)
    date = f.date("date", required=True)
    status = f.choice("status", STATUSES, required=True)
    event = dict(
        commemorates=f.ident("commemorates"),
        places=f.idents("places"),
        people=f.idents("people"),
        tags=f.idents("tags"),
        summary=f.text("summary"),
        body=read_body(f),
        sources=tuple(read_citations(f, diagnostics)),
        draft=f.boolean("draft"),
        date_note=f.text("date_note"),
    )
    listed = mapping.get("sources")
    if not event["draft"] and (listed is None or (isinstance(listed, Sequence) and not listed.items)):
        # The promise: a published event cites the sentence that states it. (A broken list
        # has been reported as such.)
        diagnostics.error(f.where.get("sources") or f.where.get("title") or Location(path),
                          "a published event needs a quote from a source", NO_QUOTE_HINT)
    if title is None or date is None or status is None:
        return None
    return Event(id=event_id, title=title, date=date, status=status, path=path,  # type: ignore[arg-type]
                 where=Where(f.where), **event)  # type: ignore[arg-type]


def read_body(f: Fields) -> str | None:
    """The Markdown body, or None when Markdown would take too long on it (reported)."""
    body = f.text("body")
    if body is None:
        return None
    if len(body) > MAX_BODY_LENGTH:
        f.diagnostics.error(f.where["body"], f"'body' is {len(body):,} characters long; the "
                            f"limit is {MAX_BODY_LENGTH:,}",
                            "shorten it; an article's full text belongs in seeds/")
        return None
    links = body.count("[") + body.count("<")
    if links > MAX_BODY_LINKS:
        f.diagnostics.error(f.where["body"], f"'body' has {links:,} links and tags (each '[' or "
                            f"'<' counts); the limit is {MAX_BODY_LINKS}",
                            "remove some; each one makes Markdown slower on the whole body")
        return None
    return body


def read_citations(f: Fields, diagnostics: Diagnostics) -> list[Citation]:
    citations = []
    for item in f.mappings("sources", "'- source: SEED-ID' with 'quote: \"...\"' below it"):
        c = Fields(item, diagnostics, ("source", "quote"))
        source, quote = c.ident("source", required=True), c.text("quote", required=True)
        if source and quote:
            citations.append(Citation(source, quote, where=Where(c.where)))
    return citations


def read_people(mapping: Mapping, diagnostics: Diagnostics) -> list[Person]:
    people = []
    for person_id, node in _records(mapping, diagnostics, "person"):
        f = Fields(node, diagnostics, ("name", "native_names", "country", "roles", "description",
                                       "note"))
        name = f.text("name", required=True)
        roles = []
        for item in f.mappings("roles", "'- title: ...' with optional 'from:' and 'to:'"):
            r = Fields(item, diagnostics, ("title", "from", "to"))
            role_title = r.text("title", required=True)
            if role_title:
                roles.append(Role(role_title, r.partial("from"), r.partial("to")))
        native = _native_names(f, diagnostics)
        if name:
            person = Person(person_id.value, name, native, f.text("country"), tuple(roles),
                            f.text("description"), f.text("note"),
                            where=Where({"id": person_id.loc, **f.where}))
            _curated(person, "person", diagnostics)
            people.append(person)
    return people


def _curated(record: Person | Place, kind: str, diagnostics: Diagnostics) -> None:
    """A record's fields that no article states are the curator's: a note says where they
    come from (shown on its page), or a warning asks for one."""
    if record.curated and record.note is None:
        diagnostics.warning(record.where["id"], f"no article states the {listed(record.curated)} of {kind} "
                            f"'{record.id}': they are shown as the curator's",
                            "say in 'note:' where the curator's fields come from (shown on its page)")


def _native_names(f: Fields, diagnostics: Diagnostics) -> tuple[tuple[str, str], ...]:
    node = f._node("native_names", False)
    if node is None:
        return ()
    if not isinstance(node, Mapping):
        diagnostics.error(node.loc, "'native_names' must map a language tag to a name, "
                          "e.g. 'zh: 习近平'")
        return ()
    names = []
    for key, value in node.items:
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", key.value):
            diagnostics.error(key.loc, f"'{key.value}' is not a language tag", "e.g. zh, ru, be")
        elif not isinstance(value, Scalar) or not value.value.strip():
            diagnostics.error(value.loc, f"the {key.value} name must be text")
        else:
            names.append((key.value, value.value.strip()))
    return tuple(names)


PLACE_KINDS = ("square", "city", "country", "building", "venue", "region")


def read_places(mapping: Mapping, diagnostics: Diagnostics) -> list[Place]:
    places = []
    for place_id, node in _records(mapping, diagnostics, "place"):
        f = Fields(node, diagnostics, ("name", "kind", "city", "country", "lat", "lon", "note"))
        name, kind = f.text("name", required=True), f.choice("kind", PLACE_KINDS, required=True)
        lat, lon = f.number("lat", -90, 90), f.number("lon", -180, 180)
        if name and kind:
            place = Place(place_id.value, name, kind, f.text("city"), f.text("country"),
                          lat, lon, f.text("note"), where=Where({"id": place_id.loc, **f.where}))
            _curated(place, "place", diagnostics)
            places.append(place)
    return places


def read_anniversaries(mapping: Mapping, diagnostics: Diagnostics) -> list[Anniversary]:
    out = []
    for anniversary_id, node in _records(mapping, diagnostics, "anniversary"):
        f = Fields(node, diagnostics, ("title", "date", "date_note", "description", "sources"))
        title, date = f.text("title", required=True), f.partial("date", required=True)
        description, sources = f.text("description"), tuple(read_citations(f, diagnostics))
        if title and date:
            out.append(Anniversary(anniversary_id.value, title, date, description, sources,
                                   f.text("date_note"),
                                   where=Where({"id": anniversary_id.loc, **f.where})))
    return out


SOURCE_KEYS = ("headline", "publisher", "byline", "published", "url", "boilerplate", "notes")


def read_source_meta(source_id: str, mapping: Mapping, diagnostics: Diagnostics) -> SourceMeta:
    f = Fields(mapping, diagnostics, SOURCE_KEYS)
    url = f.text("url")
    if url is not None and not re.match(r"^https?://[^\s]+$", url):
        diagnostics.error(f.where["url"], f"'url' must start with http:// or https://, not '{url}'")
        url = None
    patterns = []
    for node in f.items("boilerplate"):
        if not isinstance(node, Scalar):
            diagnostics.error(node.loc, "'boilerplate' items must be regular expressions")
            continue
        try:
            re.compile(node.value)
            patterns.append(node.value)
        except re.error as exc:
            diagnostics.error(node.loc, f"'boilerplate' pattern '{node.value}' is not a regular "
                              f"expression: {exc.msg} at position {exc.pos}",
                              "to match a character such as '(', '.' or '?' literally, put a "
                              "backslash before it")
    notes = []
    noted = f._node("notes", False)
    if isinstance(noted, Mapping):
        for key, value in noted.items:
            if key.value not in SOURCE_KEYS:
                diagnostics.error(key.loc, f"a note must be about a field: unknown field "
                                  f"'{key.value}'", did_you_mean(key.value, SOURCE_KEYS))
            elif isinstance(value, Scalar):
                notes.append((key.value, value.value.strip()))
    elif noted is not None:
        diagnostics.error(noted.loc, "'notes' must map a field name to a note")
    return SourceMeta(source_id, f.text("headline"), f.text("publisher"), f.text("byline"),
                      f.partial("published"), url, tuple(patterns), tuple(notes), where=Where(f.where))


SITE_KEYS = ("title", "description", "language", "base_url", "license", "full_text",
             "commemorations", "compare")


def read_site(mapping: Mapping, diagnostics: Diagnostics) -> SiteConfig:
    f = Fields(mapping, diagnostics, SITE_KEYS)
    base_url = f.text("base_url")
    if base_url is not None and not re.match(r"^https?://[^\s]+$", base_url):
        diagnostics.error(f.where["base_url"], f"'base_url' must be an http(s) URL, not '{base_url}'")
        base_url = None
    commemorations: list[tuple[int, str]] = []
    for item in f.mappings("commemorations", "'- year: 2015' with 'anniversary: ID' below it"):
        c = Fields(item, diagnostics, ("year", "anniversary"))
        year, anniversary = c.partial("year", required=True), c.ident("anniversary", required=True)
        if year and anniversary:
            f.where[f"commemorations.{len(commemorations)}"] = c.where["anniversary"]
            commemorations.append((year.year, anniversary))
    rows = []
    for item in f.mappings("compare", "'- tag: TAG' with 'label: ...' below it"):
        c = Fields(item, diagnostics, ("tag", "label"))
        tag, label = c.ident("tag", required=True), c.text("label", required=True)
        if tag and label:
            rows.append(CompareRow(tag, label))
    return SiteConfig(
        title=f.text("title", required=True) or "Timeline",
        description=f.text("description") or "",
        language=f.text("language") or "en",
        base_url=base_url.rstrip("/") + "/" if base_url else None,
        license=f.text("license"),
        full_text=f.boolean("full_text"),
        commemorations=tuple(commemorations),
        compare=tuple(rows),
        where=Where(f.where),
    )


COVERAGE_KEYS = ("source", "anchor", "phrase", "reason")


def read_coverage(mapping: Mapping, diagnostics: Diagnostics) -> list[CoverageEntry]:
    """The entries of content/coverage.yaml (check/coverage.py says what they mean)."""
    f = Fields(mapping, diagnostics, ("uncited", "other_dates"))
    out = []
    for section, keys in (("uncited", COVERAGE_KEYS), ("other_dates", ("event", *COVERAGE_KEYS))):
        example = "{" + ", ".join(f"{k}: ..." for k in keys) + "}"
        for item in f.mappings(section, example):
            e = Fields(item, diagnostics, keys)
            event = e.ident("event", required=True) if "event" in keys else None
            source, anchor = e.ident("source", required=True), e.text("anchor", required=True)
            phrase, reason = e.text("phrase", required=True), e.text("reason", required=True)
            if source and anchor and phrase and reason and (event or "event" not in keys):
                out.append(CoverageEntry(source, anchor, phrase, reason, event, item.loc))
    return out


def read_tags(mapping: Mapping, diagnostics: Diagnostics) -> list[Tag]:
    tags = []
    for tag_id, node in _records(mapping, diagnostics, "tag"):
        f = Fields(node, diagnostics, ("label", "description"))
        label = f.text("label", required=True)
        if label:
            tags.append(Tag(tag_id.value, label, f.text("description"),
                            where=Where({"id": tag_id.loc, **f.where})))
    return tags


def _records(mapping: Mapping, diagnostics: Diagnostics, kind: str) -> list[tuple[Scalar, Mapping]]:
    """The `id: {fields}` entries of a people/places/anniversaries/tags file."""
    out = []
    for key, node in mapping.items:
        if not is_id(key.value):
            diagnostics.error(key.loc, f"'{key.value}' is not a valid {kind} id",
                              id_hint(key.value))
        elif not isinstance(node, Mapping):
            diagnostics.error(node.loc, f"{kind} '{key.value}' must be a mapping of fields, "
                              f"not {describe(node)}")
        else:
            out.append((key, node))
    return out


def merge_source(article: Article, meta: SourceMeta, diagnostics: Diagnostics) -> Source:
    """A seed's article and its metadata as one source: the article's own statements
    first; metadata fills what the text does not state, and a disagreement is a warning."""
    values, origin = {}, []
    for name in ("headline", "byline", "published", "url"):
        stated, given = getattr(article, name), getattr(meta, name)
        if stated is not None and given is not None and stated != given:
            shown = given.edtf() if name == "published" else given
            diagnostics.warning(meta.where[name], f"'{name}' '{shown}' differs from what the "
                                "article states; the article's value is used")
        values[name] = stated if stated is not None else given
        if values[name] is not None:
            origin.append((name, "article" if stated is not None else "metadata"))
    if meta.publisher:
        origin.append(("publisher", "metadata"))
    source = Source(meta.id, article, values["headline"], meta.publisher, values["byline"],
                    values["published"], values["url"], tuple(origin), meta.notes)
    if meta.publisher and not source.publisher_stated and source.note_for("publisher") is None:
        diagnostics.warning(meta.where["publisher"], f"the article does not name '{meta.publisher}'"
                            "; it is shown as named by the curator",
                            "say where the name comes from in 'publisher:' under 'notes:'")
    return source
