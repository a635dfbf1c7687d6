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
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache
from .errors import ContentError, Diagnostic, Diagnostics, UsageError
from .filecache import ResultCache, open_cache

if TYPE_CHECKING:
    from .model import Timeline


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
    with collector_paused():
        results = open_cache(Path(root), cache.CACHE_DIR)
        _, diagnostics = _load(Path(root), results)
        results.save()
    return _verdict(diagnostics, strict)


def build_site(root: Path | str, out: Path | str | None = None, *, base_url: str | None = None,
               drafts: bool = False, strict: bool = False, jobs: int | None = None) -> BuildResult:
    """Read, check, render and write. Nothing is written unless everything succeeded.

    `jobs` processes render the pages of a large site (default: the usable cores)."""
    with collector_paused():
        return _build(Path(root), out, base_url, drafts, strict, jobs)


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


def _build(root: Path, out: Path | str | None, base_url: str | None, drafts: bool, strict: bool,
           jobs: int | None) -> BuildResult:
    target = Path(out) if out is not None else root / "site"
    record = cache.read_record(root, target)
    inputs, input_files = cache.fingerprint(root, {"base_url": base_url, "drafts": drafts},
                                            cache.known_files(record))
    if cache.matches(record, root, target, inputs):
        earlier = _earlier_build(record, target, strict)
        if earlier is not None:
            return earlier
    results = open_cache(root, cache.CACHE_DIR)
    try:
        return _render_and_write(root, target, results, inputs, input_files, base_url,
                                 drafts, strict, jobs)
    finally:
        results.save()  # even after errors: the files that did parse need not be again


def _render_and_write(root: Path, target: Path, results: ResultCache, inputs: str,
                      input_files: dict[str, list[Any]], base_url: str | None, drafts: bool,
                      strict: bool, jobs: int | None) -> BuildResult:
    from .exports import NEEDS_BASE_URL
    from .loader import Project
    from .render import TemplateError, write_rendered
    from .site import replace_site

    project = Project(root)
    timeline, diagnostics = _load(project.root, results)
    if base_url is not None:
        timeline = _with_base_url(timeline, base_url)
    found = _verdict(diagnostics, strict)
    if not drafts:
        timeline = replace(timeline, events=tuple(e for e in timeline.events if not e.draft))
    try:
        written = replace_site(target, project.root, lambda staging: write_rendered(
            timeline, project.templates, staging, jobs=jobs or usable_cores(), results=results))
    except TemplateError as exc:
        raise ContentError([*found, exc.diagnostic]) from exc
    pages = sum(1 for p in written if p.endswith(".html"))
    skipped = () if timeline.config.base_url else NEEDS_BASE_URL
    cache.store(project.root, target, inputs, input_files, {
        "pages": pages, "events": len(timeline.events), "files": len(written),
        "diagnostics": cache.dump_diagnostics(found), "skipped": list(skipped)})
    return BuildResult(target, pages, len(timeline.events), len(written), found, skipped)


def _earlier_build(record: dict[str, Any], out: Path, strict: bool) -> BuildResult | None:
    """The result an identical earlier build recorded; None if the record is damaged."""
    try:
        found = cache.load_diagnostics(record["diagnostics"])
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


def _load(root: Path, results: ResultCache | None = None) -> tuple[Timeline, Diagnostics]:
    """Everything, drafts included, so drafts are checked and count for coverage.

    Coverage runs only on content without errors: a file that failed to load would
    otherwise leave its sentences looking uncited, burying the real error in noise.
    """
    from .coverage import check_coverage
    from .loader import load_timeline

    timeline, diagnostics = load_timeline(root, drafts=True, results=results)
    if not diagnostics.errors:
        check_coverage(timeline, root, diagnostics)
    return timeline, diagnostics


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
