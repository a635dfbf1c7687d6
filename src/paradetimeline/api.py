"""The Python API: check a project, or build it into a site. The CLI is a thin layer on this.

`build_site` reads like the pipeline it runs: load and check everything, render every file
into a staging folder, and only then swap it in, atomically.

The modules that load and render (and the libraries behind them: PyYAML, Jinja2,
Python-Markdown, nh3) are imported only once a build has work to do, so that a rebuild
with nothing changed costs little more than checking that nothing did.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ContentError, Diagnostic, Diagnostics, OutputError, UsageError
from .incremental import buildrecord
from .write import output

if TYPE_CHECKING:
    from .check.phrases import Mention
    from .incremental.store import Store
    from .model import Timeline
    from .plain import TextCache
    from .write.files import Written


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    events: int
    files: int
    diagnostics: tuple[Diagnostic, ...]
    skipped: tuple[str, ...] = ()  # exports left out because no base URL is known


def check_project(root: Path | str, *, strict: bool = False) -> tuple[Diagnostic, ...]:
    """Load and check everything, drafts included; raise ContentError on errors (or on
    warnings, with strict). Returns the warnings."""
    from .incremental.store import open_store

    with collector_paused():
        results = open_store(buildrecord.folder(Path(root)))
        try:
            _, diagnostics, _ = _load(Path(root), results, usable_cores())
        finally:
            results.save()
            results.close()
    return _verdict(diagnostics, strict)


def build_site(root: Path | str, out: Path | str | None = None, *, base_url: str | None = None,
               drafts: bool = False, strict: bool = False, jobs: int | None = None,
               force: bool = False, on_wait: Callable[[], None] | None = None) -> BuildResult:
    """Read, check, render and write. Nothing is written unless everything succeeded.

    `jobs` processes parse, check and render a large site (default: the usable cores). The
    output (default: ROOT/site) must be new, empty or a build's own; `force` replaces any
    other folder. Builds into one folder take turns: `on_wait` is called while one waits."""
    _check_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH", ""))
    target = Path(out) if out is not None else Path(root) / "site"
    with collector_paused(), _writing(target), \
            output.claimed(target, Path(root), on_wait) as claimed:
        return _build(Path(root), claimed, base_url, drafts, strict, jobs, force)


def _check_source_date_epoch(value: str) -> None:
    """The specification asks a build to fail on a malformed value rather than guess."""
    value = value.strip()
    if value and not (value.isascii() and value.isdigit()):
        raise UsageError(f"SOURCE_DATE_EPOCH is {value!r}, not a whole number of seconds since "
                         "1970; set it to one (e.g. $(git log -1 --format=%ct)) or unset it")


@contextlib.contextmanager
def _writing(out: Path) -> Iterator[None]:
    """Turn a failure to write the output (no such folder, no space left) into an error
    that names the folder; the previous output is left as it was."""
    for folder in Path(os.path.abspath(out)).parents:  # the nearest that exists
        if os.path.exists(folder):
            if not folder.is_dir():
                raise OutputError(f"cannot write into '{out}': '{folder}' is not a folder")
            break
    try:
        yield
    except OSError as exc:
        raise OutputError(f"cannot write into '{out}': {exc.strerror or exc}") from exc


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a build.

    A build makes hundreds of thousands of small objects that live until it ends; the
    collector would walk them all again and again and free nothing. Reference counting
    still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(root: Path, target: Path, base_url: str | None, drafts: bool, strict: bool,
           jobs: int | None, force: bool) -> BuildResult:
    record = buildrecord.read_record(root, target)
    inputs, input_files = buildrecord.fingerprint(root, {"base_url": base_url, "drafts": drafts},
                                            buildrecord.known_files(record))
    if buildrecord.matches(record, root, target, inputs):
        earlier = _earlier_build(record, target, strict)
        if earlier is not None:
            return earlier
    record.pop("inputs", None)  # a hash per input file, of no further use
    output.claim(target, force=force)
    from .incremental.store import open_store

    store = open_store(buildrecord.folder(root))
    options = build_options(base_url, drafts)
    try:
        timeline, found, mentions = checked_timeline(root, store, jobs, input_files, base_url,
                                                     drafts, strict)
        from .render.renderer import TemplateError

        try:
            made = _write(Build(root, target, timeline, mentions, record, inputs, input_files,
                                options, jobs or usable_cores()), store)
        except TemplateError as exc:
            raise ContentError([*found, exc.diagnostic]) from exc
    finally:
        store.save()  # even after errors: the files that did parse need not be again
        store.close()
    pages, files, changed = made
    from .exports.files import NEEDS_BASE_URL
    from .memory import release_free_memory

    result = BuildResult(target, pages, len(timeline.events), files, found,
                         () if timeline.config.base_url else NEEDS_BASE_URL)
    del timeline, mentions  # the largest thing in memory: the build record is made without it
    release_free_memory()
    buildrecord.store(root, target, inputs, input_files, {
        "pages": result.pages, "events": result.events, "files": result.files,
        "diagnostics": buildrecord.dump_diagnostics(result.diagnostics),
        "skipped": list(result.skipped)}, None if changed is None else (record, *changed))
    return result


def build_options(base_url: str | None, drafts: bool) -> str:
    """The options a build's output depends on, as text for the page signatures."""
    return json.dumps({"base_url": base_url, "drafts": drafts,
                       "epoch": os.environ.get("SOURCE_DATE_EPOCH", "")}, sort_keys=True)


