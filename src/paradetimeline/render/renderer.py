"""Timeline -> every output file. Plans every page and renders it: into memory
(`render_site`, {relative path: bytes}), or straight into a staging folder that
`site.replace_site` then swaps in (`write_rendered`, which the build uses).

Templates get the model objects plus a few lookups prepared here, and `root`, the relative
prefix back to the site root ('' or '../'), so every link works from disk, at '/', and under
a sub-path such as '/paradetimeline/'.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from ..check.mentions import Mention
from ..errors import Diagnostic, Location
from ..exports.files import export_file, export_names
from ..incremental.pieces import KeptPieces, PieceStore
from ..incremental.tracking import (
    Answer,
    KeptReads,
    PageReads,
    PageRecord,
    Query,
    Tracker,
    everything_digest,
)
from ..memory import release_free_memory
from ..model import Event, Timeline
from ..plain import MemoryCache, SharedCache
from ..read.files import template_problem
from ..write.output import safe_relpath
from .filedata import FileData, joined, output_digest, utf8_blocks, write_all
from .jsonld import event_jsonld, jsonld_script, source_jsonld
from .markup import render_markdown
from .pages import Page, plan_pages
from .views import TimelineView

STATIC_DIR = "static"


class TemplateError(Exception):
    """A template failed to render; `diagnostic` names the template file and line."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


class TrackingEnvironment(jinja2.Environment):
    """A Jinja environment that tells its `tracker` what templates read: events (by their
    attributes) and the view's lookups (see tracking.py). Without a tracker, plain Jinja."""

    tracker: Tracker | None = None

    def getattr(self, obj: Any, attribute: str) -> Any:
        tracker = self.tracker
        if tracker is not None and type(obj) in _WATCHED:
            kind = type(obj)
            if kind is Event:
                tracker.read_event(obj)
            elif kind is TimelineView:
                with contextlib.suppress(AttributeError):
                    return tracker.ask(obj, attribute)
            elif attribute == "events":
                tracker.read_all()
        try:  # jinja2.Environment.getattr, inlined: templates call this a million times
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        tracker = self.tracker
        if tracker is not None:
            kind = type(obj)
            if kind is Event:
                tracker.read_event(obj)
            elif kind is TimelineView and isinstance(argument, str):
                with contextlib.suppress(AttributeError):
                    return tracker.ask(obj, argument)
            elif kind is Timeline and argument == "events":
                tracker.read_all()
        return super().getitem(obj, argument)


_WATCHED = frozenset({Event, TimelineView, Timeline})


class TemplateLoader(jinja2.FileSystemLoader):
    """Jinja's FileSystemLoader, which follows symlinks anywhere, held to the rule for
    content: a template that leads out of the project (or the templates folder), or is
    not a regular file (a FIFO would hang the build), is a TemplateError."""

    def __init__(self, templates: Path):
        super().__init__(str(templates))
        self.templates = templates

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Any]:
        name = "/".join(jinja2.loaders.split_template_path(template))
        problem = template_problem(self.templates, name)
        if problem is not None:
            raise TemplateError(problem)
        return super().get_source(environment, template)


