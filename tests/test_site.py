"""site.py: output is replaced atomically, never half-written, never outside its folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paradetimeline import ContentError, UsageError, build_site
from paradetimeline.site import recover, safe_relpath, update_site, write_site


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_write_site_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "out"
    write_site({"a.html": b"1", "old/b.html": b"2"}, out, tmp_path / "project")
    write_site({"a.html": b"3"}, out, tmp_path / "project")
    assert snapshot(out) == {"a.html": b"3"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_site_creates_a_missing_parent(tmp_path):
    out = tmp_path / "deep" / "er" / "out"
    write_site({"index.html": b"x"}, out, tmp_path / "project")
    assert (out / "index.html").read_bytes() == b"x"


@pytest.mark.parametrize("bad", ["../escape.html", "/abs.html", "a/../../b.html", ""])
def test_paths_that_leave_the_output_are_refused(bad):
    with pytest.raises(ValueError):
        safe_relpath(bad)


def test_a_failed_write_leaves_the_previous_output_and_no_staging(tmp_path):
    out = tmp_path / "out"
    write_site({"index.html": b"good"}, out, tmp_path / "project")
    with pytest.raises(ValueError):
        write_site({"index.html": b"new", "../x": b"bad"}, out, tmp_path / "project")
    assert snapshot(out) == {"index.html": b"good"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_project_itself_is_never_the_output(make_project, tmp_path):
    root = make_project()
    with pytest.raises(UsageError, match="would replace the project itself"):
        build_site(root, root / "templates" / "..")
    other = tmp_path / "other-project"
    (other / "content").mkdir(parents=True)
    with pytest.raises(UsageError, match="holds 'content': it does not look like a built site"):
        build_site(root, other)
    assert (other / "content").is_dir()


def test_a_content_error_leaves_the_previous_site_byte_identical(make_project):
    root = make_project()
    build_site(root)
    before = snapshot(root / "site")
    (root / "content/events/parade.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError):
        build_site(root)
    assert snapshot(root / "site") == before
    assert not list(root.glob(".site-*"))


def test_recover_restores_a_site_swapped_out_by_a_killed_build(tmp_path):
    old = tmp_path / ".site-old-abc"
    old.mkdir()
    (old / "index.html").write_bytes(b"previous")
    (tmp_path / ".site-new-def").mkdir()
    recover(tmp_path / "site")
    assert snapshot(tmp_path / "site") == {"index.html": b"previous"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def many_events(count: int) -> dict[str, str]:
    body = "Words of a long body. " * 200
    return {
        f"content/events/bulk/e{n:05d}.yaml": (
            f"title: Event {n}\ndate: 2015-05-09\nstatus: happened\nbody: |\n  {body}\n"
        )
        for n in range(count)
    }


def test_a_build_killed_half_way_leaves_the_previous_site_byte_identical(make_project):
    """A real SIGKILL while the new site is being written; then a rebuild recovers."""
    root = make_project()
    build_site(root)
    before = snapshot(root / "site")
    for relpath, text in many_events(1500).items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "paradetimeline", "build", "--root", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(root.glob(".site-new-*")) and process.poll() is None:
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the build finished before it was killed"
    assert snapshot(root / "site") == before
    build_site(root)  # the next build cleans up what the killed one left
    assert not list(root.glob(".site-*"))
    assert (root / "site/events/e01499.html").is_file()


def test_update_site_changes_only_what_fill_wrote_and_deletes_the_stale(tmp_path):
    out = tmp_path / "out"
    write_site({"a.html": b"1", "b.html": b"2", "old/c.html": b"3"}, out, tmp_path / "project")

    def fill(staging):
        (staging / "a.html").write_bytes(b"new")
        (staging / "new").mkdir()
        (staging / "new/d.html").write_bytes(b"4")
        return "result", ["old/c.html"]

    assert update_site(out, tmp_path / "project", fill) == "result"
    assert snapshot(out) == {"a.html": b"new", "b.html": b"2", "new/d.html": b"4"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == ["a.html", "b.html", "new"]  # 'old' is gone


def test_a_failed_update_leaves_the_output_untouched(tmp_path):
    out = tmp_path / "out"
    write_site({"a.html": b"1"}, out, tmp_path / "project")

    def fill(staging):
        (staging / "a.html").write_bytes(b"half-done")
        raise RuntimeError("template error")

    with pytest.raises(RuntimeError):
        update_site(out, tmp_path / "project", fill)
    assert snapshot(out) == {"a.html": b"1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_recover_completes_an_update_killed_after_its_journal(tmp_path, monkeypatch):
    """Once the journal is written the update is committed: a build killed while moving
    files into place is finished by the next one, never left half-applied."""
    import paradetimeline.site as site

    out = tmp_path / "site"
    write_site({"a.html": b"1", "b.html": b"2", "c.html": b"3"}, out, tmp_path / "project")

    def killed(journal, out):
        raise KeyboardInterrupt  # stands in for SIGKILL between the journal and the moves

    def fill(staging):
        (staging / "a.html").write_bytes(b"new a")
        (staging / "sub").mkdir()
        (staging / "sub/d.html").write_bytes(b"d")
        return None, ["c.html"]

    monkeypatch.setattr(site, "_apply", killed)
    with pytest.raises(KeyboardInterrupt):
        update_site(out, tmp_path / "project", fill)
    monkeypatch.undo()
    assert snapshot(out) == {"a.html": b"1", "b.html": b"2", "c.html": b"3"}
    recover(out)
    assert snapshot(out) == {"a.html": b"new a", "b.html": b"2", "sub/d.html": b"d"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("journal", ['{"staging": "../../etc", "delete": []}', "{", "[]",
                                     '{"staging": ".site-new-x", "delete": ["../outside"]}'])
def test_a_journal_that_is_not_ours_is_dropped_unapplied(tmp_path, journal):
    out = tmp_path / "site"
    write_site({"a.html": b"1"}, out, tmp_path / "project")
    (tmp_path / "outside").write_bytes(b"keep")
    (tmp_path / ".site-journal-x.json").write_text(journal)
    recover(out)
    assert snapshot(out) == {"a.html": b"1"}
    assert (tmp_path / "outside").read_bytes() == b"keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "site"]
