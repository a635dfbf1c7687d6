"""Read every file, resolve references, verify quotes, sort: the Timeline.

`load_timeline(root)` is the whole "read -> check -> model" half of the pipeline. It never
stops at the first problem: it returns the timeline it could build together with every
diagnostic, and the caller decides whether errors stop the build. Which files there are,
and which may be read, is `read/files.py`'s to say.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import stat
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, Diagnostics, Location, UsageError, did_you_mean
from ..incremental.results import ResultCache, derived_ident, digest, work_slices
from ..model import (
    Article,
    Event,
    SiteConfig,
    Source,
    SourceMeta,
    Timeline,
)
from ..read import fields, schema
from ..read.articles import parse_article
from ..read.files import YAML_SUFFIXES, Project, kind_of, link_problem, list_files, template_problems
from ..read.yamlfile import MAX_BYTES, Mapping, decode_utf8, parse_yaml, read_bytes, read_yaml
from .mentions import MENTIONS_STEP, scan_article
from .references import LIST_PAGES, RESERVED_ID, Checker, reserved

MAX_SEED_BYTES = 5_000_000


def load_timeline(root: Path | str, *, drafts: bool = False, results: ResultCache | None = None,
                  jobs: int = 1, digests: dict[str, str] | None = None
                  ) -> tuple[Timeline, Diagnostics]:
    """Read and check a whole project. Drafts are checked always, kept only with `drafts`.

    With `results`, event files, source metadata and seeds whose bytes were parsed before
    are not parsed again: the earlier result, and what it reported, are reused; so are the
    quotes found in an article (and, in `mentions`, its date phrases). Many event files
    that need parsing are parsed in `jobs` forked processes. `digests` ({project path:
    SHA-256} of every input, from the build's fingerprint) spares reading a file whose
    parse is kept under its digest, and an event file whose check is kept: the check of
    an event reads nothing but its file and the inputs that are not event files."""
    project = Project(Path(root))
    if not project.root.is_dir():
        raise UsageError(f"project root '{root}' is not a folder")
    diagnostics = Diagnostics()
    reader = _Reader(project, diagnostics, results or ResultCache(None), jobs, digests or {})
    reader.context = check_context(digests or {})

    reader.templates()
    config = reader.site()
    sources = reader.sources()
    people = reader.keyed("people.yaml", "person", schema.read_people)
    places = reader.keyed("places.yaml", "place", schema.read_places)
    anniversaries = reader.keyed("anniversaries.yaml", "anniversary", schema.read_anniversaries)
    check = Checker(diagnostics, sources, people, places, anniversaries, reader.broken)
    events = reader.events(check)
    anniversaries = {k: check.anniversary(a) for k, a in anniversaries.items()}
    commemorations = check.commemorations(config)
    published = tuple(sorted((e for e in events if drafts or not e.draft), key=Event.sort_key))
    timeline = Timeline(config, published, people, places, sources, anniversaries, commemorations)
    return timeline, diagnostics


class _Reader:
    """Reads each file kind, reporting unreadable files and duplicate ids."""

    def __init__(self, project: Project, diagnostics: Diagnostics, results: ResultCache,
                 jobs: int = 1, digests: dict[str, str] | None = None):
        self.project = project
        self.diagnostics = diagnostics
        self.results = results
        self.jobs = jobs
        self.digests = digests or {}
        # Ids whose definition was reported as broken, per kind ('person', ...; '*' = all of
        # that kind). References to them are not reported again as unknown.
        self.broken: dict[str, set[str]] = {}
        self.meta_paths: dict[str, str] = {}
        self._folders: dict[str, bool] = {}  # relpath -> whether a symlink is on its way
        self._links: dict[str, bool] = {}  # relpath of a listed file -> whether it is a symlink
        self._real_root = os.path.realpath(project.root)
        self.context: str | None = None  # see check_context

    def yaml(self, path: Path, empty_hint: str | None = None) -> Mapping | None:
        relpath = self.project.rel(path)
        if not self._inside(relpath) or not self._regular(path, relpath):
            return None
        return read_yaml(path, relpath, self.diagnostics, empty_hint=empty_hint)

    def _inside(self, relpath: str) -> bool:
        """Whether the file really lies in the project (and no symlink loop is on the way).
        Only a symlink on the way can lead out, so a path without one (nearly every path)
        is not resolved."""
        if not self._via_symlink(relpath):
            return True
        problem = link_problem(self.project.root / relpath, relpath, (self._real_root,))
        if problem is not None:
            self.diagnostics.items.append(problem)
        return problem is None

    def _regular(self, path: Path, relpath: str) -> bool:
        """Whether `path` is a regular file, or cannot be asked (reading it then says why).
        Anything else is an error: reading a FIFO would wait forever."""
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return True
        if stat.S_ISREG(mode):
            return True
        self.diagnostics.error(Location(relpath), f"not a regular file ({kind_of(mode)})",
                               "put a YAML file in its place")
        return False

    def _via_symlink(self, relpath: str) -> bool:
        """Whether `relpath`, or a folder on the way to it, is a symlink (or '..'); each
        folder is asked once, and a file listed by `_listed` not at all."""
        folder, _, name = relpath.rpartition("/")
        if folder:
            linked = self._folders.get(folder)
            if linked is None:
                linked = self._folders[folder] = self._via_symlink(folder)
            if linked:
                return True
        listed = self._links.get(relpath)
        if listed is not None:
            return listed
        return name == ".." or os.path.islink(os.path.join(self.project.root, relpath))

    def _listed(self, folder: str, suffixes: tuple[str, ...], recursive: bool = False
                ) -> list[str]:
        """The files `list_files` finds, noting which are symlinks."""
        found = list_files(self.project.root, folder, suffixes, self.diagnostics, recursive)
        self._links.update(found)
        return [relpath for relpath, _ in found]

    def _broken(self, kind: str, ids: set[str]) -> None:
        self.broken.setdefault(kind, set()).update(ids)

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

    def keyed(self, name: str, kind: str, read):  # type: ignore[no-untyped-def]
        """A file of `id: {fields}` records; ids of broken records are remembered."""
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
        metas = self._source_metas()
        seeds: list[tuple[str, SourceMeta, str, Any]] = []  # (id, metadata, text, cache key)
        for relpath in self._listed("seeds", (".txt",)):
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
            seeds.append((path.stem, meta, text,
                          ("article", path.stem, meta.boilerplate, digest(text))))
        parsed = self._parse_seeds_in_parallel(seeds)
        sources: dict[str, Source] = {}
        for source_id, meta, text, key in seeds:
            article = parsed.get(key) or self.results.get(key)
            if article is None:
                article = parse_article(source_id, text, meta.boilerplate)
                self.results.put(key, article)
            self.results.remember(article, key)  # what is derived from it is kept with it
            sources[source_id] = _merge(article, meta, self.diagnostics)
        for source_id in metas:
            self.diagnostics.error(Location(self.meta_paths[source_id]),
                                   f"no seed 'seeds/{source_id}.txt' for this metadata",
                                   did_you_mean(source_id, sources)
                                   or "name the file after its seed: content/sources/<seed>.yaml")
        return sources

    def _parse_seeds_in_parallel(self, seeds: list[tuple[str, SourceMeta, str, Any]]
                                 ) -> dict[Any, Article]:
        """Parse, in forked processes, the seeds whose parse the result cache does not hold,
        when there are enough of them to be worth it, and find their date phrases while at
        it (for coverage, which would otherwise start processes of its own): {cache key:
        article}. Both are kept as `sources` and `find_mentions` keep them."""
        global _SEEDS
        todo = [(key, source_id, text, meta.boilerplate)
                for source_id, meta, text, key in seeds if key not in self.results]
        if self.jobs <= 1 or len(todo) < PARALLEL_MIN_SEEDS \
                or "fork" not in multiprocessing.get_all_start_methods():
            return {}
        slices = work_slices(len(todo), self.jobs * 4)
        _SEEDS = todo
        parsed = {}
        try:
            with multiprocessing.get_context("fork").Pool(self.jobs) as pool:
                for part in pool.imap_unordered(_parse_seeds, slices):
                    for key, article, found in part:
                        self.results.put_pickled(key, article)
                        self.results.put_pickled((*MENTIONS_STEP, key), found)
                        parsed[key] = pickle.loads(article)
        finally:
            _SEEDS = None
        return parsed

    def _seed_text(self, path: Path, relpath: str) -> str | None:
        if not self._inside(relpath):
            return None
        data = read_bytes(path, relpath, self.diagnostics, MAX_SEED_BYTES)
        return None if data is None else decode_utf8(data, relpath, self.diagnostics)

    def _source_metas(self) -> dict[str, SourceMeta]:
        metas = {}
        for relpath in self._listed("content/sources", YAML_SUFFIXES):
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
        for relpath in self._listed("content/events", YAML_SUFFIXES, recursive=True):
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
            if relpath in done:
                _, event, reported = done[relpath]
            else:
                checked = self._check_file(relpath, event_id, check)
                if checked is None:  # unreadable: reported
                    continue
                event, reported, _ = checked
            if event is not None:
                events[event_id] = event
            self.diagnostics.items.extend(reported)
        for relpath, event_id in duplicates:  # left out, but checked: its own errors count
            if self._inside(relpath) and (checked := self._check_file(relpath, event_id, check)):
                self.diagnostics.items.extend(checked[1])
        return [events[event_id] for _, event_id in found if event_id in events]

    def _check_file(self, relpath: str, event_id: str, check: Checker) -> Checked | None:
        """One event file read and checked here (and the check kept); None if unreadable."""
        own = Diagnostics()
        parsed = self._parse_file("event", self.project.root / relpath, relpath,
                                  EVENT_HINT, own, _event_reader(event_id, relpath))
        if parsed is None:
            self.diagnostics.items.extend(own.items)
            return None
        sha, event = parsed
        checked = _check_event(check, event, tuple(own.items))
        if self.context is not None:
            self.results.put(("checked", relpath, sha, self.context), checked)
        return checked

    def _checked_before(self, files: list[tuple[str, str]], events: dict[str, Event]
                        ) -> list[tuple[str, str]]:
        """The event files (relpath, id) still to be read and checked. The others lead
        outside the project (reported), or their check was kept by an earlier build under
        the file's digest and this build's check context: those are taken into `events`,
        with what they reported."""
        inside = [(r, i) for r, i in files if self._inside(r)]
        if self.context is None:
            return inside
        todo = []
        for relpath, event_id in inside:
            sha = self.digests.get(relpath)
            key = ("checked", relpath, sha, self.context)
            kept = None if sha is None else self.results.get(key)
            if kept is None:
                todo.append((relpath, event_id))
                continue
            event, reported, quotes = kept
            # Its parse, and where its quotes were found, for a build whose context changes.
            self.results.touch(("event", relpath, key[2]))
            self.results.touch_idents(quotes)
            self.diagnostics.items.extend(reported)
            if event is not None:
                events[event_id] = event
        return todo

    def _check_in_parallel(self, files: list[tuple[str, str]], check: Checker
                           ) -> dict[str, tuple[str, Event | None, tuple[Diagnostic, ...]]]:
        """Parse and check, in forked processes, the event files whose parse the result
        cache does not hold, when there are enough of them to be worth it: {relpath:
        (digest, checked event or None, what it reported)}, each kept as the serial path
        keeps it. The others, and files that cannot be read, are left to the caller."""
        global _PARSE
        if self.jobs <= 1 or len(files) < PARALLEL_MIN_FILES \
                or "fork" not in multiprocessing.get_all_start_methods():
            return {}
        todo = []
        for relpath, event_id in files:
            sha = self.digests.get(relpath)
            if sha is not None and ("event", relpath, sha) in self.results:
                continue  # parsed before: only its check is left, cheap enough here
            if self._via_symlink(relpath):
                continue
            # What cannot be read is left to the caller, which reports it as `check` does.
            data = read_bytes(self.project.root / relpath, relpath, Diagnostics(), MAX_BYTES)
            if data is not None:
                todo.append((relpath, event_id, data))
        if len(todo) < PARALLEL_MIN_FILES:
            return {}
        slices = work_slices(len(todo), self.jobs * 4)
        _PARSE = (todo, check, self.results)
        done = {}
        try:
            with multiprocessing.get_context("fork").Pool(self.jobs, self.results.forked) as pool:
                for made, checked, used in pool.imap_unordered(_check_events, slices):
                    for key, blob in made.items():
                        self.results.put_pickled(key, blob)
                    self.results.update(used)  # the quotes it looked up
                    for relpath, (sha, blob) in checked.items():
                        if self.context is not None:
                            self.results.put_pickled(("checked", relpath, sha, self.context),
                                                     blob)
                        event, reported, _ = pickle.loads(blob)
                        done[relpath] = (sha, event, reported)
        finally:
            _PARSE = None
        return done

    def _kept(self, kind: str, relpath: str) -> tuple[str, Any] | None:
        """(digest, kept parse) of a file whose digest is known without reading it; else None."""
        sha = self.digests.get(relpath)
        found = None if sha is None else self.results.get((kind, relpath, sha))
        return None if found is None else (sha, found)  # type: ignore[return-value]

    def _parsed(self, kind: str, path: Path, relpath: str, empty_hint: str,
                read: Callable[[Mapping, Diagnostics], Any]) -> Any:
        """`read(mapping, diagnostics)` of one YAML file whose content depends on nothing
        but its bytes and path; None if it cannot be read (see `_parse_file`)."""
        if not self._inside(relpath):
            return None
        parsed = self._parse_file(kind, path, relpath, empty_hint, self.diagnostics, read)
        return None if parsed is None else parsed[1]

    def _parse_file(self, kind: str, path: Path, relpath: str, empty_hint: str,
                    diagnostics: Diagnostics, read: Callable[[Mapping, Diagnostics], Any]
                    ) -> tuple[str, Any] | None:
        """(SHA-256 of the bytes, what `read` made of them) for a file inside the project;
        None if it cannot be read (reported). Read again only if its bytes changed since
        it was last read: the earlier result, and what it reported, are reused."""
        kept = self._kept(kind, relpath)
        if kept is not None:
            sha, found = kept
        else:
            data = read_bytes(path, relpath, diagnostics, MAX_BYTES)
            if data is None:
                return None
            sha = digest(data)
            key = (kind, relpath, sha)
            found = self.results.get(key)
            if found is None:
                found = _parse(data, relpath, empty_hint, read)
                self.results.put(key, found)
        value, reported = found
        diagnostics.items.extend(reported)
        return sha, value


def _parse(data: bytes, relpath: str, empty_hint: str,
           read: Callable[[Mapping, Diagnostics], Any]) -> tuple[Any, tuple[Any, ...]]:
    """(what `read` made of a YAML file's bytes, or None; what it reported)."""
    own = Diagnostics()
    text = decode_utf8(data, relpath, own)
    mapping = None if text is None else parse_yaml(text, relpath, own, empty_hint=empty_hint)
    return (None if mapping is None else read(mapping, own), tuple(own.items))


PARALLEL_MIN_FILES = 500  # fewer event files to parse: starting processes costs more than it saves
EVENT_HINT = "an event needs at least 'title', 'date' and 'status'"
_PARSE: tuple[list[tuple[str, str, bytes]], Checker, ResultCache] | None = None
Checked = tuple[Event | None, tuple[Diagnostic, ...], tuple[bytes, ...]]


def _check_events(part: tuple[int, int]
                  ) -> tuple[dict[Any, bytes], dict[str, tuple[str, bytes]], dict[bytes, Any]]:
    """In a forked worker: parse and check a slice of `_PARSE`. Returns the parses as
    result cache entries (keyed as `_Reader._parse_file` keys them), {relpath: (digest,
    the pickled `_check_event`)}, and the cached results the checks used or made."""
    assert _PARSE is not None
    files, check, results = _PARSE
    made, checked = {}, {}
    for relpath, event_id, data in files[part[0]:part[1]]:
        sha = digest(data)
        event, reported = _parse(data, relpath, EVENT_HINT, _event_reader(event_id, relpath))
        made["event", relpath, sha] = pickle.dumps((event, reported),
                                                   protocol=pickle.HIGHEST_PROTOCOL)
        checked[relpath] = sha, pickle.dumps(_check_event(check, event, reported),
                                             protocol=pickle.HIGHEST_PROTOCOL)
    return made, checked, results.take()


PARALLEL_MIN_SEEDS = 200
_SEEDS: list[tuple[Any, str, str, tuple[str, ...]]] | None = None


def _parse_seeds(part: tuple[int, int]) -> list[tuple[Any, bytes, bytes]]:
    """In a forked worker: (cache key, pickled article, pickled mentions) of a slice of
    `_SEEDS`."""
    assert _SEEDS is not None
    out = []
    for key, source_id, text, boilerplate in _SEEDS[part[0]:part[1]]:
        article = parse_article(source_id, text, boilerplate)
        out.append((key, pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL),
                    pickle.dumps(scan_article(article), protocol=pickle.HIGHEST_PROTOCOL)))
    return out


def _check_event(check: Checker, event: Event | None, reported: tuple[Diagnostic, ...]
                 ) -> Checked:
    """(the event with its references and quotes resolved, what its parse and check
    reported, where its quotes were found): what a build keeps of an event's check."""
    own = Diagnostics()
    own.items.extend(reported)
    if event is not None:
        event = check.reporting_to(own).event(event)
    return event, tuple(own.items), _quote_idents(event, check.sources)


def _event_reader(event_id: str, relpath: str) -> Callable[[Mapping, Diagnostics], Event | None]:
    return lambda mapping, own: schema.read_event(event_id, relpath, mapping, own)


def _stem(relpath: str) -> str:
    return relpath.rpartition("/")[2].rpartition(".")[0]


def _merge(article, meta: SourceMeta, diagnostics: Diagnostics) -> Source:  # type: ignore[no-untyped-def]
    """The article's own statements first; metadata fills what the text does not state."""
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
    return Source(meta.id, article, values["headline"], meta.publisher, values["byline"],
                  values["published"], values["url"], tuple(origin), meta.notes)


def _quote_idents(event: Event | None, sources: dict[str, Source]) -> tuple[bytes, ...]:
    """Where the result cache keeps the quotes of `event`, as found in their articles."""
    if event is None:
        return ()
    found = (derived_ident(sources[c.source].article, ("quote", c.quote))
             for c in event.sources if c.source in sources)
    return tuple(name for name in found if name is not None)


def check_context(digests: dict[str, str]) -> str | None:
    """A digest of every input the check of an event reads besides its own file: the
    project's other content and seeds, and the package's code (`digests` holds the
    fingerprint's {path: SHA-256}, code included); None when they are not known."""
    if not digests:
        return None
    shared = sorted((name, sha) for name, sha in digests.items()
                    if not name.startswith(("content/events/", "templates/")))
    return digest(repr(shared))
