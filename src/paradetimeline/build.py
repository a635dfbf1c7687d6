"""The Python API: check a project, or build it into a site. The CLI is a thin layer on this."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .coverage import check_coverage
from .errors import ContentError, Diagnostic
from .loader import Project, load_timeline
from .render import TemplateError, render_site
from .site import write_site


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    events: int
    files: int
    diagnostics: tuple[Diagnostic, ...]


def check_project(root: Path | str, *, strict: bool = False,
                  drafts: bool = True) -> tuple[Diagnostic, ...]:
    """Load and check everything; raise ContentError on errors (or warnings, with strict)."""
    timeline, diagnostics = load_timeline(root, drafts=drafts)
    check_coverage(timeline, Path(root), diagnostics)
    found = tuple(diagnostics.sorted())
    if diagnostics.errors or (strict and diagnostics.warnings):
        raise ContentError(found)
    return found


def build_site(root: Path | str, out: Path | str | None = None, *, base_url: str | None = None,
               drafts: bool = False, strict: bool = False) -> BuildResult:
    """Read, check, render and write. Nothing is written unless everything succeeded."""
    project = Project(Path(root))
    timeline, diagnostics = load_timeline(project.root, drafts=drafts)
    check_coverage(timeline, project.root, diagnostics)
    found = tuple(diagnostics.sorted())
    if diagnostics.errors or (strict and diagnostics.warnings):
        raise ContentError(found)
    if base_url is not None:
        base = base_url.rstrip("/") + "/"
        timeline = replace(timeline, config=replace(timeline.config, base_url=base))
    try:
        files = render_site(timeline, project.templates)
    except TemplateError as exc:
        raise ContentError([*found, exc.diagnostic]) from exc
    target = Path(out) if out is not None else project.root / "site"
    write_site(files, target, project.root)
    pages = sum(1 for p in files if p.endswith(".html"))
    return BuildResult(target, pages, len(timeline.events), len(files), found)
