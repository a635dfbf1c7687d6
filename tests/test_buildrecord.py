"""incremental/buildrecord.py: a rebuild with nothing changed does nothing, and the cache is never wrong."""

from __future__ import annotations

import builtins
import errno
import importlib.util
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CITED, REPO
from test_output import snapshot

from paradetimeline import ContentError, build_site
from paradetimeline.cli import main
from paradetimeline.incremental import buildrecord, rebuild
from paradetimeline.incremental.buildrecord import record_path
from paradetimeline.incremental.store import KEPT_BUILDS, open_store


def clean_build(root, tmp_path, name):
    """A build from nothing: a copy of the project without its cache or site, so neither
    the build record nor any cached parse or Markdown can be reused."""
    copy = tmp_path / f"{name}-project"
    shutil.copytree(root, copy, symlinks=True,
                    ignore=shutil.ignore_patterns("site"))
    out = copy / "site"
    assert not record_path(copy, out).exists()
    build_site(copy, out, jobs=1)
    return snapshot(out)


def test_an_unchanged_rebuild_reuses_the_output_and_replays_warnings(make_project, monkeypatch):
    root = make_project({"seeds/s2.txt": "A second article.\n"})  # a seed without metadata
    first = build_site(root)
    assert [d.message for d in first.diagnostics] == ["no metadata for this seed"]
    import paradetimeline.write.files as render

    monkeypatch.setattr(render, "write_files", lambda *a, **k: pytest.fail("rendered again"))
    again = build_site(root)
    assert again.diagnostics == first.diagnostics
    assert (again.pages, again.events, again.files) == (first.pages, first.events, first.files)
    with pytest.raises(ContentError):
        build_site(root, strict=True)  # the replayed warning still fails a strict build


def test_each_incremental_build_equals_a_clean_build(make_project, tmp_path):
    root = make_project()
    site = root / "site"
    edits = [
        ("add an event", lambda: (root / "content/events/new.yaml").write_text(
            "title: A new event\ndate: 2015-05-10\nstatus: planned\ntags: [parade]\n" + CITED)),
        ("change an event", lambda: (root / "content/events/new.yaml").write_text(
            "title: A changed event\ndate: 2015-06\nstatus: expected\n" + CITED)),
        ("change its body", lambda: (root / "content/events/new.yaml").write_text(
            "title: A changed event\ndate: 2015-06\nstatus: expected\nbody: Now *with* a body.\n" + CITED)),
        ("delete an event", lambda: (root / "content/events/new.yaml").unlink()),
        ("edit a person", lambda: (root / "content/people.yaml").write_text(
            "xi-jinping:\n  name: Xi Jinping (edited)\n  country: China\n")),
        ("edit the site title", lambda: (root / "content/site.yaml").write_text(
            (root / "content/site.yaml").read_text().replace("Test timeline", "Retitled"))),
        # the last tag gone, every page's footer loses its Tags link (and back)
        ("untag the only tagged event", lambda: (root / "content/events/parade.yaml").write_text(
            (root / "content/events/parade.yaml").read_text().replace("tags: [parade]\n", ""))),
        ("tag it again", lambda: (root / "content/events/parade.yaml").write_text(
            (root / "content/events/parade.yaml").read_text() + "tags: [parade]\n")),
    ]
    build_site(root, jobs=1)
    for n, (what, edit) in enumerate(edits):
        edit()
        build_site(root, jobs=1)
        incremental = snapshot(site)
        assert incremental == clean_build(root, tmp_path, f"clean{n}"), what


