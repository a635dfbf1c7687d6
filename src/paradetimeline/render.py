"""Timeline -> {relative path: bytes}. Plans every page and renders it; writes nothing.

Templates get the model objects plus a few lookups prepared here, and `root`, the relative
prefix back to the site root ('' or '../'), so every link works from disk, at '/', and under
a sub-path such as '/paradetimeline/'.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from .errors import Diagnostic, Location
from .exports import export_files
from .markup import render_markdown
from .model import Timeline
from .pages import plan_pages
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


def render_site(timeline: Timeline, templates: Path) -> dict[str, bytes]:
    """Every output file of the site, as bytes, keyed by its '/'-separated path."""
    env = make_environment(templates)
    view = TimelineView(timeline)
    files: dict[str, bytes] = {}
    for page in plan_pages(timeline, view):
        depth = page.path.count("/")
        context = {"site": timeline.config, "view": view, "root": "../" * depth,
                   "page_path": page.path, **page.context}
        files[page.path] = _render(env, page.template, context).encode("utf-8")
    files.update({path: text.encode("utf-8") for path, text in export_files(timeline).items()})
    files[".nojekyll"] = b""
    files.update(_static_files(templates / STATIC_DIR))
    return files


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
