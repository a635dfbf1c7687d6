"""The Python API: check a project, or build it into a site. The CLI is a thin layer on this.

`build_site` reads like the pipeline it runs: load and check everything, render every file
in memory, and only then write, atomically.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import cache
from .coverage import check_coverage
from .errors import ContentError, Diagnostic, Diagnostics, UsageError
from .exports import NEEDS_BASE_URL
from .loader import Project, load_timeline
from .model import Timeline
from .render import TemplateError, render_site
from .site import write_site


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
    _, diagnostics = _load(Path(root))
    return _verdict(diagnostics, strict)


def build_site(root: Path | str, out: Path | str | None = None, *, base_url: str | None = None,
               drafts: bool = False, strict: bool = False, jobs: int | None = None) -> BuildResult:
    """Read, check, render and write. Nothing is written unless everything succeeded.

    `jobs` processes render the pages of a large site (default: the usable cores)."""
    project = Project(Path(root))
    target = Path(out) if out is not None else project.root / "site"
    record = cache.read_record(project.root, target)
    inputs, input_files = cache.fingerprint(project.root, {"base_url": base_url, "drafts": drafts},
                                            cache.known_files(record))
    if cache.matches(record, project.root, target, inputs):
        earlier = _earlier_build(record, target, strict)
        if earlier is not None:
            return earlier
    timeline, diagnostics = _load(project.root)
    if base_url is not None:
        timeline = _with_base_url(timeline, base_url)
    found = _verdict(diagnostics, strict)
    if not drafts:
        timeline = replace(timeline, events=tuple(e for e in timeline.events if not e.draft))
    try:
        files = render_site(timeline, project.templates, jobs=jobs or usable_cores())
    except TemplateError as exc:
        raise ContentError([*found, exc.diagnostic]) from exc
    write_site(files, target, project.root)
    pages = sum(1 for p in files if p.endswith(".html"))
    skipped = () if timeline.config.base_url else NEEDS_BASE_URL
    cache.store(project.root, target, inputs, input_files, {
        "pages": pages, "events": len(timeline.events), "files": len(files),
        "diagnostics": cache.dump_diagnostics(found), "skipped": list(skipped)})
    return BuildResult(target, pages, len(timeline.events), len(files), found, skipped)


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


def _load(root: Path) -> tuple[Timeline, Diagnostics]:
    """Everything, drafts included, so drafts are checked and count for coverage.

    Coverage runs only on content without errors: a file that failed to load would
    otherwise leave its sentences looking uncited, burying the real error in noise.
    """
    timeline, diagnostics = load_timeline(root, drafts=True)
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