def make_environment(templates: Path, results: SharedCache | None = None,
                     tracker: Tracker | None = None) -> TrackingEnvironment:
    env = TrackingEnvironment(
        loader=TemplateLoader(templates),
        auto_reload=False,  # templates do not change during a build: no stat per page
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tracker = tracker
    env.filters["markdown"] = lambda text: Markup(
        render_markdown(text, results))
    env.filters["text_fragment"] = text_fragment
    env.filters["sentence_label"] = sentence_label
    env.filters["jsonld"] = jsonld_script
    env.globals["event_jsonld"] = event_jsonld
    env.globals["memo"] = Memo(env)
    env.globals["source_jsonld"] = source_jsonld
    return env


HELD_OUTPUT = 64 * 1024  # longer outputs (a year of the index) are not held for the build


class Memo:
    """`{{ memo(event_item, event, view, root) }}` calls a macro once per distinct arguments.

    An event appears in the index and in the lists of each of its tags, people and places:
    rendering its list item once per build instead of once per list saves most of the time
    those pages take. Arguments compare by identity (strings and numbers by value); the
    memo keeps them alive, so an identity is never reused within a build. What the macro
    read counts for every page that uses its output. Outputs longer than HELD_OUTPUT are
    not held in memory: they are the sections of one page, asked for once. Nothing is
    kept between builds."""

    def __init__(self, env: TrackingEnvironment) -> None:
        self.env = env
        # key -> (the arguments, kept alive; output; reads)
        self.calls: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any, KeptReads | None]] = {}

    def __call__(self, macro: Any, *args: Any) -> Any:
        key = (id(macro), *(a if isinstance(a, (str, int, type(None))) else id(a) for a in args))
        tracker = self.env.tracker
        found = self.calls.get(key)
        if found is None:
            if tracker is None:
                found = ((macro, *args), macro(*args), None)
            else:
                found = ((macro, *args), *self._tracked(tracker, macro, args))
            if len(found[1]) <= HELD_OUTPUT:
                self.calls[key] = found
        elif tracker is not None and found[2] is not None:
            tracker.replay(found[2])
        return found[1]

    def forget(self, kept: int) -> None:
        """Drop all but the first `kept` outputs: a worker that rendered the index would
        otherwise hold 10,000 list items no other page of its shows (24 MB)."""
        for key in list(self.calls)[kept:]:
            del self.calls[key]

    def _tracked(self, tracker: Tracker, macro: Any, args: tuple[Any, ...]
                 ) -> tuple[Any, KeptReads]:
        """The macro's output, and what it read."""
        with tracker.frame() as reads:
            output = macro(*args)
        return output, KeptReads.of(reads)


def sentence_label(anchors: str | tuple[str, ...] | list[str]) -> str:
    """('p3-s1', 'p3-s2') -> 'paragraph 3, sentences 1–2': anchors in words for readers."""
    if isinstance(anchors, str):
        anchors = (anchors,)
    parts = [a.removeprefix("p").split("-s") for a in anchors]
    paragraphs = sorted({int(p) for p, _ in parts})
    sentences = sorted(int(s) for _, s in parts)
    where = ", ".join(str(p) for p in paragraphs)
    noun = "paragraphs" if len(paragraphs) > 1 else "paragraph"
    if len(sentences) == 1:
        return f"{noun} {where}, sentence {sentences[0]}"
    return f"{noun} {where}, sentences {sentences[0]}–{sentences[-1]}"


def text_fragment(text: str, words: int = 4) -> str:
    """A '#:~:text=' fragment that makes a browser scroll to `text` on the original page."""
    parts = text.split()

    def encode(words: str) -> str:
        return quote(words, safe="")

    if len(parts) <= 2 * words:
        return f"#:~:text={encode(' '.join(parts))}"
    return f"#:~:text={encode(' '.join(parts[:words]))},{encode(' '.join(parts[-words:]))}"


def render_site(timeline: Timeline, templates: Path, *, jobs: int = 1) -> dict[str, bytes]:
    """Every output file of the site, as bytes, keyed by its '/'-separated path.

    With `jobs` > 1 and a large site, pages are rendered in that many forked processes;
    the result is the same, byte for byte.
    """
    files: dict[str, bytes] = {}
    for chunk in _run(Job(timeline, templates, None, MemoryCache(), None), jobs):
        files.update(chunk.files)
    return files


@dataclass
class Rendered:
    """What `write_rendered` wrote, what it reused, and what each page read (tracking.py)."""

    paths: list[str] = field(default_factory=list)  # the files written
    outputs: dict[str, str] = field(default_factory=dict)  # every file rendered: its digest
    reused: set[str] = field(default_factory=set)  # pages left as the earlier build wrote them
    reads: dict[str, PageReads] = field(default_factory=dict)
    answers: dict[Query, Answer] = field(default_factory=dict)
    pieces: KeptPieces | None = None  # where each event's piece of the exports lies


