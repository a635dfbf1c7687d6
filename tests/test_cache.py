"""cache.py: a rebuild with nothing changed does nothing, and the cache is never wrong."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO
from test_site import snapshot

from paradetimeline import ContentError, build_site
from paradetimeline.cache import record_path


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
