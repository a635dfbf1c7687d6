"""render/plan.py: the page plan, the ids it keeps for itself, and the events each page
declares it shows, held to what its template reads by a tracer."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import MINIMAL_FILES, REPO

import paradetimeline.render.parts as parts
import paradetimeline.render.renderer as renderer
import paradetimeline.write.files as files
from paradetimeline.check.loader import load_timeline
from paradetimeline.check.references import LIST_PAGES, RESERVED_ID
from paradetimeline.model import Event, Timeline
from paradetimeline.render.plan import plan_pages
from paradetimeline.render.views import TimelineView

MINIMAL_EVENT = MINIMAL_FILES["content/events/parade.yaml"]


def test_the_loader_reserves_the_id_of_every_list_page(make_project):
    """A record named 'index' would overwrite FOLDER/index.html, so the loader refuses that
    id for each kind whose folder the plan gives a list page; and no record's page lands
    beside the site-wide pages at the top."""
    timeline, _ = load_timeline(make_project())
    plan = [page.path for page in plan_pages(timeline, TimelineView(timeline))]
    lists = {path.split("/")[0] for path in plan if path.endswith(f"/{RESERVED_ID}.html")}
    assert lists == set(LIST_PAGES.values())
    assert [path for path in plan if "/" not in path] == [
        "index.html", "embed.html", "compare.html", "about.html", "provenance.html", "404.html"]


def test_a_page_with_nothing_to_show_is_neither_made_nor_linked(make_project):
    """No compare rows, people, places or tags: no Compare, People, Places or Tags page, and
    no page links to one."""
    from paradetimeline.write.files import render_site

    site = "title: T\ndescription: D.\ncommemorations:\n  - year: 2015\n    anniversary: victory-day-1945\n"
    event = "".join(line for line in MINIMAL_EVENT.splitlines(keepends=True)
                    if not line.lstrip().startswith(("places:", "people:", "tags:")))
    root = make_project({"content/site.yaml": site, "content/people.yaml": "{}\n",
                         "content/places.yaml": "{}\n", "content/events/parade.yaml": event})
    timeline, diagnostics = load_timeline(root)
    assert not diagnostics.items
    pages = render_site(timeline, root / "templates")
    assert sorted(p for p in pages if p.endswith(".html") and "/" not in p) == [
        "404.html", "about.html", "embed.html", "index.html", "provenance.html"]
    assert not [p for p in pages if p.startswith(("people/", "places/", "tags/"))]
    index = pages["index.html"].decode()
    for gone in ("compare.html", "people/index.html", "places/index.html", "tags/index.html"):
        assert gone not in index
    assert 'href="sources/index.html"' in index and 'href="provenance.html"' in index


def test_with_no_sources_there_is_no_sources_or_provenance_page(make_project):
    from paradetimeline.write.files import render_site

    root = make_project({"seeds/s1.txt": None, "content/sources/s1.yaml": None,
                         "content/events/parade.yaml": None})
    timeline, diagnostics = load_timeline(root)
    assert not diagnostics.errors
    pages = render_site(timeline, root / "templates")
    assert "provenance.html" not in pages and "sources/index.html" not in pages
    index = pages["index.html"].decode()
    assert "No events yet." in index and "provenance.html" not in index


# -- the tracer --------------------------------------------------------------------------

EVERYTHING = "every event"
WHOLE_VIEW = frozenset({"years", "tags", "countries", "mentions", "events_by_id", "_index",
                        "_citations", "_by_commemoration_and_tag", "_years_by_number"})


class Reads:
    """What a template read while a page (or a part) rendered: events by id, or EVERYTHING."""

    def __init__(self) -> None:
        self.frames: list[set[str]] = []

    def note(self, *ids: str) -> None:
        for frame in self.frames:
            frame.update(ids)

    def events_in(self, value: Any, depth: int = 0) -> Iterator[str]:
        """The ids of the events a view lookup answered with (in tuples, groups, pairs)."""
        if isinstance(value, Event):
            yield value.id
        elif depth < 3 and isinstance(value, (tuple, list)):
            for item in value:
                yield from self.events_in(item, depth + 1)
        elif depth < 3 and dataclasses.is_dataclass(value) and not isinstance(value, type):
            for item in (getattr(value, f.name) for f in dataclasses.fields(value)):
                yield from self.events_in(item, depth + 1)


def tracing(reads: Reads) -> type[jinja2.Environment]:
    class Tracing(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            found = super().getattr(obj, attribute)
            return self._seen(obj, attribute, found)

        def getitem(self, obj: Any, argument: Any) -> Any:
            found = super().getitem(obj, argument)
            return self._seen(obj, argument, found) if isinstance(argument, str) else found

        def _seen(self, obj: Any, name: str, found: Any) -> Any:
            if isinstance(obj, Event):
                reads.note(obj.id)
            elif isinstance(obj, Timeline) and name == "events":
                reads.note(EVERYTHING)
            elif isinstance(obj, TimelineView):
                if name in WHOLE_VIEW:
                    reads.note(EVERYTHING)
                elif callable(found):
                    def asked(*args: Any, **kwargs: Any) -> Any:
                        answer = found(*args, **kwargs)
                        reads.note(*reads.events_in(answer))
                        return answer
                    return asked
            return found
    return Tracing


def trace(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Render every page of the project at `root` with a tracer; what each page (and each
    part) read beyond the events it declares, one line each."""
    reads = Reads()
    problems: list[str] = []
    made = renderer.make_environment
    environment = tracing(reads)

    def make(templates: Path, store: Any = None) -> jinja2.Environment:
        env = made(templates, store)
        env.__class__ = environment
        return env

    timeline, _ = load_timeline(root)
    view = TimelineView(timeline)
    plan = list(plan_pages(timeline, view))
    declared = {page.path: page.shows for page in plan}
    render = renderer._render

    def render_page(env: jinja2.Environment, name: str, context: dict[str, Any]) -> Any:
        reads.frames.append(set())
        try:
            return render(env, name, context)
        finally:
            check(context["page_path"], declared[context["page_path"]], reads.frames.pop())

    part = parts.Parts._part

    def render_part(self: parts.Parts, macro: str, shows: tuple[str, ...], key: tuple[str, ...],
                    *args: Any) -> Any:
        reads.frames.append(set())
        try:
            return part(self, macro, shows, key, *args)
        finally:
            check(f"part {macro}{key}", shows, reads.frames.pop())

    def check(what: str, shows: tuple[str, ...] | None, seen: set[str]) -> None:
        if shows is not None and not seen <= set(shows):
            beyond = sorted(seen - set(shows))
            problems.append(f"{what} reads {', '.join(beyond[:3])} but declares {len(shows)} events")

    monkeypatch.setattr(files, "make_environment", make)
    monkeypatch.setattr(renderer, "_render", render_page)
    monkeypatch.setattr(parts.Parts, "_part", render_part)
    monkeypatch.setattr(parts, "HELD", -1)  # every page renders its parts, and is traced
    files.write_files(files.Job(view, root / "templates", plan))
    return problems