def test_editing_a_template_rebuilds(make_project, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    root = make_project()
    (root / "templates").unlink()
    (root / "templates").symlink_to(templates)
    build_site(root)
    about = templates / "about.html"
    about.write_text(about.read_text().replace("About this timeline", "About this site"))
    build_site(root)
    assert "About this site" in (root / "site/about.html").read_text()


def test_an_edited_or_deleted_output_file_is_rebuilt(make_project):
    root = make_project()
    build_site(root)
    before = snapshot(root / "site")
    (root / "site/index.html").write_text("vandalised")
    (root / "site/about.html").unlink()
    build_site(root)
    assert snapshot(root / "site") == before


def test_options_are_part_of_the_fingerprint(make_project):
    root = make_project()
    build_site(root)
    assert not (root / "site/feed.xml").exists()
    build_site(root, base_url="https://example.org/")
    assert (root / "site/feed.xml").is_file()


@pytest.mark.parametrize("garbage", ["", "{", "[]", '{"format": "paradetimeline/build-record@1"}',
                                     '{"format": 1, "fingerprint": null}'])
def test_a_corrupt_record_is_ignored(make_project, garbage):
    root = make_project()
    build_site(root)
    record = record_path(root, root / "site")
    before = snapshot(root / "site")
    record.write_text(garbage)
    (root / "site/index.html").write_text("stale")
    build_site(root)
    assert snapshot(root / "site") == before


def test_a_record_from_another_project_is_not_trusted(make_project, tmp_path):
    root = make_project()
    build_site(root)
    other = tmp_path / "other"
    shutil.copytree(root, other, symlinks=True)
    (other / "content/events/parade.yaml").write_text(
        (other / "content/events/parade.yaml").read_text().replace("Xi attends", "Copy of Xi attends"))
    build_site(other)
    assert "Copy of Xi attends" in (other / "site/index.html").read_text()


def test_an_unchanged_rebuild_does_not_import_the_renderer(make_project):
    """The no-op path stays cheap: Jinja2, Markdown and PyYAML are not even imported."""
    import subprocess
    import sys

    root = make_project()
    build_site(root)
    script = ("import sys; from paradetimeline import build_site; build_site(sys.argv[1]); "
              "print(sorted(m for m in ('jinja2', 'markdown', 'yaml', 'nh3') if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True,
                           text=True, check=True).stdout
    assert shown.strip() == "[]"


CITED_IN_REPO = ("sources:\n  - source: 001_0f98aee22f1571cc\n    quote: \"Evan Medeiros, said that "
                 "he had questions about whether a large military parade would really send a "
                 "signal of reconciliation\"\n")


def repo_copy(tmp_path):
    """The repository's own project (25 events, three articles), to edit."""
    root = tmp_path / "repo"
    for folder in ("seeds", "content", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def test_incremental_builds_of_real_content_equal_clean_builds(tmp_path):
    """Edits that move events between neighbours, years, tags and related lists."""
    root = repo_copy(tmp_path)
    events = root / "content/events"
    moscow_2015 = events / "2015/2015-05-09-moscow-victory-day-parade.yaml"
    moscow_2025 = events / "2025/2025-05-09-moscow-victory-day-parade.yaml"
    edits = [
        ("add a related parade", lambda: (events / "2015/2015-05-09-extra.yaml").write_text(
            moscow_2015.read_text().replace("Xi Jinping attends", "Another look at"))),
        ("retitle an event other pages list", lambda: moscow_2025.write_text(
            moscow_2025.read_text().replace("title: ", "title: Retitled, ", 1))),
        ("move an event to another year", lambda: moscow_2015.write_text(
            moscow_2015.read_text().replace("date: 2015-05-09", "date: 2016-05-09"))),
        ("change its tags", lambda: moscow_2015.write_text(
            moscow_2015.read_text().replace("tags: [parade, visit, troops]", "tags: [visit]"))),
        ("delete the added one", lambda: (events / "2015/2015-05-09-extra.yaml").unlink()),
        ("make an event a draft", lambda: moscow_2025.write_text(
            moscow_2025.read_text() + "draft: true\n")),
    ]
    build_site(root, jobs=1)
    for n, (what, edit) in enumerate(edits):
        edit()
        build_site(root, jobs=1)
        assert snapshot(root / "site") == clean_build(root, tmp_path, f"clean{n}"), what


def test_adding_an_event_rewrites_only_the_pages_that_show_it(tmp_path, monkeypatch):
    root = repo_copy(tmp_path)
    build_site(root)
    site = root / "site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    (root / "content/events/2025/2025-12-31-added.yaml").write_text(
        "title: An added event\ndate: 2025-12-31\nstatus: planned\ntags: [parade]\n" + CITED_IN_REPO)
    result = build_site(root)
    changed = sorted(p.relative_to(site).as_posix() for p, t in before.items()
                     if p.stat().st_mtime_ns != t)
    added = (site / "events/2025-12-31-added.html").read_text()
    neighbours = set(re.findall(r'rel="(?:prev|next)" href="\.\./(events/[^"]+)"', added))
    assert neighbours  # the event before it (it is the last)
    assert {p for p in changed if p.startswith("events/")} == neighbours  # the rest are as they were
    assert {"index.html", "tags/parade.html", "events.json"} <= set(changed)
    assert len(changed) < len(before) / 2
    assert result.pages == len([p for p in site.rglob("*.html")])
    assert snapshot(site) == clean_build(root, tmp_path, "clean")
    assert buildrecord.manifest(site) == buildrecord.read_record(root, site)["manifest"]  # kept up to date
    import paradetimeline.write.files as render

    monkeypatch.setattr(render, "write_files", lambda *a, **k: pytest.fail("rendered again"))
    build_site(root)  # nothing changed since: nothing to do


def output_record_row(root: Path, value: str) -> None:
    """Set the store's record of the last build into ROOT/site to `value`."""
    store = open_store(buildrecord.folder(root))
    assert store.db is not None
    with store.db:
        store.db.execute("update results set value = ? where step = ? and key = ?",
                         (value, rebuild.STEP, buildrecord.output_key(root / "site")))
    store.close()


@pytest.mark.parametrize("garbage", ["", "{", "[]", '{"fingerprint": 1, "signatures": {}, "digests": {}}',
                                     '{"fingerprint": "x", "signatures": {"a": null}, "digests": {}}'])
def test_a_corrupt_output_record_means_a_full_build(make_project, tmp_path, garbage):
    root = make_project()
    build_site(root)
    output_record_row(root, garbage)
    assert rebuild.read_record(open_store(buildrecord.folder(root)),
                               buildrecord.output_key(root / "site")) is None
    (root / "content/events/new.yaml").write_text("title: New\ndate: 2015-05-10\nstatus: planned\n" + CITED)
    build_site(root)
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def test_an_output_record_of_another_build_is_not_trusted(make_project, tmp_path):
    """A record whose build record was not written after it (a build that stopped between
    the two) is no guide: its signatures are of another output."""
    root = make_project()
    build_site(root)
    store = open_store(buildrecord.folder(root))
    key = buildrecord.output_key(root / "site")
    kept = rebuild.read_record(store, key)
    rebuild.write_record(store, key, rebuild.OutputRecord(
        "another build", {path: "" for path in kept.signatures}, kept.digests))
    store.save()
    store.close()
    (root / "content/events/new.yaml").write_text("title: New\ndate: 2015-05-10\nstatus: planned\n" + CITED)
    build_site(root)
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def test_a_build_that_renders_some_pages_keeps_the_results_of_the_others(tmp_path):
    root = repo_copy(tmp_path)
    build_site(root)

    def kept(step):
        store = open_store(buildrecord.folder(root))
        try:
            return dict(store.rows(step))
        finally:
            store.close()

    markdown, parts = kept("markdown"), kept("part")
    assert len(markdown) == 3 and parts  # three events have a body
    for n in range(KEPT_BUILDS + 1):  # enough builds for a row none of them uses to go
        (root / f"content/events/2025/2025-12-31-added-{n}.yaml").write_text(
            "title: An added event\ndate: 2025-12-31\nstatus: planned\n" + CITED_IN_REPO)
        build_site(root)
    assert kept("markdown") == markdown  # none rendered, none dropped
    assert kept("part").items() >= parts.items()


def test_a_template_edit_renders_everything_but_rewrites_only_what_changed(tmp_path):
    root = repo_copy(tmp_path)
    build_site(root)
    site = root / "site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    about = root / "templates/about.html"
    about.write_text(about.read_text().replace("About this timeline", "About this site"))
    (root / "templates/base.html").write_text((root / "templates/base.html").read_text()
                                              + "{# a comment changes no page #}\n")
    build_site(root)
    changed = sorted(p.relative_to(site).as_posix() for p, t in before.items()
                     if p.stat().st_mtime_ns != t)
    assert changed == ["about.html"]
    assert snapshot(site) == clean_build(root, tmp_path, "clean")


def synthetic_project(root, monkeypatch, events: int, seed: int):
    """The benchmarks' generated project (people, places, seeds with quoted sentences,
    Markdown bodies), small: 20 people and 10 places."""
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks/corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "corpus", corpus)  # where its dataclasses look for it
    spec.loader.exec_module(corpus)
    monkeypatch.setattr(corpus, "PEOPLE", 20)
    monkeypatch.setattr(corpus, "PLACES", 10)
    corpus.generate(root, REPO / "templates", events, seed)
    return corpus.TAGS