def checked_timeline(root: Path, results: TextCache, jobs: int | None,
             input_files: dict[str, list[Any]], base_url: str | None, drafts: bool,
             strict: bool) -> tuple[Timeline, tuple[Diagnostic, ...], dict[str, list[Mention]] | None]:
    """The timeline to publish, the warnings, and coverage's mentions (see `_load`): what
    a build renders, and what `serve` keeps in memory. `input_files` is the fingerprint's."""
    from .check.mentions import without_events

    timeline, diagnostics, mentions = _load(root, results, jobs or usable_cores(),
                                            {name: facts[2] for name, facts in input_files.items()})
    if base_url is not None:
        timeline = _with_base_url(timeline, base_url)
    found = _verdict(diagnostics, strict)
    left_out = {e.id for e in timeline.events if e.draft} if not drafts else set()
    if left_out:
        timeline = replace(timeline, events=tuple(e for e in timeline.events if not e.draft))
        if mentions is not None:  # coverage's count the drafts' citations too
            mentions = without_events(mentions, left_out)
    return timeline, found, mentions


@dataclass(frozen=True)
class Build:
    """What `_write` needs: the checked timeline, and what the build record says."""

    root: Path
    target: Path
    timeline: Timeline
    mentions: dict[str, list[Mention]] | None
    record: dict[str, Any]  # of the last build into `target`
    fingerprint: str
    input_files: dict[str, list[Any]]
    options: str
    jobs: int


def _write(build: Build, store: Store) -> tuple[int, int, tuple[list[str], set[str]] | None]:
    """Render what changed into the output: the number of pages and of files, and (for a
    build that changed an earlier one) the files it wrote and those it deleted."""
    from .exports.files import piece_context
    from .incremental import rebuild
    from .render.plan import plan_pages, shared_context
    from .render.views import TimelineView
    from .write.files import Job, write_files

    view = TimelineView(build.timeline, build.mentions)
    plan = list(plan_pages(build.timeline, view))
    digests = rebuild.event_digests(build.timeline, build.input_files)
    context = rebuild.context_digest(build.input_files, build.options + shared_context(view))
    now = rebuild.signatures(plan, context, digests)
    key = buildrecord.output_key(build.target)
    earlier = rebuild.read_record(store, key) if buildrecord.intact(
        build.record, build.root, build.target) else None
    if earlier is not None and earlier.fingerprint != build.record.get("fingerprint"):
        earlier = None
    pages, files = rebuild.to_render(plan, now, earlier)
    job = Job(view, build.root / "templates", pages, files, files, store=store, context=context,
              data_context=piece_context(build.timeline, rebuild.context_digest(
                  build.input_files, build.options, templates=False)),
              digests=digests, previous=earlier.digests if earlier is not None else {},
              jobs=build.jobs)
    deleted: set[str] = set()
    if earlier is None:
        written = output.replace_site(build.target, lambda staging: write_files(
            replace(job, folder=staging)))
    else:
        def fill(staging: Path) -> tuple[Written, set[str]]:
            done = write_files(replace(job, folder=staging))
            deleted.update(earlier.digests.keys() - rebuild.outputs_now(
                earlier, plan, files, done.digests).keys())
            return done, deleted

        written = output.update_site(build.target, fill)
        store.keep("markdown", "part")  # the pages not rendered will want theirs again
    outputs = rebuild.outputs_now(earlier, plan, files, written.digests)
    rebuild.write_record(store, key, rebuild.OutputRecord(build.fingerprint, now, outputs))
    return len(plan), len(outputs), None if earlier is None else (
        [*written.paths, output.MARKER], deleted)


