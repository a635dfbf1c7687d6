"""Every output file, written: the pages of a plan, the export files and the static files,
into a staging folder that output.py then swaps in (`write_files`, which the build uses),
or into memory (`render_site`, {relative path: bytes}, for tests and tools).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..exports.files import export_file, export_names
from ..exports.pieces import KeptPieces
from ..model import Timeline
from ..plain import MemoryCache, TextCache
from ..render.filedata import FileData, joined, output_digest, write_all
from ..render.parts import Parts
from ..render.plan import Page, plan_pages
from ..render.renderer import make_environment, published_files, render_page, static_files
from ..render.views import TimelineView
from ..workers import can_fork, in_workers
from .output import safe_relpath

PARALLEL_MIN_PAGES = 1000  # fewer are rendered sooner than processes are forked for them


def render_site(timeline: Timeline, templates: Path) -> dict[str, bytes]:
    """Every output file of the site, as bytes, keyed by its '/'-separated path."""
    view = TimelineView(timeline)
    return write_files(Job(view, templates, list(plan_pages(timeline, view)))).files


@dataclass(frozen=True)
class Job:
    """What to render: `pages` (of the plan), and the export and static files if asked.

    With a `store`, parts and export pieces are looked up there before they are made:
    `context` and `data_context` are digests of every input but the event files (the second
    also without the templates), `digests` the events' (parts.event_digest). A file whose
    digest `previous` (the output folder's files) already holds is not written again."""

    view: TimelineView
    templates: Path  # the project's templates/: the project's content/static/ is beside it
    pages: list[Page]
    exports: bool = True
    static: bool = True
    folder: Path | None = None  # None: keep the files in memory
    store: TextCache | None = None
    context: str = ""
    data_context: str = ""
    digests: Mapping[str, str] = field(default_factory=dict)
    previous: Mapping[str, str] = field(default_factory=dict)
    jobs: int = 1  # processes that render the pages into a folder


@dataclass
class Written:
    digests: dict[str, str] = field(default_factory=dict)  # every file rendered: its digest
    paths: list[str] = field(default_factory=list)  # the files written
    files: dict[str, bytes] = field(default_factory=dict)  # without a folder: the files


def write_files(job: Job) -> Written:
    """Render the job's files into its folder (or into memory), one at a time, so the site
    is never held in memory whole. Many pages bound for a folder are rendered by `jobs`
    forked processes, which hand back what they made for the store."""
    parallel = job.folder is not None and can_fork(job.jobs, len(job.pages), PARALLEL_MIN_PAGES)
    made = MemoryCache(job.store) if parallel and job.store is not None else None
    env = make_environment(job.templates, made or job.store)
    view = job.view
    parts = env.globals["parts"] = Parts(env, view, store=made or job.store,
                                         context=job.context, digests=job.digests)

    def write_pages(start: int, stop: int) -> tuple[Written, dict[tuple[str, str], str]]:
        done = Written()
        for page in job.pages[start:stop]:
            shows = view.events_by_id if page.shows is None else page.shows
            parts.about_to_show(shows, "../" * page.path.count("/"))
            _write(job, page.path, render_page(env, view, page), done)
        if made is None:
            return done, {}
        rows, made.made = made.made, {}
        return done, rows

    try:
        if parallel:
            done = Written()
            for written, rows in in_workers(write_pages, len(job.pages), job.jobs):
                done.digests.update(written.digests)
                done.paths.extend(written.paths)
                if job.store is not None:
                    for (step, key), value in rows.items():
                        job.store.put(step, key, value)
        else:
            done = write_pages(0, len(job.pages))[0]
    finally:
        parts.close()
    if job.exports:
        pieces = KeptPieces(job.store, job.data_context, job.digests)
        for name in export_names(view.timeline):
            _write(job, name, export_file(view.timeline, name, pieces), done)
    if job.static:  # the project's own files last: the check refused any a build makes
        for name, data in {".nojekyll": b"", **static_files(job.templates), **published_files(
                job.templates.parent, view.timeline.published)}.items():
            _write(job, name, data, done)
    return done


def _write(job: Job, relpath: str, data: FileData, done: Written) -> None:
    """Write one file into the job's folder, unless the output folder holds it already;
    without a folder, keep it in memory."""
    if job.folder is None:
        done.files[relpath] = joined(data)
        return
    done.digests[relpath] = found = output_digest(data)
    if job.previous.get(relpath) == found:
        return
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
    done.paths.append(relpath)
