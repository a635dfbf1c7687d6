"""cache.py: a rebuild with nothing changed does nothing, and the cache is never wrong."""

from __future__ import annotations

import pickle
import re
import shutil

import pytest
from conftest import REPO
from test_site import snapshot

from paradetimeline import ContentError, build_site, cache
from paradetimeline.cache import pages_path, record_path
from paradetimeline.tracking import read_record


def clean_build(root, tmp_path, name):
    """A build from nothing: a copy of the project without its cache or site, so neither
    the build record nor any cached parse or Markdown can be reused."""
    copy = tmp_path / f"{name}-project"
    shutil.copytree(root, copy, symlinks=True,
                    ignore=shutil.ignore_patterns(".paradetimeline-cache", "site"))
    out = copy / "site"
    assert not record_path(copy, out).exists()
    build_site(copy, out, jobs=1)
    return snapshot(out)


def test_an_unchanged_rebuild_reuses_the_output_and_replays_warnings(make_project, monkeypatch):
    root = make_project({"seeds/s2.txt": "A second article.\n"})  # a seed without metadata
    first = build_site(root)
    assert [d.message for d in first.diagnostics] == ["no metadata for this seed"]
    import paradetimeline.render as render

    monkeypatch.setattr(render, "write_rendered", lambda *a, **k: pytest.fail("rendered again"))
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
            "title: A new event\ndate: 2015-05-10\nstatus: planned\ntags: [parade]\n")),
        ("change an event", lambda: (root / "content/events/new.yaml").write_text(
            "title: A changed event\ndate: 2015-06\nstatus: expected\n")),
        ("change its body", lambda: (root / "content/events/new.yaml").write_text(
            "title: A changed event\ndate: 2015-06\nstatus: expected\nbody: Now *with* a body.\n")),
        ("delete an event", lambda: (root / "content/events/new.yaml").unlink()),
        ("edit a person", lambda: (root / "content/people.yaml").write_text(
            "xi-jinping:\n  name: Xi Jinping (edited)\n  country: China\n")),
        ("edit the site title", lambda: (root / "content/site.yaml").write_text(
            (root / "content/site.yaml").read_text().replace("Test timeline", "Retitled"))),
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
        "title: An added event\ndate: 2025-12-31\nstatus: planned\ntags: [parade]\n")
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
    assert cache.manifest(site) == cache.read_record(root, site)["manifest"]  # kept up to date
    import paradetimeline.render as render

    monkeypatch.setattr(render, "write_rendered", lambda *a, **k: pytest.fail("rendered again"))
    build_site(root)  # nothing changed since: nothing to do


@pytest.mark.parametrize("garbage", [b"", b"{", b"\x80\x05N." + bytes(32), "unsigned"])
def test_a_corrupt_page_record_means_a_full_build(make_project, tmp_path, garbage):
    root = make_project()
    build_site(root)
    record = pages_path(root, root / "site")
    if garbage == "unsigned":  # a well-formed record, but pickled by someone else
        garbage = pickle.dumps(pickle.loads(record.read_bytes()[:-32])) + bytes(32)
    record.write_bytes(garbage)
    assert read_record(record) is None
    (root / "content/events/new.yaml").write_text("title: New\ndate: 2015-05-10\nstatus: planned\n")
    build_site(root)
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def test_a_build_that_renders_some_pages_keeps_the_results_of_the_others(tmp_path):
    from paradetimeline.filecache import NAME, open_cache

    root = repo_copy(tmp_path)
    build_site(root)
    kinds = lambda: sorted(k[0] for k in open_cache(root, ".paradetimeline-cache").entries)
    before = kinds()
    assert before.count("markdown") == 3 and "fragment" in before  # three events have a body
    (root / "content/events/2025/2025-12-31-added.yaml").write_text(
        "title: An added event\ndate: 2025-12-31\nstatus: planned\n")
    build_site(root)
    after = kinds()
    assert after.count("markdown") == before.count("markdown")  # none rendered, none dropped
    assert after.count("fragment") >= before.count("fragment")
    assert (root / ".paradetimeline-cache" / NAME).is_file()


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
