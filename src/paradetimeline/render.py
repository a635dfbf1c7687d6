"""Timeline -> every output file. Plans every page and renders it: into memory
(`render_site`, {relative path: bytes}), or straight into a staging folder that
`site.replace_site` then swaps in (`write_rendered`, which the build uses).

Templates get the model objects plus a few lookups prepared here, and `root`, the relative
prefix back to the site root ('' or '../'), so every link works from disk, at '/', and under
a sub-path such as '/paradetimeline/'.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from .errors import Diagnostic, Location
from .exports import export_files
from .filecache import ResultCache
from .markup import render_markdown
from .model import Timeline
from .pages import Page, plan_pages
from .site import safe_relpath
from .structured import event_jsonld, jsonld_script, source_jsonld
from .views import TimelineView

STATIC_DIR = "static"


class TemplateError(Exception):
    """A template failed to render; `diagnostic` names the template file and line."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


def make_environment(templates: Path, results: ResultCache | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = lambda text: jinja2.utils.markupsafe.Markup(
        render_markdown(text, results))
    env.filters["text_fragment"] = text_fragment
    env.filters["sentence_label"] = sentence_label
    env.filters["jsonld"] = jsonld_script
    env.globals["event_jsonld"] = event_jsonld
    env.globals["memo"] = Memo()
    env.globals["source_jsonld"] = source_jsonld
    return env


class Memo:
    """`{{ memo(event_item, event, view, root) }}` calls a macro once per distinct arguments.

    An event appears in the index and in the lists of each of its tags, people and places:
    rendering its list item once per build instead of once per list saves most of the time
    those pages take. Arguments compare by identity (strings and numbers by value); the
    memo keeps them alive, so an identity is never reused within a build."""

    def __init__(self) -> None:
        self.calls: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}

    def __call__(self, macro: Any, *args: Any) -> Any:
        key = (id(macro), *(a if isinstance(a, (str, int, type(None))) else id(a) for a in args))
        found = self.calls.get(key)
        if found is None:
            found = self.calls[key] = ((macro, *args), macro(*args))
        return found[1]


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
    encode = lambda s: quote(s, safe="")
    if len(parts) <= 2 * words:
        return f"#:~:text={encode(' '.join(parts))}"
    return f"#:~:text={encode(' '.join(parts[:words]))},{encode(' '.join(parts[-words:]))}"


def render_site(timeline: Timeline, templates: Path, *, jobs: int = 1) -> dict[str, bytes]:
    """Every output file of the site, as bytes, keyed by its '/'-separated path.

    With `jobs` > 1 and a large site, pages are rendered in that many forked processes;
    the result is the same, byte for byte.
    """
    files: dict[str, bytes] = {}
    for chunk in _run(timeline, templates, jobs, None):
        files.update(chunk)
    return files


def write_rendered(timeline: Timeline, templates: Path, folder: Path, *, jobs: int = 1,
                   results: ResultCache | None = None) -> list[str]:
    """Render every output file straight into `folder` (an empty staging folder, see
    site.replace_site) and return their paths. Each file is written by the process that
    rendered it, so the site is never held in memory whole."""
    return [path for chunk in _run(timeline, templates, jobs, folder, results) for path in chunk]


PARALLEL_MIN_PAGES = 400  # below this, starting processes costs more than it saves
Task = tuple[int, int]  # a range of the page plan; (-1, -1) stands for the export files
EXPORTS: Task = (-1, -1)
_WORK: tuple[jinja2.Environment, TimelineView, list[Page], Path | None, ResultCache] | None = None


def _run(timeline: Timeline, templates: Path, jobs: int, folder: Path | None,
         results: ResultCache | None = None) -> list[dict[str, bytes]]:
    """Render everything, in chunks; with a `folder`, each chunk is written there and comes
    back as {path: b''} (its names only)."""
    global _WORK
    results = results or ResultCache(None)
    env = make_environment(templates, results)
    view = TimelineView(timeline)
    pages = list(plan_pages(timeline, view))
    if folder is not None:
        for parent in sorted({p.path.rpartition("/")[0] for p in pages} - {""}):
            (folder / parent).mkdir(parents=True, exist_ok=True)
    static = {".nojekyll": b"", **_static_files(templates / STATIC_DIR)}
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if jobs <= 1 or len(pages) < PARALLEL_MIN_PAGES or not can_fork:
        chunks = [_render_task(env, view, pages, folder, EXPORTS),
                  _render_task(env, view, pages, folder, (0, len(pages)))]
    else:
        view.warm()  # compute shared lookups once, before the fork copies them
        for name in sorted({p.template for p in pages}):
            env.get_template(name)  # compile once, likewise
        step = -(-len(pages) // (jobs * 4))
        tasks = [EXPORTS] + [(start, min(start + step, len(pages)))
                             for start in range(0, len(pages), step)]
        _WORK = (env, view, pages, folder, results)
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                chunks = []
                for chunk, used in pool.map(_worker_task, tasks, chunksize=1):
                    chunks.append(chunk)
                    results.update(used)
        finally:
            _WORK = None
    for chunk in chunks:
        if isinstance(chunk, Diagnostic):
            raise TemplateError(chunk)
    chunks.append(_write(folder, static))
    return chunks  # type: ignore[return-value]


def _worker_task(task: Task) -> tuple[dict[str, bytes] | Diagnostic, dict[Any, Any]]:
    """In a worker: one task, and the cached results it used or made; a template error
    comes back as a value."""
    assert _WORK is not None
    env, view, pages, folder, results = _WORK
    try:
        return _render_task(env, view, pages, folder, task), results.take()
    except TemplateError as exc:
        return exc.diagnostic, results.take()


def _render_task(env: jinja2.Environment, view: TimelineView, pages: list[Page],
                 folder: Path | None, task: Task) -> dict[str, bytes]:
    if task == EXPORTS:
        files = {path: text.encode("utf-8") for path, text in export_files(view.timeline).items()}
        return _write(folder, files)
    start, stop = task
    out = {}
    for page in pages[start:stop]:
        context = {"site": view.timeline.config, "view": view, "root": "../" * page.path.count("/"),
                   "page_path": page.path, **page.context}
        out.update(_write(folder, {page.path: _render(env, page.template, context).encode("utf-8")}))
    return out


def _write(folder: Path | None, files: dict[str, bytes]) -> dict[str, bytes]:
    """Write `files` into `folder` and return their names (with empty bytes); without a
    folder, return `files` as they are."""
    if folder is None:
        return files
    for relpath, data in files.items():
        target = folder / safe_relpath(relpath)
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
    return dict.fromkeys(files, b"")


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = Location(f"templates/{exc.name or name}", exc.lineno or 1, 1)
        raise TemplateError(Diagnostic("error", where, f"template syntax: {exc.message}")) from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(Diagnostic("error", _template_location(exc, name),
                                       f"template error: {exc}")) from exc


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


def _static_files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        f"{STATIC_DIR}/{p.relative_to(folder).as_posix()}": p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }
