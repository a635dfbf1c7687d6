"""A page of the plan (see plan.py) -> its HTML, through the project's Jinja templates; and
the static files to copy. write/files.py writes them, with the exports, into the output.

Templates get the model objects plus the view's lookups, `parts` (list items and sections
kept by content, see parts.py), and `root`, the relative prefix back to the site root
('' or '../'), so every link works from disk, at '/', and under a sub-path such as
'/paradetimeline/'.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from jinja2 import nodes
from markupsafe import Markup

from .. import theme
from ..errors import Diagnostic, Location, plural
from ..plain import TextCache
from ..read.files import template_problem
from .filedata import FileData, utf8_blocks
from .jsonld import event_jsonld, jsonld_script, source_jsonld
from .markup import render_markdown
from .parts import MACROS
from .plan import TEMPLATES, Page
from .views import TimelineView

STATIC_DIR = "static"


class TemplateError(Exception):
    """A template failed to render; `diagnostic` names the template file and line."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic

    def __reduce__(self) -> tuple[type[TemplateError], tuple[Diagnostic]]:
        return TemplateError, (self.diagnostic,)  # raised in a worker, it reaches the parent whole


class TemplateLoader(jinja2.FileSystemLoader):
    """Jinja's FileSystemLoader over the project's templates/, then the default theme's
    (theme.py). The project's, which Jinja would follow anywhere, are held to the rule for
    content: a template that leads out of the project (or the templates folder), or is
    not a regular file (a FIFO would hang the build), is a TemplateError."""

    def __init__(self, templates: Path):
        super().__init__([str(templates), str(theme.folder())])
        self.templates = templates

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Any]:
        name = "/".join(jinja2.loaders.split_template_path(template))
        problem = template_problem(self.templates, name)
        if problem is not None:
            raise TemplateError(problem)
        return super().get_source(environment, template)


def make_environment(templates: Path, store: TextCache | None = None,
                     compiled: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=TemplateLoader(templates),
        bytecode_cache=compiled,  # serve's, in memory (incremental/resident.py)
        auto_reload=False,  # templates do not change during a build: no stat per page
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = lambda text: Markup(render_markdown(text, store))
    env.filters["text_fragment"] = text_fragment
    env.filters["sentence_label"] = sentence_label
    env.filters["jsonld"] = jsonld_script
    env.filters["percent"] = lambda share: f"{share * 100:.1f}%"  # the time axis's x
    env.filters["plural"] = plural  # {{ n|plural("event") }}: '1 event', '2 events'
    env.globals["event_jsonld"] = event_jsonld
    env.globals["source_jsonld"] = source_jsonld
    env.globals["memo"] = lambda macro, *args: macro(*args)  # what templates before 0.x called
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

    def encode(words: str) -> str:
        return quote(words, safe="")

    if len(parts) <= 2 * words:
        return f"#:~:text={encode(' '.join(parts))}"
    return f"#:~:text={encode(' '.join(parts[:words]))},{encode(' '.join(parts[-words:]))}"


def render_page(env: jinja2.Environment, view: TimelineView, page: Page) -> FileData:
    context = {"site": view.timeline.config, "view": view, "root": "../" * page.path.count("/"),
               "page_path": page.path, **page.context}
    return _render(env, page.template, context)


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> FileData:
    """The page as UTF-8, encoded as it is made (see `utf8_blocks`): the index of a large
    site is megabytes."""
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
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(Diagnostic("error", _template_location(exc, name), not_found(
            str(exc.name)), NOT_FOUND_HINT)) from exc
    except jinja2.TemplateSyntaxError as exc:
        where = Location(f"templates/{exc.name or name}", exc.lineno or 1, 1)
        raise TemplateError(Diagnostic("error", where, f"template syntax: {exc.message}")) from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(Diagnostic("error", _template_location(exc, name),
                                       f"template error: {exc}")) from exc
    except Exception as exc:
        raise TemplateError(Diagnostic("error", _template_location(exc, name),
                                       f"template error: {type(exc).__name__}: {exc}")) from exc


NOT_FOUND_HINT = "add it to templates/, or correct the name"


def not_found(name: str) -> str:
    return f"template '{name}' not found (neither in templates/ nor in the default theme)"


def template_errors(templates: Path) -> list[Diagnostic]:
    """What would stop a build at its templates, found before it starts: a template that
    the page plan or another template names and neither templates/ nor the theme holds,
    and syntax errors."""
    env = make_environment(templates)
    found: list[Diagnostic] = []
    todo = [(name, Location(f"templates/{name}")) for name in (*TEMPLATES, MACROS)]
    seen: set[str] = set()
    while todo:
        name, named_at = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        try:
            with _located(name):
                try:
                    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
                except jinja2.TemplateNotFound:
                    found.append(Diagnostic("error", named_at, not_found(name), NOT_FOUND_HINT))
                    continue
                tree = env.parse(source, name)
        except TemplateError as exc:
            found.append(exc.diagnostic)
            continue
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            named = getattr(node, "template", None)
            if isinstance(named, nodes.Const) and isinstance(named.value, str) and not getattr(
                    node, "ignore_missing", False):
                todo.append((named.value, Location(f"templates/{name}", node.lineno, 1)))
    return found


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


def static_files(templates: Path) -> dict[str, bytes]:
    """The files of the theme's static/ folder and of templates/static/ (which wins where
    both have one), to copy into the site as they are."""
    files = _static_files(theme.folder(), checked=False)
    files.update(_static_files(templates))
    return dict(sorted(files.items()))


def published_files(root: Path, published: tuple[str, ...]) -> dict[str, bytes]:
    """The project's content/static/ files (`Timeline.published`, as the check listed
    them), by their place in the site: content/static/CNAME is the site's CNAME."""
    files = {}
    for relpath in published:
        try:
            files[relpath.split("/", 2)[2]] = (root / relpath).read_bytes()
        except OSError as exc:
            raise TemplateError(Diagnostic("error", Location(relpath),
                                           f"cannot read file: {exc.strerror}")) from exc
    return files


def _static_files(templates: Path, checked: bool = True) -> dict[str, bytes]:
    """The files of `templates`/static/. Each of a project's must pass `template_problem`:
    a link to /proc/self/environ would publish the environment."""
    folder = templates / STATIC_DIR
    if not folder.is_dir():
        return {}
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.name.startswith(".") or path.is_dir():
            continue  # a symlinked folder is not entered, as by the build's fingerprint
        name = path.relative_to(templates).as_posix()
        problem = template_problem(templates, name) if checked else None
        if problem is not None:
            raise TemplateError(problem)
        try:
            files[name] = path.read_bytes()
        except OSError as exc:
            raise TemplateError(Diagnostic("error", Location(f"templates/{name}"),
                                           f"cannot read file: {exc.strerror}")) from exc
    return files
