"""write/output.py: output is replaced atomically, never half-written, never outside its folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CITED

from paradetimeline import ContentError, UsageError, build_site
from paradetimeline.write.output import MARKER, claimed, recover, safe_relpath, update_site, write_site


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` but the marker (tested on its own)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MARKER}


def update(out: Path, fill):
    with claimed(out, out.parent / "project") as folder:
        return update_site(folder, fill)


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
            f"title: Event {n}\ndate: 2015-05-09\nstatus: happened\nbody: |\n  {body}\n" + CITED
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

    assert update(out, fill) == "result"
    assert snapshot(out) == {"a.html": b"new", "b.html": b"2", "new/d.html": b"4"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.html", "b.html", "new"]  # 'old' is gone
    assert (out / MARKER).read_text().splitlines()[2:] == ["a.html", "b.html", "new/d.html"]


def test_a_failed_update_leaves_the_output_untouched(tmp_path):
    out = tmp_path / "out"
    write_site({"a.html": b"1"}, out, tmp_path / "project")

    def fill(staging):
        (staging / "a.html").write_bytes(b"half-done")
        raise RuntimeError("template error")

    with pytest.raises(RuntimeError):
        update(out, fill)
    assert snapshot(out) == {"a.html": b"1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_recover_completes_an_update_killed_after_its_journal(tmp_path, monkeypatch):
    """Once the journal is written the update is committed: a build killed while moving
    files into place is finished by the next one, never left half-applied."""
    import paradetimeline.write.output as site

    out = tmp_path / "site"
    write_site({"a.html": b"1", "b.html": b"2", "c.html": b"3"}, out, tmp_path / "project")

    def killed(staging, out):
        raise KeyboardInterrupt  # stands in for SIGKILL between the journal and the moves

    def fill(staging):
        (staging / "a.html").write_bytes(b"new a")
        (staging / "sub").mkdir()
        (staging / "sub/d.html").write_bytes(b"d")
        return None, ["c.html"]

    monkeypatch.setattr(site, "_apply", killed)
    with pytest.raises(KeyboardInterrupt):
        update(out, fill)
    monkeypatch.undo()
    assert snapshot(out) == {"a.html": b"1", "b.html": b"2", "c.html": b"3"}
    recover(out)
    assert snapshot(out) == {"a.html": b"new a", "b.html": b"2", "sub/d.html": b"d"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def planted(tmp_path: Path, journal: str, mode: int = 0o755) -> Path:
    """A staging folder and journal as a checkout or an archive could hold them, and a
    symlink inside site/ that leads out of it: what an attacker would plant."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/keep.txt").write_bytes(b"keep")
    staging = tmp_path / ".site-new-planted"
    (staging / "link").mkdir(parents=True)
    (staging / "link/keep.txt").write_bytes(b"overwritten")
    (staging / "link/new.txt").write_bytes(b"written outside")
    (staging / ".journal.json").write_text(journal)
    staging.chmod(mode)
    (tmp_path / "site/link").symlink_to(tmp_path / "outside")
    return staging


@pytest.mark.parametrize("journal", ['{"delete": ["link/keep.txt"]}', "{", "[]",
                                     '{"delete": ["../outside/keep.txt"]}'])
def test_a_planted_journal_is_not_applied(tmp_path, journal):
    write_site({"a.html": b"1"}, tmp_path / "site", tmp_path / "project")
    staging = planted(tmp_path, journal)
    recover(tmp_path / "site")
    assert snapshot(tmp_path / "outside") == {"keep.txt": b"keep"}
    assert snapshot(tmp_path / "site") == {"a.html": b"1"}
    assert (tmp_path / "site/link").is_symlink()
    assert not staging.exists()  # a leftover, deleted without following what it holds


def test_recovery_never_follows_a_symlink_inside_the_output(tmp_path):
    """Even a journal in a private folder (as a build makes it) moves and deletes files
    inside the output folder only."""
    write_site({"a.html": b"1"}, tmp_path / "site", tmp_path / "project")
    planted(tmp_path, '{"delete": ["link/keep.txt"]}', mode=0o700)
    with pytest.raises(UsageError, match="holds 'link', which is not a folder a build made"):
        recover(tmp_path / "site")
    assert snapshot(tmp_path / "outside") == {"keep.txt": b"keep"}


