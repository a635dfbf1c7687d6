"""Timeline -> {relative path: bytes}. Plans every page and renders it; writes nothing.

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
from .markup import render_markdown
from .model import Timeline
from .pages import Page, plan_pages
from .structured import event_jsonld, jsonld_script, source_jsonld
from .views import TimelineView

STATIC_DIR = "static"


class TemplateError(Exception):
    """A template failed to render; `diagnostic` names the template file and line."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


def make_environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = lambda text: jinja2.utils.markupsafe.Markup(render_markdown(text))
    env.filters["text_fragment"] = text_fragment
    env.filters["sentence_label"] = sentence_label
    env.filters["jsonld"] = jsonld_script
    env.globals["event_jsonld"] = event_jsonld
    env.globals["source_jsonld"] = source_jsonld
    return env


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
    the result is the same, byte for byte, in the same order.
    """
    env = make_environment(templates)
    view = TimelineView(timeline)
    pages = list(plan_pages(timeline, view))
    rendered, exports = _render_pages(env, view, pages, jobs)
    files = dict(zip((p.path for p in pages), rendered, strict=True))
    files.update({path: text.encode("utf-8") for path, text in exports.items()})
    files[".nojekyll"] = b""
    files.update(_static_files(templates / STATIC_DIR))
    return files


PARALLEL_MIN_PAGES = 400  # below this, starting processes costs more than it saves
_WORK: tuple[jinja2.Environment, TimelineView, list[Page]] | None = None


def _render_pages(env: jinja2.Environment, view: TimelineView, pages: list[Page],
                  jobs: int) -> tuple[list[bytes], dict[str, str]]:
    """The pages' bytes, in order, and the export files; with jobs > 1, in a process pool
    where the exports are one more task beside the page chunks."""
    global _WORK
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if jobs <= 1 or len(pages) < PARALLEL_MIN_PAGES or not can_fork:
        return _render_range(env, view, pages, 0, len(pages)), export_files(view.timeline)
    view.warm()  # compute shared lookups once, before the fork copies them
    for name in sorted({p.template for p in pages}):
        env.get_template(name)  # compile once, likewise
    _WORK = (env, view, pages)
    step = -(-len(pages) // (jobs * 4))
    ranges = [(start, min(start + step, len(pages))) for start in range(0, len(pages), step)]
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            exports = pool.apply_async(_export_task)
            chunks = pool.map(_render_chunk, ranges)
            export_texts = exports.get()
    finally:
        _WORK = None
    rendered: list[bytes] = []
    for chunk in chunks:
        if isinstance(chunk, Diagnostic):
            raise TemplateError(chunk)
        rendered.extend(chunk)
    return rendered, export_texts


def _export_task() -> dict[str, str]:
    assert _WORK is not None
    return export_files(_WORK[1].timeline)


def _render_chunk(bounds: tuple[int, int]) -> list[bytes] | Diagnostic:
    """In a worker: render pages[start:stop]; a template error comes back as a value."""
    assert _WORK is not None
    env, view, pages = _WORK
    try:
        return _render_range(env, view, pages, *bounds)
    except TemplateError as exc:
        return exc.diagnostic


def _render_range(env: jinja2.Environment, view: TimelineView, pages: list[Page],
                  start: int, stop: int) -> list[bytes]:
    out = []
    for page in pages[start:stop]:
        context = {"site": view.timeline.config, "view": view, "root": "../" * page.path.count("/"),
                   "page_path": page.path, **page.context}
        out.append(_render(env, page.template, context).encode("utf-8"))
    return out


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