def write_rendered(timeline: Timeline, templates: Path, folder: Path, *, jobs: int = 1,
                   results: SharedCache | None = None, tracker: Tracker | None = None,
                   earlier: PageRecord | None = None, previous: dict[str, str] | None = None,
                   pieces: PieceStore | None = None,
                   mentions: dict[str, list[Mention]] | None = None) -> Rendered:
    """Render the output files straight into `folder` (a staging folder, see write/output.py).

    With the `earlier` build's record (whose shared inputs were the same as now), only what
    changed is rendered: pages the record cannot vouch for, and the export files if the event
    list changed. With `previous` ({path: digest} of the files in the output folder), a file
    whose bytes it already holds is not written again. Each file is written by the process
    that rendered it, so the site is never held in memory whole. `pieces` keeps the
    exports' pieces of unchanged events (pieces.py). `mentions`, if given, must be
    `mentions_by_source(timeline)`, made already (by the coverage check)."""
    job = Job(timeline, templates, folder, results or MemoryCache(), tracker, earlier,
              previous, pieces, mentions)
    done = Rendered()
    try:
        for chunk in _run(job, jobs):
            done.paths.extend(chunk.files)
            done.reused.update(chunk.reused)
            done.outputs.update(chunk.outputs)
            done.reads.update(chunk.reads)
            done.answers.update(chunk.answers)
            if chunk.pieces is not None:  # each export's, from whichever worker made it
                done.pieces = chunk.pieces if done.pieces is None else KeptPieces(
                    chunk.pieces.context, {**done.pieces.files, **chunk.pieces.files})
    finally:
        if tracker is not None:  # it lives as long as the templates, which outlive the model
            tracker.view = None
    return done


@dataclass(frozen=True)
class Job:
    timeline: Timeline
    templates: Path
    folder: Path | None  # None: keep the files in memory
    results: SharedCache
    tracker: Tracker | None
    earlier: PageRecord | None = None
    previous: dict[str, str] | None = None
    pieces: PieceStore | None = None
    mentions: dict[str, list[Mention]] | None = None


@dataclass
class Chunk:
    files: dict[str, bytes] = field(default_factory=dict)  # with a folder: names written, b""
    outputs: dict[str, str] = field(default_factory=dict)  # with a tracker: every file's digest
    reads: dict[str, PageReads] = field(default_factory=dict)
    answers: dict[Query, Answer] = field(default_factory=dict)
    pieces: KeptPieces | None = None
    reused: set[str] = field(default_factory=set)  # pages the earlier build's record vouches for


PARALLEL_MIN_PAGES = 400  # below this, starting processes costs more than it saves
Task = tuple[int, int]  # a range of the pages to render; (EXPORT, n) stands for export file n
EXPORT = -1
_WORK: tuple[TrackingEnvironment, TimelineView, list[Page], Job] | None = None


def _run(job: Job, jobs: int) -> list[Chunk]:
    """Render what the job asks for, in chunks (in forked workers for a large site). With
    an earlier build's record, each task first asks it which of its pages it vouches for
    (see `_render_task`), so the workers share that out too."""
    global _WORK
    env = make_environment(job.templates, job.results, job.tracker)
    view = TimelineView(job.timeline, job.mentions)
    if job.tracker is not None:
        job.tracker.view = view
    pages = list(plan_pages(job.timeline, view))
    exports = static = True
    sure = len(pages)  # pages rendered whatever the record says
    if job.earlier is not None and job.tracker is not None:
        everything = everything_digest(job.timeline, job.tracker.keys)
        exports, static = everything != job.earlier.everything, False
        job.earlier.tell(job.tracker, view, everything)  # before the fork: each worker asks
        sure = sum(job.earlier.must_render(p.path, everything) for p in pages)
    if job.folder is not None:
        for parent in sorted({p.path.rpartition("/")[0] for p in pages} - {""}):
            (job.folder / parent).mkdir(parents=True, exist_ok=True)
    tasks = _ranges(pages, jobs, len(export_names(job.timeline)) if exports else 0)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    large = len(job.timeline.events) + sure >= PARALLEL_MIN_PAGES
    if jobs <= 1 or not large or len(tasks) < 2 or not can_fork:
        chunks: list[Chunk | Diagnostic] = [_render_task(env, view, pages, job, task) for task in tasks]
    else:
        view.warm()  # compute shared lookups once, before the fork copies them
        for name in sorted({p.template for p in pages}):
            with _located(name):
                env.get_template(name)  # compile once, likewise
        _WORK = (env, view, pages, job)
        release_free_memory()  # or each worker counts what loading freed, again
        try:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
                # As each task ends, not in order: in order, everything the workers made
                # while the longest task ran would wait in memory for it to end.
                done: dict[int, Chunk | Diagnostic] = {}
                for number, chunk, used in pool.imap_unordered(_worker_task, enumerate(tasks)):
                    if isinstance(chunk, Chunk) and job.tracker is not None:
                        chunk.reads, chunk.answers = job.tracker.adopt(chunk.reads, chunk.answers)
                        if chunk.pieces is not None:
                            chunk.pieces = job.tracker.adopt_pieces(chunk.pieces)
                    done[number] = chunk
                    job.results.update(used)
                    del used
                chunks = [done[n] for n in range(len(tasks))]
        finally:
            _WORK = None
    rendered = []
    for chunk in chunks:
        if isinstance(chunk, Diagnostic):
            raise TemplateError(chunk)
        rendered.append(chunk)
    if static:
        files = {".nojekyll": b"", **_static_files(job.templates)}
        rendered.append(Chunk())
        _write(job, files, rendered[-1])
    cast(Memo, env.globals["memo"]).forget(0)  # its keys hold the model, which it outlives
    return rendered