class RandomEdits:
    """Edits a curator makes, each to a file picked at random: `apply()` makes one and says
    what it did. Some leave the project broken (a bad date); the next edit mends it."""

    def __init__(self, root, tags, seed: int):
        self.root, self.tags, self.rng = root, tags, random.Random(seed)
        self.broken: tuple[Path, str] | None = None

    def apply(self) -> str:
        if self.broken is not None:
            path, text = self.broken
            path.write_text(text)
            self.broken = None
            return f"mend {path.name}"
        edits = [name for name in dir(self) if name.startswith("edit_")]
        return getattr(self, self.rng.choice(sorted(edits)))()

    def pick(self, folder: str, pattern: str = "*.yaml") -> Path:
        return self.rng.choice(sorted((self.root / folder).rglob(pattern)))

    def replace(self, path: Path, pattern: str, new: str) -> None:
        text = path.read_text()
        assert re.search(pattern, text, re.M), f"{pattern!r} is not in {path}"
        path.write_text(re.sub(pattern, new, text, count=1, flags=re.M))

    def event(self) -> Path:
        return self.pick("content/events")

    def edit_add_event(self) -> str:
        copy = self.event()
        added = copy.with_name(f"added-{self.rng.randrange(10**6)}.yaml")
        added.write_text(copy.read_text())
        return f"add {added.name}"

    def edit_delete_event(self) -> str:
        (path := self.event()).unlink()
        return f"delete {path.name}"

    def edit_rename_event(self) -> str:
        path = self.event()
        path.rename(path.with_name(f"renamed-{self.rng.randrange(10**6)}.yaml"))
        return f"rename {path.name}"

    def edit_date(self) -> str:
        year, month, day = self.rng.choice([2005, 2015, 2025]), self.rng.randint(1, 12), 9
        date = self.rng.choice([f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}", f"{year}"])
        self.replace(path := self.event(), r"^date: .*$", f"date: {date}")
        return f"date of {path.name}: {date}"

    def edit_tags(self) -> str:
        tags = self.rng.sample(self.tags, self.rng.randint(0, 3))
        self.replace(path := self.event(), r"^tags: .*$", f"tags: [{', '.join(tags)}]")
        return f"tags of {path.name}: {tags}"

    def edit_people(self) -> str:
        known = re.findall(r"^([a-z0-9-]+):$", (self.root / "content/people.yaml").read_text(),
                           re.M)
        people = self.rng.sample(known, self.rng.randint(0, 3))
        self.replace(path := self.event(), r"^people: .*$", f"people: [{', '.join(people)}]")
        return f"people of {path.name}: {people}"

    def edit_title_and_summary(self) -> str:
        path = self.event()
        self.replace(path, r'^title: ("?)', r"title: \1Retitled ")
        self.replace(path, r'^summary: ("?)', r"summary: \1Changed ")
        return f"title of {path.name}"

    def edit_body(self) -> str:
        self.replace(path := self.event(), r"^body: \|\n",
                     "body: |\n  A *new* paragraph, [with a link](https://example.org/x).\n\n")
        return f"body of {path.name}"

    def edit_status_and_draft(self) -> str:
        path = self.event()
        status = self.rng.choice(["happened", "planned", "reported"])
        self.replace(path, r"^status: .*$", f"status: {status}")
        text = path.read_text()
        path.write_text(text.replace("draft: true\n", "") if "draft: true" in text
                        else text + "draft: true\n")
        return f"status and draft of {path.name}"

    def edit_commemorates(self) -> str:
        path, text = (path := self.event()), path.read_text()
        path.write_text(re.sub(r"^commemorates: .*\n", "", text, flags=re.M)
                        if "commemorates:" in text
                        else text.replace("status:", "commemorates: victory-day-1945\nstatus:"))
        return f"commemorates of {path.name}"

    def edit_quote(self) -> str:
        seed = self.pick("seeds", "*.txt")
        paragraphs = [p for p in seed.read_text().split("\n\n")  # not the headline or dateline
                      if ". " in p and not p.startswith(("#", "date ", "Original url"))]
        sentence = self.rng.choice(paragraphs).split(". ")[0] + "."
        self.replace(path := self.event(), r"^sources:\n",
                     f"sources:\n  - source: {seed.stem}\n    quote: "
                     + json.dumps(sentence).replace("\\", r"\\") + "\n")  # re.sub would read \u
        return f"a quote from {seed.name} in {path.name}"

    def edit_person(self) -> str:
        self.replace(self.root / "content/people.yaml", r'^(  name: ".*)"$', r'\1 Jr."')
        return "a person's name"

    def edit_place(self) -> str:
        self.replace(self.root / "content/places.yaml", r'^(  name: ".*)"$', r'\1 Annex"')
        return "a place's name"

    def edit_source(self) -> str:
        self.replace(path := self.pick("content/sources"), r'^(publisher: ".*)"$', r'\1 Weekly"')
        return f"publisher of {path.name}"

    def edit_seed(self) -> str:
        path = self.pick("seeds", "*.txt")
        path.write_text(path.read_text() + "\nA closing sentence was added on Monday.\n")
        return f"seed {path.name}"

    def edit_anniversary(self) -> str:
        self.replace(self.root / "content/anniversaries.yaml", r"^(  title: .*)$", r"\1 (1945)")
        return "an anniversary's title"

    def edit_site(self) -> str:
        self.replace(self.root / "content/site.yaml", r'^title: "(.*)"$', r'title: "\1, again"')
        return "the site's title"

    def edit_template(self) -> str:
        name = self.rng.choice(["base.html", "event.html", "index.html", "person.html"])
        pattern, new = (r"</main>", "<p>Edited.</p></main>") if name == "base.html" \
            else (r"\{% block main %\}", "{% block main %}<p>Edited.</p>")
        self.replace(self.root / "templates" / name, pattern, new)
        return f"template {name}"

    def edit_macros_or_style(self) -> str:
        name = self.rng.choice(["_macros.html", "static/style.css"])
        with open(self.root / "templates" / name, "a") as f:
            f.write("{# edited #}\n" if name.endswith(".html") else "/* edited */\n")
        return f"template {name}"

    def edit_break_a_date(self) -> str:
        path = self.event()
        self.broken = (path, path.read_text())
        self.replace(path, r"^date: .*$", "date: 2015-13-45")
        return f"break the date of {path.name}"


def outcome(build) -> dict[str, bytes] | tuple[str, ...]:
    """The site `build()` returns, or the messages it fails with."""
    try:
        return build()
    except ContentError as exc:
        return tuple(str(d) for d in exc.diagnostics)


def rebuilt(root, jobs: int) -> dict[str, bytes]:
    build_site(root, jobs=jobs)
    return snapshot(root / "site")


@pytest.mark.parametrize("jobs", [1, 2])
def test_random_edits_each_build_equals_a_clean_build(tmp_path, monkeypatch, jobs):
    """Twenty edits of every kind, in an order no one chose; with two jobs the thresholds
    are lowered so that even this small site is parsed and rendered in workers."""
    import paradetimeline.check.loader as loader
    import paradetimeline.check.mentions as mentions
    import paradetimeline.write.files as files

    for module, name in ((loader, "PARALLEL_MIN_FILES"), (loader, "PARALLEL_MIN_SEEDS"),
                         (mentions, "PARALLEL_MIN_ARTICLES"), (files, "PARALLEL_MIN_PAGES")):
        monkeypatch.setattr(module, name, 2)
    root = tmp_path / "project"
    edits = RandomEdits(root, synthetic_project(root, monkeypatch, 24, seed=jobs), seed=jobs)
    rebuilt(root, jobs)
    for n in range(20):
        what = edits.apply()
        before = snapshot(root / "site")
        incremental = outcome(lambda: rebuilt(root, jobs))
        if isinstance(incremental, tuple):
            assert snapshot(root / "site") == before, f"{what}: a failed build changed the site"
        clean = outcome(lambda: clean_build(root, tmp_path, f"clean{n}"))  # noqa: B023 (called at once)
        if isinstance(clean, dict) and isinstance(incremental, dict):
            differ = sorted(p for p in clean.keys() | incremental.keys()
                            if clean.get(p) != incremental.get(p))
            assert differ == [], f"edit {n}, {what}: these files differ from a clean build"
        else:
            assert incremental == clean, f"edit {n}, {what}"


# -- a cache folder someone else can write to: nothing in it is trusted, followed or fatal ------

def edit_an_event(root: Path) -> None:
    """A change that makes the next build run, and read every cache file there is."""
    event = root / "content/events/parade.yaml"
    event.write_text(event.read_text().replace("Xi attends", "Xi attended"))


def bounded_build(root: Path) -> int:
    """`paradetimeline build` in a process of its own: a cache file that never ends (a FIFO,
    /dev/zero) then fails the test instead of hanging the suite or taking all the memory."""
    import resource

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    command = [sys.executable, "-m", "paradetimeline", "build", "--root", str(root), "-q", "-j", "1"]
    return subprocess.run(command, timeout=60, preexec_fn=limit_memory).returncode


def cache_file(root: Path, name: str) -> Path:
    """A file of the cache folder, named as the build record and the page record are
    (`build-KEY...`), their temporary files (`...PID`) or the result store and the files
    SQLite keeps beside it."""
    key = record_path(root, root / "site").name.removesuffix(".json")
    return buildrecord.folder(root) / name.format(key=key, pid=os.getpid())


@pytest.mark.parametrize("name", ["{key}.json", "{key}.tmp", "cache.sqlite", "cache.sqlite-wal",
                                  "cache.sqlite-shm", "cache.sqlite-journal"])
def test_a_symlink_at_a_cache_files_name_is_replaced_never_written_through(make_project, tmp_path,
                                                                           name):
    root = make_project()
    build_site(root)
    important = tmp_path / "important.txt"
    important.write_text("the user's own file")
    link = cache_file(root, name)
    link.unlink(missing_ok=True)
    link.symlink_to(important)
    edit_an_event(root)
    build_site(root)
    assert important.read_text() == "the user's own file"
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
@pytest.mark.parametrize("name", ["{key}.json", "cache.sqlite"])
def test_a_cache_file_that_is_not_a_regular_file_is_ignored(make_project, tmp_path, name, kind):
    root = make_project()
    build_site(root)
    path = cache_file(root, name)
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(kind)
    edit_an_event(root)
    assert bounded_build(root) == 0
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def a_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.rmtree(folder)
    folder.write_text("not a folder")


def a_link_to_dev_full(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.rmtree(folder)
    folder.symlink_to("/dev/full")


def unreadable(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000; and as root, which may read and write any folder whatever its mode, the
    same refusal made by hand: every path inside the folder is a PermissionError."""
    folder.chmod(0)
    if os.geteuid() != 0:
        return
    inside = f"{folder}{os.sep}"

    def refusing(function):
        def refused(path, *args, **kwargs):
            if isinstance(path, (str, os.PathLike)) and os.fspath(path).startswith(inside):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return function(path, *args, **kwargs)
        return refused

    for name in ("open", "stat", "lstat", "unlink", "replace", "rename", "scandir", "mkdir"):
        monkeypatch.setattr(os, name, refusing(getattr(os, name)))
    monkeypatch.setattr(io, "open", refusing(io.open))
    monkeypatch.setattr(builtins, "open", refusing(builtins.open))


@pytest.mark.parametrize("damage", [a_file, a_link_to_dev_full, unreadable])
def test_a_cache_folder_that_cannot_be_used_means_a_slower_build_not_a_failed_one(
        make_project, tmp_path, monkeypatch, damage):
    root = make_project()
    build_site(root)
    edit_an_event(root)
    clean = clean_build(root, tmp_path, "clean")
    damage(buildrecord.folder(root), monkeypatch)
    assert main(["build", "--root", str(root), "-q", "-j", "1"]) == 0
    assert snapshot(root / "site") == clean
    assert main(["build", "--root", str(root), "-q", "-j", "1"]) == 0  # no record kept: in full again
    assert snapshot(root / "site") == clean


def every_input(column: int, value: object):
    """An edit of a build record: `column` of each input's [size, mtime_ns, sha256] set to
    `value`."""
    def edit(record: dict) -> None:
        for row in record["inputs"].values():
            row[column] = value
    return edit


@pytest.mark.parametrize("edit", [
    every_input(2, None),
    every_input(2, 7),
    every_input(0, "12"),
    lambda record: record.update(inputs=[], manifest=None),
    lambda record: record.update(pages="3", skipped="feed.xml"),
    lambda record: record.update(diagnostics=[[None, 1, "x", 2, {}, 5]]),
    lambda record: record.update(root=None, out=1),
], ids=["null hashes", "number hashes", "string sizes", "tables of the wrong type",
        "counts of the wrong type", "a diagnostic of the wrong types", "folders of the wrong type"])
def test_a_record_with_fields_of_the_wrong_type_is_no_record(make_project, tmp_path, edit):
    root = make_project()
    for path in (root / "content").rglob("*.yaml"):  # long unchanged: hashes come from the record
        os.utime(path, ns=(10**18, 10**18))
    build_site(root)
    path = record_path(root, root / "site")
    record = json.loads(path.read_text())
    edit(record)
    damaged = json.dumps(record)
    path.write_text(damaged)
    assert main(["build", "--root", str(root), "-q"]) == 0
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")
    assert buildrecord.read_record(root, root / "site") != {}  # the one written anew
    path.write_text(damaged)
    assert buildrecord.read_record(root, root / "site") == {}


def test_the_fingerprint_names_what_it_cannot_read_instead_of_failing(tmp_path):
    """A FIFO, a dangling link or a symlink loop among the inputs is the loader's to report:
    the fingerprint neither opens nor crashes on it, but notices it come and go."""
    from paradetimeline.incremental.buildrecord import fingerprint

    (tmp_path / "content").mkdir()
    before, _ = fingerprint(tmp_path, {})
    os.mkfifo(tmp_path / "content/pipe.yaml")
    (tmp_path / "content/dangling.yaml").symlink_to("nowhere")
    (tmp_path / "content/loop.yaml").symlink_to("loop.yaml")
    after, files = fingerprint(tmp_path, {})
    assert after != before
    assert {name: facts[2] for name, facts in files.items() if name.startswith("content/")} == {
        "content/pipe.yaml": "not a file (10000)",
        "content/dangling.yaml": "not a file (120000)",
        "content/loop.yaml": "not a file (120000)",
    }


def test_the_cache_lives_outside_the_project(make_project, monkeypatch, tmp_path):
    root = make_project()
    monkeypatch.setenv("PARADETIMELINE_CACHE_DIR", str(tmp_path / "elsewhere"))
    build_site(root)
    assert sorted(p.name for p in root.iterdir()) == ["content", "seeds", "site", "templates"]
    assert buildrecord.folder(root).parent == tmp_path / "elsewhere"
    assert record_path(root, root / "site").is_file()
    monkeypatch.delenv("PARADETIMELINE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert buildrecord.folder(root).parent == tmp_path / "xdg/paradetimeline"


def test_only_the_records_of_the_last_output_folders_are_kept(make_project, tmp_path):
    root = make_project()
    for n in range(buildrecord.KEPT_RECORDS + 3):
        build_site(root, tmp_path / f"out{n}")
    kept = sorted(buildrecord.folder(root).glob("build-*.json"))
    assert kept == sorted(record_path(root, tmp_path / f"out{n}")
                          for n in range(3, buildrecord.KEPT_RECORDS + 3))
    store = open_store(buildrecord.folder(root))
    assert 0 < len(store.rows(rebuild.STEP)) <= KEPT_BUILDS + 1


def test_the_fingerprint_covers_the_code_of_every_stage(tmp_path):
    """A change to any module of the package, in any stage's folder, means a full build."""
    _, files = buildrecord.fingerprint(tmp_path, {})
    code = {name for name in files if name.startswith("code/")}
    for module in ("code/api.py", "code/render/renderer.py", "code/read/schema.py",
                   "code/incremental/buildrecord.py", "code/write/output.py"):
        assert module in code


def test_a_manifest_with_rows_of_the_wrong_type_means_a_full_build(make_project, tmp_path):
    """Its rows are only compared with the folder's, so a null one is a mismatch, never a crash."""
    root = make_project()
    build_site(root)
    path = record_path(root, root / "site")
    record = json.loads(path.read_text())
    record["manifest"] = {name: None for name in record["manifest"]}
    path.write_text(json.dumps(record))
    assert main(["build", "--root", str(root), "-q"]) == 0
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def test_told_which_files_changed_the_fingerprint_is_the_one_a_full_look_gives(tmp_path):
    """serve passes on what the watcher reports: an edited, a new and a deleted file."""
    for name in ("content/events", "seeds", "templates"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "content/events/a.yaml").write_text("title: A\n")
    (tmp_path / "seeds/s.txt").write_text("Text.\n")
    _, known = buildrecord.fingerprint(tmp_path, {})
    (tmp_path / "content/events/a.yaml").write_text("title: A, edited\n")
    (tmp_path / "content/events/b.yaml").write_text("title: B\n")
    (tmp_path / "seeds/s.txt").unlink()
    changed = {str(tmp_path / name) for name in (
        "content/events/a.yaml", "content/events/b.yaml", "seeds/s.txt", "seeds/never-there.swp")}
    assert buildrecord.refreshed(tmp_path, {}, known, changed) == buildrecord.fingerprint(
        tmp_path, {}, known)


@pytest.mark.parametrize("made", ["a folder", "a folder gone", "a symlink", "elsewhere"])
def test_a_change_the_watcher_cannot_describe_file_by_file_needs_a_full_look(tmp_path, made):
    (tmp_path / "content/events/2015").mkdir(parents=True)
    (tmp_path / "content/events/2015/a.yaml").write_text("title: A\n")
    _, known = buildrecord.fingerprint(tmp_path, {})
    path = {"a folder": tmp_path / "content/events/2016", "a folder gone": tmp_path / "content/events/2015",
            "a symlink": tmp_path / "content/events/b.yaml", "elsewhere": tmp_path / "site/x.html"}[made]
    if made == "a folder":
        path.mkdir()
    elif made == "a folder gone":
        shutil.rmtree(path)
    elif made == "a symlink":
        path.symlink_to("2015/a.yaml")
    assert buildrecord.refreshed(tmp_path, {}, known, {str(path)}) is None