def test_a_planted_journal_and_symlink_do_nothing_outside_through_the_cli(make_project, tmp_path,
                                                                          capsys):
    from paradetimeline.cli import main

    root = make_project()
    assert main(["build", "--root", str(root), "--quiet"]) == 0
    (root / "site/link").symlink_to(tmp_path / "outside")
    planted_root = root / ".site-new-planted"
    planted_root.mkdir()
    (planted_root / ".journal.json").write_text('{"delete": ["link/keep.txt"]}')
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/keep.txt").write_bytes(b"keep")
    site_yaml = root / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("Test timeline", "Changed"))
    assert main(["build", "--root", str(root), "--quiet"]) == 2
    assert "holds 1 file that no build wrote (link)" in capsys.readouterr().err
    assert snapshot(tmp_path / "outside") == {"keep.txt": b"keep"}
    (root / "site/link").unlink()
    assert main(["build", "--root", str(root), "--quiet"]) == 0
    assert snapshot(tmp_path / "outside") == {"keep.txt": b"keep"}


# --out: only a folder a build made is replaced ----------------------------------------------

def build_cli(root: Path, *args: str) -> int:
    from paradetimeline.cli import main

    return main(["build", "--root", str(root), "--quiet", *args])


def test_a_folder_of_the_users_is_never_replaced(make_project, tmp_path, capsys):
    root = make_project()
    notes = tmp_path / "notes"
    (notes / "images").mkdir(parents=True)
    (notes / "CNAME").write_text("example.org\n")
    (notes / "images/map.png").write_bytes(b"png")
    assert build_cli(root, "--out", str(notes)) == 2
    assert capsys.readouterr().err == (
        f"paradetimeline: error: output folder '{notes}' was not made by a build (it has no "
        ".paradetimeline-output file), so it will not be replaced\n"
        "    hint: choose a new or empty folder, or pass --force to replace it and delete what "
        "it holds\n")
    assert snapshot(notes) == {"CNAME": b"example.org\n", "images/map.png": b"png"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "project"]
    assert build_cli(root, "--out", str(notes), "--force") == 0
    assert "CNAME" not in snapshot(notes) and "index.html" in snapshot(notes)


@pytest.mark.parametrize("folder", ["content", "seeds", "templates", "content/events", "."])
def test_the_projects_own_folders_are_refused_even_with_force(make_project, folder, capsys):
    root = make_project()
    (root / "seeds").mkdir(exist_ok=True)
    before = snapshot(root)
    assert build_cli(root, "--out", str(root / folder), "--force") == 2
    assert "paradetimeline: error: output folder" in capsys.readouterr().err
    assert snapshot(root) == before


def test_an_empty_or_new_folder_is_fine_and_gets_the_marker(make_project, tmp_path):
    root = make_project()
    (tmp_path / "empty").mkdir()
    assert build_cli(root, "--out", str(tmp_path / "empty")) == 0
    assert build_cli(root, "--out", str(tmp_path / "new/site")) == 0
    marker = (tmp_path / "empty" / MARKER).read_text(encoding="utf-8").splitlines()
    assert marker[0] == "# Written by 'paradetimeline build', with the files it wrote into this folder."
    assert marker[2:] == sorted(snapshot(tmp_path / "empty"))
    assert snapshot(tmp_path / "empty") == snapshot(tmp_path / "new/site")


def test_a_file_dropped_into_a_built_site_stops_the_next_build(make_project, capsys):
    root = make_project()
    assert build_cli(root) == 0
    (root / "site/CNAME").write_text("example.org\n")
    (root / "content/events/parade.yaml").write_text(
        (root / "content/events/parade.yaml").read_text().replace("One line.", "Changed."))
    assert build_cli(root) == 2
    assert capsys.readouterr().err == (
        f"paradetimeline: error: output folder '{root / 'site'}' holds 1 file that no build "
        "wrote (CNAME); a build would delete it\n"
        "    hint: move it out of the folder, or pass --force to delete them\n")
    assert (root / "site/CNAME").read_text() == "example.org\n"


