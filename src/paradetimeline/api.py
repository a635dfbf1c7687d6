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
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ContentError, Diagnostic, Diagnostics, OutputError, UsageError
from .incremental import buildrecord
from .write import output

if TYPE_CHECKING:
    from .check.mentions import Mention
    from .incremental.store import Store
    from .incremental.tracking import PageRecord
    from .model import Timeline
    from .render.renderer import Rendered


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

    `jobs` processes render the pages of a large site (default: the usable cores). The
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
    collector would walk them all again and again (a fifth of a 10,000-event build) and
    free nothing. Reference counting still frees everything as usual."""
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
    record.pop("inputs", None)  # 11,000 hashes at 10,000 events, of no further use
    output.claim(target, force=force)
    from .incremental.store import open_store

    results = open_store(buildrecord.folder(root))
    try:
        return _render_and_write(root, target, results, record, inputs, input_files, base_url,
                                 drafts, strict, jobs)
    finally:
        results.save()  # even after errors: the files that did parse need not be again
        results.close()


def _render_and_write(root: Path, target: Path, results: Store, record: dict[str, Any],
                      inputs: str, input_files: dict[str, list[Any]], base_url: str | None,
                      drafts: bool, strict: bool, jobs: int | None) -> BuildResult:
    from .incremental.tracking import write_record
    from .memory import release_free_memory

    result, pages, changed = _render(root, target, results, record, inputs, input_files,
                                     base_url, drafts, strict, jobs)
    # The model went with `_render`'s frame, and the page record goes once written (64 and
    # 27 MB at 10,000 events): each record is made on top of less. Written in this order,
    # a build that stops between the two leaves a page record that no build record matches.
    release_free_memory()
    write_record(buildrecord.pages_path(root, target), pages)
    del pages
    release_free_memory()
    buildrecord.store(root, target, inputs, input_files, {
        "pages": result.pages, "events": result.events, "files": result.files,
        "diagnostics": buildrecord.dump_diagnostics(result.diagnostics),
        "skipped": list(result.skipped)}, None if changed is None else (record, *changed))
    return result


def _render(root: Path, target: Path, results: Store, record: dict[str, Any],
            inputs: str, input_files: dict[str, list[Any]], base_url: str | None, drafts: bool,
            strict: bool, jobs: int | None
            ) -> tuple[BuildResult, PageRecord, tuple[list[str], set[str]] | None]:
    """Load, check and render into `target`: the result, the page record to keep, and (for
    a build that changed an earlier one) the files it wrote and those it deleted."""
    from .check.mentions import without_events
    from .exports.files import NEEDS_BASE_URL, piece_context
    from .incremental.pieces import PieceStore
    from .incremental.tracking import PageRecord, Tracker, event_keys, everything_digest, shared_digest
    from .read.files import Project
    from .render.renderer import TemplateError, write_rendered

    project = Project(root)
    timeline, diagnostics, mentions = _load(project.root, results, jobs or usable_cores(),
                                            {name: facts[2] for name, facts in input_files.items()})
    if base_url is not None:
        timeline = _with_base_url(timeline, base_url)
    found = _verdict(diagnostics, strict)
    left_out = set() if drafts else {e.id for e in timeline.events if e.draft}
    if left_out:
        timeline = replace(timeline, events=tuple(e for e in timeline.events if not e.draft))
        if mentions is not None:  # coverage's count the drafts' citations too
            mentions = without_events(mentions, left_out)
    options = json.dumps({"base_url": base_url, "drafts": drafts,
                          "epoch": os.environ.get("SOURCE_DATE_EPOCH", "")}, sort_keys=True)
    shared = shared_digest(input_files, options)
    data = shared_digest(input_files, options, templates=False)
    tracker = Tracker(event_keys(timeline, input_files, os.urandom(8).hex()), shared, data)
    earlier = _earlier_pages(project.root, target, record)
    reuse = earlier if earlier is not None and earlier.shared == shared else None
    if earlier is not None and reuse is None:  # what its pages read says nothing now
        earlier = replace(earlier, pages={}, answers={})
    pieces = PieceStore(tracker.keys, piece_context(timeline, data),
                        earlier.pieces if earlier is not None else None, target,
                        earlier.outputs if earlier is not None else None)
    render = partial(write_rendered, timeline, project.templates, jobs=jobs or usable_cores(),
                     results=results, tracker=tracker, earlier=reuse,
                     previous=earlier.outputs if earlier is not None else None, pieces=pieces,
                     mentions=mentions)
    deleted: set[str] = set()
    try:
        if earlier is None:
            rendered = output.replace_site(target, render)
        else:
            def fill(staging: Path) -> tuple[Rendered, set[str]]:
                done = render(staging)
                kept = {p: earlier.outputs[p] for p in done.reused}
                if reuse is not None:  # the exports and static files are the same set as before
                    kept |= {p: d for p, d in earlier.outputs.items() if p not in earlier.pages}
                done.outputs = {**kept, **done.outputs}
                deleted.update(earlier.outputs.keys() - done.outputs.keys())
                return done, deleted

            rendered = output.update_site(target, fill)
            if reuse is not None:
                # The pages not rendered will want their Markdown again; parsed files need
                # no keeping, as every build parses (or looks up) every file.
                results.keep("markdown")
    except TemplateError as exc:
        raise ContentError([*found, exc.diagnostic]) from exc
    pages = {**{p: reuse.pages[p] for p in rendered.reused}, **rendered.reads} if reuse \
        else rendered.reads
    skipped = () if timeline.config.base_url else NEEDS_BASE_URL
    result = BuildResult(target, len(pages), len(timeline.events), len(rendered.outputs),
                         found, skipped)
    kept = PageRecord.of_build(
        inputs, shared, everything_digest(timeline, tracker.keys), tracker.keys, pages,
        {**(reuse.answers if reuse else {}), **rendered.answers}, rendered.outputs,
        rendered.pieces or (reuse.pieces if reuse else None))
    return result, kept, None if earlier is None else ([*rendered.paths, output.MARKER], deleted)


def _earlier_pages(root: Path, target: Path, record: dict[str, Any]) -> PageRecord | None:
    """The page record of the last build into `target`, if a build now may start from its
    output: the record is of that build, and nobody has touched the output since."""
    from .incremental.tracking import read_record

    if not buildrecord.intact(record, root, target):
        return None
    earlier = read_record(buildrecord.pages_path(root, target))
    if earlier is None or earlier.fingerprint != record.get("fingerprint"):
        return None
    return earlier


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


def _load(root: Path, results: Store | None = None, jobs: int = 1,
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
    mentions = None if diagnostics.errors else \
        check_coverage(timeline, root, diagnostics, jobs, results)
    return timeline, diagnostics, mentions


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
