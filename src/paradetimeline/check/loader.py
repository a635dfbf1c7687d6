"""Read every file, resolve references, verify quotes, sort: the Timeline.

`load_timeline(root)` is the whole "read -> check -> model" half of the pipeline. It never
stops at the first problem: it returns the timeline it could build together with every
diagnostic, and the caller decides whether errors stop the build. Which files there are,
and which may be read, is `read/files.py`'s to say.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, Diagnostics, Location, UsageError, did_you_mean
from ..model import (
    Article,
    CoverageEntry,
    Event,
    SiteConfig,
    Source,
    SourceMeta,
    Timeline,
)
from ..plain import MemoryCache, TextCache, digest, dumps, loads
from ..read import fields, schema
from ..read.articles import parse_article
from ..read.files import YAML_SUFFIXES, Guard, Project, template_problems
from ..read.yamlfile import MAX_BYTES, Mapping, decode_utf8, read_bytes, read_yaml
from ..workers import can_fork, in_workers
from .mentions import MENTIONS_STEP
from .parses import Checked, KeptParses, check_context, check_event, event_reader, file_sha, parse_bytes
from .phrases import scan_article
from .references import LIST_PAGES, RESERVED_ID, Checker, reserved

MAX_SEED_BYTES = 5_000_000


def load_timeline(root: Path | str, *, drafts: bool = False, cache: TextCache | None = None,
                  jobs: int = 1, digests: dict[str, str] | None = None
                  ) -> tuple[Timeline, Diagnostics]:
    """Read and check a whole project. Drafts are checked always, kept only with `drafts`.

    With `cache` (the result store), event files, source metadata and seeds whose bytes
    were parsed before are not parsed again: the earlier result, and what it reported, are
    reused; so are the quotes found in an article (and, in `mentions`, its date phrases).
    Many event files or seeds that need parsing are parsed in `jobs` forked processes.
    Keys are digests of the inputs, values JSON (plain.py). `digests` ({project path:
    SHA-256} of every input, from the build's fingerprint) spares reading a file whose
    parse is kept under its digest, and an event file whose check is kept: the check of
    an event reads nothing but its file and the inputs that are not event files."""
    project = Project(Path(root))
    if not project.root.is_dir():
        raise UsageError(f"project root '{root}' is not a folder")
    diagnostics = Diagnostics()
    reader = _Reader(project, diagnostics, cache or MemoryCache(), jobs, digests or {})
    reader.context = check_context(digests or {})

    reader.templates()
    config = reader.site()
    sources = reader.sources()
    people = reader.keyed("people.yaml", "person", schema.read_people)
    places = reader.keyed("places.yaml", "place", schema.read_places)
    anniversaries = reader.keyed("anniversaries.yaml", "anniversary", schema.read_anniversaries)
    declared = os.path.lexists(project.content / "tags.yaml")
    tags = reader.keyed("tags.yaml", "tag", schema.read_tags) if declared else None
    check = Checker(diagnostics, sources, people, places, anniversaries, reader.broken,
                    reader.cache, tags)
    events = reader.events(check)
    if tags is None:
        check.tag_spelling(events, {row.tag for row in config.compare})
    anniversaries = {k: check.anniversary(a) for k, a in anniversaries.items()}
    commemorations = check.commemorations(config)
    published = tuple(sorted((e for e in events if drafts or not e.draft), key=Event.sort_key))
    timeline = Timeline(config, published, people, places, sources, anniversaries, commemorations,
                        tags or {}, reader.published(), reader.coverage())
    return timeline, diagnostics


class _Reader:
    """Reads each file kind, reporting unreadable files and duplicate ids."""

    def __init__(self, project: Project, diagnostics: Diagnostics, cache: TextCache,
                 jobs: int = 1, digests: dict[str, str] | None = None):
        self.project = project
        self.diagnostics = diagnostics
        self.cache = cache
        self.jobs = jobs
        self.digests = digests or {}
        # Ids whose definition was reported as broken, per kind ('person', ...; '*' = all of
        # that kind). References to them are not reported again as unknown.
        self.broken: dict[str, set[str]] = {}
        self.meta_paths: dict[str, str] = {}
        self.files = Guard(project, diagnostics)
        self.context: str | None = None  # see check_context
        self.parses = KeptParses(cache, self.digests)

    def yaml(self, path: Path, empty_hint: str | None = None) -> Mapping | None:
        """The file's located YAML; in `serve`, the parse of bytes parsed before is
        remembered (see ResidentCache), with what it reported."""
        relpath = self.project.rel(path)
        if not self.files.inside(relpath) or not self.files.regular(path, relpath):
            return None
        def read(found: Diagnostics) -> Mapping | None:
            return read_yaml(path, relpath, found, empty_hint=empty_hint)

        mapping: Mapping | None = self._remembered(("yaml", relpath, empty_hint or ""), read)
        return mapping

    def _remembered(self, key: tuple[str, ...], read: Callable[[Diagnostics], Any]) -> Any:
        """`read(diagnostics)` of the file `key[1]`, and what it reported; in `serve`, what
        it made of the same bytes before (see ResidentCache)."""
        sha = self.digests.get(key[1])

        def made() -> tuple[Any, list[Diagnostic]]:
            found = Diagnostics()
            return read(found), found.items

        value, found = made() if sha is None else self.cache.remember((*key, sha), made)
        self.diagnostics.items.extend(found)
        return value

    def _broken(self, kind: str, ids: set[str]) -> None:
        self.broken.setdefault(kind, set()).update(ids)

    def published(self) -> tuple[str, ...]:
        """The files of content/static/ to copy: regular files inside the project."""
        return tuple(relpath for relpath in self.files.listed(PUBLISHED, ("",), recursive=True)
                     if self.files.inside(relpath))

    def templates(self) -> None:
        self.diagnostics.items.extend(template_problems(self.project.templates))

    def site(self) -> SiteConfig:
        path = self.project.content / "site.yaml"
        if not os.path.lexists(path):
            self.diagnostics.error(Location("content/site.yaml"), "missing site configuration",
                                   "create content/site.yaml with at least 'title'")
            return SiteConfig(title="Timeline", description="")
        mapping = self.yaml(path, "site.yaml needs at least 'title'")
        if mapping is None:
            self._broken("anniversary", {"*"})  # its references cannot be checked either
            return SiteConfig(title="Timeline", description="")
        return schema.read_site(mapping, self.diagnostics)

    def coverage(self) -> tuple[CoverageEntry, ...]:
        """content/coverage.yaml's entries; checked against the articles by coverage.py."""
        path = self.project.content / "coverage.yaml"
        mapping = self.yaml(path) if os.path.lexists(path) else None
        return () if mapping is None else tuple(schema.read_coverage(mapping, self.diagnostics))

    def keyed(self, name: str, kind: str, read):  # type: ignore[no-untyped-def]
        """A file of `id: {fields}` records; ids of broken records are remembered. In
        `serve`, what a round made of the same bytes is remembered."""
        sha = self.digests.get(f"content/{name}")
        if sha is None:
            return self._keyed(name, kind, read)
        return self._remembered_stage(("keyed", name, kind, sha), kind,
                                      lambda reader: reader._keyed(name, kind, read))

    def _keyed(self, name: str, kind: str, read):  # type: ignore[no-untyped-def]
        path = self.project.content / name
        if not os.path.lexists(path):
            return {}
        mapping = self.yaml(path, f"write one '{kind}-id:' line per {kind}, its fields "
                            "indented below it")
        if mapping is None:
            self._broken(kind, {"*"})
            return {}
        items = {item.id: item for item in read(mapping, self.diagnostics)}
        if kind in LIST_PAGES and RESERVED_ID in items:
            self.diagnostics.error(items.pop(RESERVED_ID).where["id"], reserved(kind))
        broken = set(mapping.keys()) - set(items)
        # An event that names the id the error suggests will be right once that is fixed:
        # reporting it as unknown too would bury the one error under its references.
        suggested = {s for s in map(fields.suggested_id, broken) if s}
        self._broken(kind, broken | suggested)
        return items

    def sources(self) -> dict[str, Source]:
        """Every seed with its metadata; in `serve`, what a round made of them is remembered
        while the check context (which digests them all) stays the same."""
        if self.context is None:
            return self._sources()
        sources: dict[str, Source] = self._remembered_stage(
            ("sources", self.context), "source", _Reader._sources)
        return sources

    def _remembered_stage(self, key: tuple[str, ...], kind: str,
                          read: Callable[[_Reader], Any]) -> Any:
        """`read(self)`, whose result `key` (digests of all it reads) determines; in
        `serve`, what it made before, with what it reported and the ids of `kind` it
        found broken (read apart, in a reader of its own, to be remembered)."""
        def apart() -> tuple[Any, list[Diagnostic], set[str]]:
            reader = _Reader(self.project, Diagnostics(), self.cache, self.jobs, self.digests)
            return read(reader), reader.diagnostics.items, reader.broken.get(kind, set())

        value, reported, broken = self.cache.remember(key, apart)
        self.diagnostics.items.extend(reported)
        self._broken(kind, broken)
        return value

    def _sources(self) -> dict[str, Source]:
        metas = self._source_metas()
        seeds: list[tuple[str, SourceMeta, str, str]] = []  # (id, metadata, text, cache key)
        for relpath in self.files.listed("seeds", (".txt",)):
            path = self.project.root / relpath
            meta = metas.pop(path.stem, None)
            if not fields.is_id(path.stem):
                self.diagnostics.error(Location(relpath), f"'{path.stem}' is not a valid source id "
                                       "(the file name is the id)", fields.id_hint(path.stem))
                continue
            if path.stem == RESERVED_ID:
                self.diagnostics.error(Location(relpath), reserved("source"),
                                       "the file name is the id")
                self._broken("source", {path.stem})
                continue
            text = self._seed_text(path, relpath)
            if text is None:
                self._broken("source", {path.stem})
                continue
            if meta is None:
                self.diagnostics.warning(Location(relpath), "no metadata for this seed",
                                         f"create content/sources/{path.stem}.yaml")
                meta = SourceMeta(path.stem)
            seeds.append((path.stem, meta, text, digest(path.stem, dumps(meta.boilerplate), text)))
        kept_texts = self.cache.get_many("article", [key for *_, key in seeds])
        parsed = self._parse_seeds_in_parallel([s for s in seeds if s[3] not in kept_texts])
        sources: dict[str, Source] = {}
        for source_id, meta, text, key in seeds:
            article = parsed.get(key)
            if article is None:
                kept = kept_texts.get(key)
                if kept is not None:
                    article = self.cache.decode(Article, kept)
                else:
                    article = parse_article(source_id, text, meta.boilerplate)
                    self.cache.put("article", key, dumps(article))
            sources[source_id] = schema.merge_source(article, meta, self.diagnostics)
        for source_id in metas:
            self.diagnostics.error(Location(self.meta_paths[source_id]),
                                   f"no seed 'seeds/{source_id}.txt' for this metadata",
                                   did_you_mean(source_id, sources)
                                   or "name the file after its seed: content/sources/<seed>.yaml")
        return sources

    def _parse_seeds_in_parallel(self, seeds: list[tuple[str, SourceMeta, str, str]]
                                 ) -> dict[str, Article]:
        """Parse, in forked processes, seeds whose parse the cache does not hold, when
        there are enough of them to be worth it, and find their date phrases while at it
        (for coverage, which would otherwise start processes of its own): {cache key:
        article}. Both are kept as `sources` and `mentions.kept_mentions` keep them."""
        todo = seeds
        if not can_fork(self.jobs, len(todo), PARALLEL_MIN_SEEDS):
            return {}

        def parse(start: int, stop: int) -> list[tuple[str, str, str, str]]:
            """(cache key, article, key of the article, its mentions), as text."""
            out = []
            for source_id, meta, text, key in todo[start:stop]:
                article = parse_article(source_id, text, meta.boilerplate)
                made = dumps(article)
                out.append((key, made, digest(made), dumps(scan_article(article))))
            return out

        parsed = {}
        for part in in_workers(parse, len(todo), self.jobs):
            for key, article, article_key, found in part:
                self.cache.put("article", key, article)
                self.cache.put(MENTIONS_STEP, article_key, found)
                parsed[key] = loads(Article, article)
        return parsed

    def _seed_text(self, path: Path, relpath: str) -> str | None:
        """The seed's text; in `serve`, that of bytes read before is remembered, as YAML's is."""
        if not self.files.inside(relpath):
            return None

        def read(found: Diagnostics) -> str | None:
            data = read_bytes(path, relpath, found, MAX_SEED_BYTES)
            return None if data is None else decode_utf8(data, relpath, found)

        text: str | None = self._remembered(("seed", relpath), read)
        return text

    def _source_metas(self) -> dict[str, SourceMeta]:
        metas = {}
        for relpath in self.files.listed("content/sources", YAML_SUFFIXES):
            path = self.project.root / relpath
            self.meta_paths[path.stem] = relpath
            meta = self._parsed(
                "meta", path, relpath, "an empty file is not needed: delete it, or add 'publisher:'",
                partial(schema.read_source_meta, path.stem))
            # An unreadable file still counts as metadata: its seed is not 'missing metadata'.
            metas[path.stem] = meta or SourceMeta(path.stem)
        return metas

    def events(self, check: Checker) -> list[Event]:
        """Every event file, read and checked; an event whose file and check context are
        unchanged since a build that kept it is taken as it was checked then."""
        events: dict[str, Event] = {}
        first_seen: dict[str, str] = {}
        found: list[tuple[str, str]] = []
        duplicates: list[tuple[str, str]] = []
        for relpath in self.files.listed("content/events", YAML_SUFFIXES, recursive=True):
            event_id = _stem(relpath)
            if not fields.is_id(event_id):
                self.diagnostics.error(Location(relpath), f"'{event_id}' is not a valid event id "
                                       "(the file name is the id)", fields.id_hint(event_id))
                continue
            if event_id in first_seen:
                self.diagnostics.error(Location(relpath), f"duplicate event id '{event_id}' "
                                       f"(also {first_seen[event_id]})", "rename one of the files")
                duplicates.append((relpath, event_id))
                continue
            first_seen[event_id] = relpath
            found.append((relpath, event_id))
        todo = self._checked_before(found, events)
        done = self._check_in_parallel(todo, check)
        for relpath, event_id in todo:
            checked = done.get(relpath) or self._check_file(relpath, event_id, check)
            if checked is None:  # unreadable: reported
                continue
            event, reported = checked
            if event is not None:
                events[event_id] = event
            self.diagnostics.items.extend(reported)
        for relpath, event_id in duplicates:  # left out, but checked: its own errors count
            if self.files.inside(relpath) and (checked := self._check_file(relpath, event_id, check)):
                self.diagnostics.items.extend(checked[1])
        return [events[event_id] for _, event_id in found if event_id in events]

    def _check_file(self, relpath: str, event_id: str, check: Checker) -> Checked | None:
        """One event file read and checked here (and the check kept); None if unreadable."""
        own = Diagnostics()
        parsed = self.parses.parse_file("event", self.project.root / relpath, relpath,
                                  EVENT_HINT, own, event_reader(event_id, relpath))
        if parsed is None:
            self.diagnostics.items.extend(own.items)
            return None
        sha, event = parsed
        checked = check_event(check, event, tuple(own.items))
        if self.context is not None:
            self.cache.put("checked", digest(relpath, sha, self.context), dumps(checked))
        return checked

    def _checked_before(self, files: list[tuple[str, str]], events: dict[str, Event]
                        ) -> list[tuple[str, str]]:
        """The event files (relpath, id) still to be read and checked. The others lead
        outside the project (reported), or their check was kept by an earlier build under
        the file's digest and this build's check context: those are taken into `events`,
        with what they reported."""
        inside = [(r, i) for r, i in files if self.files.inside(r)]
        if self.context is None:
            return inside
        keys = {relpath: digest(relpath, self.digests[relpath], self.context)
                for relpath, _ in inside if relpath in self.digests}
        found = self.cache.get_many("checked", list(keys.values()))
        todo = []
        for relpath, event_id in inside:
            kept = found.get(keys.get(relpath, ""))
            if kept is None:
                todo.append((relpath, event_id))
                continue
            event, reported = self.cache.decode(Checked, kept)
            self.diagnostics.items.extend(reported)
            if event is not None:
                events[event_id] = event
        return todo

    def _check_in_parallel(self, files: list[tuple[str, str]], check: Checker
                           ) -> dict[str, Checked]:
        """Parse and check, in forked processes, the event files whose parse the cache does
        not hold, when there are enough of them to be worth it: {relpath: (checked event or
        None, what it reported)}, each kept as the serial path keeps it. The others, and
        files that cannot be read, are left to the caller."""
        if not can_fork(self.jobs, len(files), PARALLEL_MIN_FILES):
            return {}
        keys = {relpath: digest(relpath, self.digests[relpath])
                for relpath, _ in files if relpath in self.digests}
        self.parses.held = self.cache.get_many("event", list(keys.values()))  # for `_kept`
        todo = []
        for relpath, event_id in files:
            if keys.get(relpath) in self.parses.held:
                continue  # parsed before: only its check is left, cheap enough here
            if self.files.via_symlink(relpath):
                continue
            # What cannot be read is left to the caller, which reports it as `check` does.
            data = read_bytes(self.project.root / relpath, relpath, Diagnostics(), MAX_BYTES)
            if data is not None:
                todo.append((relpath, event_id, data))
        if len(todo) < PARALLEL_MIN_FILES:
            return {}

        def parse_and_check(start: int, stop: int
                            ) -> tuple[list[tuple[str, str, str, str]], dict[tuple[str, str], str]]:
            """(relpath, digest, parse, check) of each file, as text, and the quotes found."""
            found = MemoryCache(check.cache)
            checker = check.caching_in(found)
            out = []
            for relpath, event_id, data in todo[start:stop]:
                parsed = parse_bytes(data, relpath, EVENT_HINT, event_reader(event_id, relpath))
                out.append((relpath, file_sha(data), dumps(parsed),
                            dumps(check_event(checker, parsed[0], parsed[1]))))
            return out, found.made

        done = {}
        for part, quotes in in_workers(parse_and_check, len(todo), self.jobs):
            for (step, key), value in quotes.items():
                self.cache.put(step, key, value)
            for relpath, sha, parsed, checked in part:
                self.cache.put("event", digest(relpath, sha), parsed)
                if self.context is not None:
                    self.cache.put("checked", digest(relpath, sha, self.context), checked)
                done[relpath] = loads(Checked, checked)
        return done

    def _parsed(self, kind: str, path: Path, relpath: str, empty_hint: str,
                read: Callable[[Mapping, Diagnostics], Any]) -> Any:
        """`read(mapping, diagnostics)` of one YAML file whose content depends on nothing
        but its bytes and path; None if it cannot be read (see `_parse_file`)."""
        if not self.files.inside(relpath):
            return None
        parsed = self.parses.parse_file(kind, path, relpath, empty_hint, self.diagnostics, read)
        return None if parsed is None else parsed[1]

PUBLISHED = "content/static"  # files copied into the site's root as they are (CNAME, favicon)
PARALLEL_MIN_FILES = 500  # fewer event files to parse: starting processes costs more than it saves
PARALLEL_MIN_SEEDS = 200
EVENT_HINT = "an event needs at least 'title', 'date' and 'status'"


def _stem(relpath: str) -> str:
    return relpath.rpartition("/")[2].rpartition(".")[0]