def test_a_site_symlink_is_refused_and_left_as_it_is(make_project, tmp_path, capsys):
    root = make_project()
    deployed = tmp_path / "www"
    deployed.mkdir()
    (deployed / "index.html").write_text("live")
    (root / "site").symlink_to(deployed)
    assert build_cli(root) == 2
    assert capsys.readouterr().err == (
        f"paradetimeline: error: output folder '{root / 'site'}' is a symlink to '{deployed}'; a "
        "build replaces the folder, and would replace the link with it (hint: pass --out "
        f"'{deployed}' to build there)\n")
    assert (root / "site").is_symlink() and snapshot(deployed) == {"index.html": b"live"}


def test_the_committed_site_is_a_builds_own(tmp_path):
    """The repository's site/ carries the marker, so `make site` keeps replacing it."""
    from conftest import REPO

    from paradetimeline.write.output import claim

    claim(REPO / "site")  # raises if site/ holds a file no build wrote


def test_the_site_folder_gets_the_users_umask(make_project):
    root = make_project()
    previous = os.umask(0o022)
    try:
        build_site(root)
    finally:
        os.umask(previous)
    assert (root / "site").stat().st_mode & 0o777 == 0o755
    assert (root / "site/index.html").stat().st_mode & 0o777 == 0o644


# Failures to write name the folder: exit 1, never an internal error ---------------------------

@pytest.mark.parametrize(("out", "reason"), [
    ("/dev/null/x", "'/dev/null' is not a folder"),
    ("/proc/x", "No such file or directory"),
])
def test_an_output_that_cannot_be_written_is_a_located_error(make_project, capsys, out, reason):
    root = make_project()
    assert build_cli(root, "--out", out) == 1
    assert capsys.readouterr().err == f"paradetimeline: error: cannot write into '{out}': {reason}\n"


def test_a_full_disk_leaves_the_previous_site_and_says_so(make_project, monkeypatch, capsys):
    import errno

    import paradetimeline.write.files as render

    root = make_project()
    assert build_cli(root) == 0
    before = snapshot(root / "site")
    (root / "content/site.yaml").write_text(
        (root / "content/site.yaml").read_text().replace("Test timeline", "Other"))

    def full(descriptor, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(render, "write_all", full)
    assert build_cli(root) == 1
    assert capsys.readouterr().err == (f"paradetimeline: error: cannot write into "
                                       f"'{root / 'site'}': No space left on device\n")
    assert snapshot(root / "site") == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_an_unwritable_project_folder_is_a_located_error(make_project, monkeypatch, capsys):
    import errno

    import paradetimeline.write.output as site

    root = make_project()

    def denied(self, mode=0o777, parents=False, exist_ok=False):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))

    monkeypatch.setattr(site.Path, "mkdir", denied)
    assert build_cli(root) == 1
    assert capsys.readouterr().err == (f"paradetimeline: error: cannot write into "
                                       f"'{root / 'site'}': Permission denied\n")


# Two builds at once take turns ---------------------------------------------------------------

def test_two_builds_at_once_end_in_a_complete_site(make_project, tmp_path):
    """Real processes, started together, into one folder: the result equals a clean build."""
    root = make_project(many_events(300))
    command = [sys.executable, "-m", "paradetimeline", "build", "--root", str(root), "--quiet"]
    for _ in range(2):
        shutil.rmtree(root / "site", ignore_errors=True)
        processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for _ in range(3)]
        outcomes = [process.communicate(timeout=300) for process in processes]
        assert [p.returncode for p in processes] == [0, 0, 0], outcomes
        assert all(b"Traceback" not in err for _, err in outcomes)
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build_site(root, clean)
        assert snapshot(root / "site") == snapshot(clean)
        assert not [p for p in root.iterdir() if p.name.startswith(".site-")]


def test_a_build_waits_while_another_holds_the_folder(make_project):
    """While one build holds the output folder, another (a real process) says it waits and
    touches nothing; it builds once the first is done."""
    root = make_project()
    with claimed(root / "site", root):
        process = subprocess.Popen(
            [sys.executable, "-m", "paradetimeline", "build", "--quiet"], cwd=root,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            assert process.stderr.readline() == b"Waiting for another build into site/ to finish...\n"
            assert process.poll() is None and not (root / "site").exists()
        finally:
            if process.poll() is not None:
                process.kill()
    assert process.wait(timeout=120) == 0
    assert (root / "site/index.html").is_file()