def _earlier_build(record: dict[str, Any], out: Path, strict: bool) -> BuildResult | None:
    """The result an identical earlier build recorded; None if the record is damaged."""
    try:
        found = buildrecord.load_diagnostics(record["diagnostics"])
        result = BuildResult(out, int(record["pages"]), int(record["events"]),
                             int(record["files"]), found, tuple(record["skipped"]))
    except (KeyError, TypeError, ValueError):
        return None  # a damaged record: build from scratch
    if strict and any(d.severity == "warning" for d in found):
        raise ContentError(found)
    return result


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _load(root: Path, results: TextCache | None = None, jobs: int = 1,
          digests: dict[str, str] | None = None
          ) -> tuple[Timeline, Diagnostics, dict[str, list[Mention]] | None]:
    """Everything, drafts included, so drafts are checked and count for coverage; and the
    mentions coverage checked, for the provenance report (None if it did not run).

    Coverage runs only on content without errors: a file that failed to load would
    otherwise leave its sentences looking uncited, burying the real error in noise.
    """
    from .check.coverage import check_coverage
    from .check.loader import load_timeline

    timeline, diagnostics = load_timeline(root, drafts=True, cache=results, jobs=jobs,
                                          digests=digests)
    # A template the build would not find or compile fails `check` too (once: the loader
    # has reported a template that may not be read at all).
    diagnostics.items.extend(d for d in _template_errors(root, results, digests or {})
                             if d not in diagnostics.items)
    if timeline.published:
        diagnostics.items.extend(_published_errors(root, timeline))
    mentions = None if diagnostics.errors else \
        check_coverage(timeline, root, diagnostics, jobs, results, digests)
    return timeline, diagnostics, mentions


def _template_errors(root: Path, results: TextCache | None, digests: dict[str, str]
                     ) -> list[Diagnostic]:
    """renderer.template_errors, kept in the store under a digest of the templates (the
    project's and the theme's): parsing them all takes longer than a rebuild should."""
    from . import theme
    from .plain import digest, dumps
    from .render.renderer import template_errors

    templates = sorted(f"{name}\0{sha}" for name, sha in digests.items()
                       if name.startswith(theme.TEMPLATE_INPUTS))
    if results is None or not templates:
        return template_errors(root / "templates")
    key = digest(*templates)
    kept = results.get("templates", key)
    if kept is not None:
        return list(results.decode(tuple[Diagnostic, ...], kept))
    found = template_errors(root / "templates")
    results.put("templates", key, dumps(tuple(found)))
    return found


def _published_errors(root: Path, timeline: Timeline) -> list[Diagnostic]:
    """A content/static/ file at the place of a file the build makes would be lost or
    would replace it: either way an error, as the site is not what the curator sees."""
    from .errors import Location
    from .exports.files import NEEDS_BASE_URL, export_names
    from .render.plan import plan_pages
    from .render.renderer import static_files
    from .render.views import TimelineView

    made = {page.path for page in plan_pages(timeline, TimelineView(timeline))}
    made |= {".nojekyll", *export_names(timeline), *NEEDS_BASE_URL,  # with --base-url
             *static_files(root / "templates")}
    return [Diagnostic("error", Location(relpath), f"'{name}' is a file the build makes",
                       "rename or remove this file; to change that page, override its "
                       "template in templates/") for relpath in timeline.published
            if (name := relpath.split("/", 2)[2]) in made]


def _verdict(diagnostics: Diagnostics, strict: bool) -> tuple[Diagnostic, ...]:
    found = tuple(diagnostics.sorted())
    if diagnostics.errors or (strict and diagnostics.warnings):
        raise ContentError(found)
    return found


def _with_base_url(timeline: Timeline, base_url: str) -> Timeline:
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", base_url):
        raise UsageError(f"--base-url '{base_url}' must be an absolute http(s) URL, "
                         "e.g. https://example.org/paradetimeline/")
    config = replace(timeline.config, base_url=base_url.rstrip("/") + "/")
    return replace(timeline, config=config)