def test_every_page_reads_only_the_events_its_plan_declares(monkeypatch):
    assert trace(REPO, monkeypatch) == []


def project_with(tmp_path: Path, template: str, old: str, new: str) -> Path:
    root = tmp_path / "project"
    for folder in ("seeds", "content", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    path = root / "templates" / template
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return root


@pytest.mark.parametrize("template, old, new, problem", [
    ("event.html", "{% block main %}", "{% block main %}{{ view.timeline.events|length }}",
     "events/2015-05-09-moscow-victory-day-parade.html reads every event but declares"),
    ("person.html", "{% block main %}",
     "{% block main %}{{ view.events_with('tag', 'parade')|map(attribute='title')|join }}",
     "people/xi-jinping.html reads 2005-moscow-victory-day-parade"),
    ("_macros.html", '<li class="item event', '{{ view.years|length }}<li class="item event',
     "part event_item"),
])
def test_a_template_that_reads_beyond_its_plan_fails_the_tracer(tmp_path, monkeypatch,
                                                                template, old, new, problem):
    """The tracer is what keeps incremental builds honest: a template edit that shows more
    than its page declares must fail here, not leave that page stale after a rebuild."""
    problems = trace(project_with(tmp_path, template, old, new), monkeypatch)
    assert any(problem in line for line in problems), problems