def _ranges(pages: list[Page], jobs: int, exports: int = 0) -> list[Task]:
    """Tasks for the workers, the longest first, so that they finish together.

    The pages that list events (people, tags, ...) go in as few tasks as there are pairs
    of workers: a worker renders an event's list item once for all its lists. Each
    site-wide page (the index, provenance, lists) and each of the `exports` export files
    goes alone, as any one of them may take as long as a thousand event pages: the
    provenance report and the index, the longest, first. The event pages, all alike, come
    last, in ranges small enough that the last to finish holds the other workers up but
    briefly."""
    alone = [n for n, p in enumerate(pages) if "/" not in p.path or p.path.endswith("/index.html")]
    single = set(alone)
    lists = [n for n, p in enumerate(pages) if n not in single and p.template != "event.html"]
    events = [n for n, p in enumerate(pages) if p.template == "event.html"]
    longest = sorted((n for n in alone if pages[n].path in LONGEST),
                     key=lambda n: LONGEST.index(pages[n].path))
    tasks: list[Task] = []
    for share in _shares(lists, -(-jobs // 2)):
        tasks.extend(_contiguous(share))
    tasks.extend((n, n + 1) for n in longest)
    tasks.extend((EXPORT, n) for n in range(exports))
    tasks.extend((n, n + 1) for n in alone if pages[n].path not in LONGEST)
    for share in _shares(events, jobs * RANGES_PER_WORKER):
        tasks.extend(_contiguous(share))
    return tasks


RANGES_PER_WORKER = 16
LONGEST = ("provenance.html", "index.html")  # the site-wide pages that take the longest


def _shares(numbers: list[int], parts: int) -> list[list[int]]:
    """`numbers` cut into at most `parts` runs of about the same length."""
    step = max(1, -(-len(numbers) // max(1, parts)))
    return [numbers[first:first + step] for first in range(0, len(numbers), step)]


def _contiguous(numbers: list[int]) -> list[Task]:
    """[3, 4, 5, 9] -> [(3, 6), (9, 10)]."""
    tasks: list[Task] = []
    for n in numbers:
        if tasks and tasks[-1][1] == n:
            tasks[-1] = (tasks[-1][0], n + 1)
        else:
            tasks.append((n, n + 1))
    return tasks


def _worker_task(numbered: tuple[int, Task]) -> tuple[int, Chunk | Diagnostic, dict[Any, Any]]:
    """In a worker: one task (with its number), and the cached results it used or made;
    a template error comes back as a value."""
    assert _WORK is not None
    env, view, pages, job = _WORK
    number, task = numbered
    try:
        return number, _render_task(env, view, pages, job, task), job.results.take()
    except TemplateError as exc:
        return number, exc.diagnostic, job.results.take()


def _render_task(env: TrackingEnvironment, view: TimelineView, pages: list[Page], job: Job,
                 task: Task) -> Chunk:
    tracker = job.tracker
    chunk = Chunk()
    if task[0] == EXPORT:
        store = job.pieces or PieceStore()
        path = export_names(view.timeline)[task[1]]
        _write(job, {path: export_file(view.timeline, path, store)}, chunk)
        spans = store.made.files.get(path)  # its own file's only: see write_rendered
        chunk.pieces = KeptPieces(store.made.context, {path: spans} if spans else {})
        return chunk
    start, stop = task
    todo = pages[start:stop]
    if job.earlier is not None and tracker is not None and tracker.since is not None:
        chunk.reused = job.earlier.reusable([(p.path, p.context) for p in todo], tracker, view,
                                            tracker.since.everything)
        todo = [p for p in todo if p.path not in chunk.reused]
    memo = cast(Memo, env.globals["memo"])
    made_before = len(memo.calls)
    for page in todo:
        context = {"site": view.timeline.config, "view": view, "root": "../" * page.path.count("/"),
                   "page_path": page.path, **page.context}
        if tracker is None:
            html = _render(env, page.template, context)
        else:
            with tracker.frame() as reads:
                html = _render(env, page.template, context)
            chunk.reads[page.path] = tracker.page(page.context, reads)
        _write(job, {page.path: html}, chunk)
        del html
    if stop - start == 1 and "/" not in pages[start].path:
        memo.forget(made_before)  # the index's list items are seen on no other page
    if tracker is not None:
        chunk.answers, tracker.answers = tracker.answers, {}
    return chunk


def _write(job: Job, files: Mapping[str, FileData], chunk: Chunk) -> None:
    """Write `files` into the job's folder, but not those the output folder already holds
    (see `write_rendered`); without a folder, keep them in the chunk as they are."""
    for relpath, data in files.items():
        if job.folder is None:
            chunk.files[relpath] = joined(data)
            continue
        if job.tracker is not None:
            chunk.outputs[relpath] = output = output_digest(data)
            if job.previous is not None and job.previous.get(relpath) == output:
                continue
        target = job.folder / safe_relpath(relpath)
        try:  # os calls, not open(): half the system calls for each of 12,000 files
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        except FileNotFoundError:  # its folder is not there yet
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            write_all(descriptor, data)
        finally:
            os.close(descriptor)
        chunk.files[relpath] = b""


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> FileData:
    """The page as UTF-8, encoded as it is made (see `utf8_blocks`): the index of 10,000
    events is 12 MB."""
    with _located(name):
        blocks = utf8_blocks(env.get_template(name).generate(context))
        return blocks[0] if len(blocks) == 1 else blocks


@contextlib.contextmanager
def _located(name: str) -> Iterator[None]:
    """Turn any error in loading or rendering the template `name` (`{{ 1 // 0 }}` as much
    as a syntax error) into a TemplateError that names the template file and line."""
    try:
        yield
    except TemplateError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        where = Location(f"templates/{exc.name or name}", exc.lineno or 1, 1)
        raise TemplateError(Diagnostic("error", where, f"template syntax: {exc.message}")) from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(Diagnostic("error", _template_location(exc, name),
                                       f"template error: {exc}")) from exc
    except Exception as exc:
        raise TemplateError(Diagnostic("error", _template_location(exc, name),
                                       f"template error: {type(exc).__name__}: {exc}")) from exc


def _template_location(exc: Exception, name: str) -> Location:
    """The innermost template frame of a runtime error: file and line for the message."""
    tb = exc.__traceback__
    found = Location(f"templates/{name}")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html") and "templates" in filename.replace("\\", "/"):
            template_name = filename.replace("\\", "/").rsplit("templates/", 1)[-1]
            template = tb.tb_frame.f_globals.get("__jinja_template__")
            line = template.get_corresponding_lineno(tb.tb_lineno) if template else tb.tb_lineno
            found = Location(f"templates/{template_name}", line, 1)
        tb = tb.tb_next
    return found


def _static_files(templates: Path) -> dict[str, bytes]:
    """The files of templates/static/, to copy into the site as they are. Each must pass
    `template_problem`: a link to /proc/self/environ would publish the environment."""
    folder = templates / STATIC_DIR
    if not folder.is_dir():
        return {}
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.name.startswith(".") or path.is_dir():
            continue  # a symlinked folder is not entered, as by the build's fingerprint
        name = path.relative_to(templates).as_posix()
        problem = template_problem(templates, name)
        if problem is not None:
            raise TemplateError(problem)
        try:
            files[name] = path.read_bytes()
        except OSError as exc:
            raise TemplateError(Diagnostic("error", Location(f"templates/{name}"),
                                           f"cannot read file: {exc.strerror}")) from exc
    return files
