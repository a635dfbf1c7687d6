"""The whole pipeline on the repository's own content: complete, linked, reproducible."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO
from test_output import snapshot

from paradetimeline import build_site


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "site"
    build_site(REPO, out)
    return out


def test_committed_site_equals_a_fresh_build(repo_site):
    committed = REPO / "site"
    assert committed.is_dir(), "site/ is missing: run 'make site' and commit it"
    fresh, old = snapshot(repo_site), snapshot(committed)
    stale = sorted(p for p in fresh.keys() | old.keys() if fresh.get(p) != old.get(p))
    assert not stale, f"site/ is out of date ({len(stale)} files, e.g. {stale[:5]}): " \
                      "run 'make site' and commit site/"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value is not None and (name in ("href", "src") or (tag == "blockquote" and name == "cite")):
                self.links.append(value)


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_asset_resolves_inside_the_site(repo_site):
    pages = {p: parse(p) for p in repo_site.rglob("*.html")}
    broken = []
    for page, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                assert parts.scheme in ("http", "https", "mailto"), f"{page}: {link}"
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            rel = page.relative_to(repo_site).as_posix()
            if repo_site.resolve() not in target.parents and target != repo_site.resolve():
                broken.append(f"{rel}: {link} leaves the site")
            elif not target.is_file():
                broken.append(f"{rel}: {link} does not exist")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[repo_site / target.relative_to(repo_site.resolve())].ids
                if unquote(parts.fragment) not in ids and not parts.fragment.startswith(":~:"):
                    broken.append(f"{rel}: {link} names no element")
    assert not broken, "\n".join(broken)
    assert len(pages) > 40


def test_links_are_relative_so_the_site_works_from_disk_and_under_a_subpath(repo_site):
    for page in repo_site.rglob("*.html"):
        for link in parse(page).links:
            assert not link.startswith("/"), f"{page.name}: root-relative link {link}"


def test_every_page_kind_is_built(repo_site):
    expected = ["index.html", "compare.html", "about.html", "provenance.html", "404.html",
                "events.json", ".nojekyll", "commemorations/2015.html",
                "commemorations/2025.html", "events/2015-05-09-moscow-victory-day-parade.html",
                "sources/001_0f98aee22f1571cc.html", "people/xi-jinping.html",
                "places/red-square.html", "tags/parade.html", "static/style.css"]
    missing = [p for p in expected if not (repo_site / p).is_file()]
    assert not missing


def test_two_builds_into_different_folders_are_byte_identical(tmp_path):
    build_site(REPO, tmp_path / "a")
    build_site(REPO, tmp_path / "elsewhere" / "b")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "elsewhere" / "b")


def test_builds_do_not_depend_on_hash_seed_time_zone_or_locale(tmp_path, repo_site):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env = {**env, "PYTHONHASHSEED": "12345", "TZ": "America/Los_Angeles",
           "LC_ALL": "C"}
    subprocess.run([sys.executable, "-m", "paradetimeline", "build", "--root", str(REPO),
                    "--out", str(tmp_path / "other"), "--quiet"], env=env, check=True)
    assert snapshot(tmp_path / "other") == snapshot(repo_site)


def test_builds_do_not_depend_on_the_order_files_are_found(tmp_path, repo_site, monkeypatch):
    real_iterdir, real_rglob = Path.iterdir, Path.rglob
    shuffle = random.Random(7).shuffle

    def iterdir(self):
        found = list(real_iterdir(self))
        shuffle(found)
        return iter(found)

    def rglob(self, pattern):
        found = list(real_rglob(self, pattern))
        shuffle(found)
        return iter(found)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    monkeypatch.setattr(Path, "rglob", rglob)
    build_site(REPO, tmp_path / "shuffled")
    monkeypatch.undo()
    assert snapshot(tmp_path / "shuffled") == snapshot(repo_site)


def test_source_date_epoch_sets_the_timestamps_formats_require(tmp_path):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1262304000"}  # 2010-01-01T00:00:00Z
    subprocess.run([sys.executable, "-m", "paradetimeline", "build", "--root", str(REPO),
                    "--out", str(tmp_path / "epoch"), "--quiet"], env=env, check=True)
    calendar = (tmp_path / "epoch" / "events.ics").read_text(encoding="utf-8")
    assert "DTSTAMP:20100101T000000Z" in calendar


def test_the_model_is_let_go_before_the_records_are_written(tmp_path, monkeypatch):
    """At 10,000 events the model is 64 MB, and the build records are made after it, at the
    top of the main process's memory. The collector is paused for a build, so anything that
    still refers to the model then (the tracker did, through the templates) keeps it."""
    import gc

    import paradetimeline.memory as memory
    from paradetimeline.model import Event, Source

    def alive() -> int:
        return sum(isinstance(o, (Event, Source)) for o in gc.get_objects())

    gc.collect()
    before, seen = alive(), []
    monkeypatch.setattr(memory, "release_free_memory", lambda: seen.append(alive()))
    result = build_site(REPO, tmp_path / "site")
    assert result.events > 0 and seen and seen[0] <= before


def test_the_mentions_coverage_checked_are_those_the_provenance_report_shows(
        make_project, tmp_path, monkeypatch):
    """Coverage finds who cites each date phrase of every article, drafts included; the
    provenance report shows the same without the drafts left out of the site, so a build
    finds it once. The report is that of a project without the draft at all."""
    import paradetimeline.check.coverage as coverage
    import paradetimeline.render.views as views
    from paradetimeline.check.mentions import mentions_by_source

    calls = []

    def counted(timeline, *args):
        calls.append(len(timeline.events))
        return mentions_by_source(timeline, *args)

    monkeypatch.setattr(coverage, "mentions_by_source", counted)
    monkeypatch.setattr(views, "mentions_by_source", counted)
    from conftest import MINIMAL_SEED

    seed = MINIMAL_SEED.replace("over Russia's role in the Ukraine crisis.", "on Sunday.")
    root = make_project({"seeds/s1.txt": seed})
    build_site(root, tmp_path / "site", jobs=1)
    assert calls == [1]
    report = (tmp_path / "site/provenance.html").read_text()
    (root / "content/events/boycott.yaml").write_text(
        "title: A draft about the boycott\ndate: 2015-05-10\nstatus: happened\ndraft: true\n"
        "sources:\n  - source: s1\n"
        "    quote: \"Western leaders boycotted the Moscow parade on Sunday.\"\n")
    calls.clear()
    build_site(root, tmp_path / "again", jobs=1)
    assert calls == [2]  # coverage, with the draft
    assert (tmp_path / "again/provenance.html").read_text() == report
    calls.clear()
    build_site(root, tmp_path / "preview", jobs=1, drafts=True)
    assert calls == [2]
    assert (tmp_path / "preview/provenance.html").read_text() != report  # the draft cites
