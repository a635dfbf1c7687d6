"""scaffold/project.py: `init` writes a story-neutral project that passes `check --strict`
and builds, and never writes into a folder that holds anything."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_cli

from paradetimeline import __version__

# Words of the shipped story that must not appear in a new project's site.
STORY_WORDS = re.compile(r"\b(?:2015|2025|1945|Victory|Xi|Putin|Moscow|Beijing|Minsk|China|"
                         r"Russia|parades?|Leaders|commemoration)\b")


def test_init_writes_a_project_that_passes_check_strict_and_builds(tmp_path, capsys):
    folder = tmp_path / "old-bridge"
    code, out, err = run_cli(capsys, "init", str(folder))
    assert (code, err) == (0, "")
    assert out == (f"Created a new project in {folder.as_posix()}/ (11 files). Next:\n"
                   f"  cd {folder.as_posix()}\n"
                   "  paradetimeline new source ARTICLE.txt     # add an article to seeds/\n"
                   "  paradetimeline suggest                    # the dates it names, and how to draft each\n"
                   "  paradetimeline build                      # the site, into site/\n")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        ".github/workflows/pages.yml", ".gitignore", "README.md", "content/anniversaries.yaml",
        "content/events/.gitkeep", "content/people.yaml", "content/places.yaml",
        "content/site.yaml", "content/sources/.gitkeep", "requirements.txt", "seeds/README.md"]
    assert 'title: "Old bridge"' in (folder / "content/site.yaml").read_text()
    assert f"paradetimeline=={__version__}" in (folder / "requirements.txt").read_text()
    assert "paradetimeline build --out _site" in (folder / ".github/workflows/pages.yml").read_text()
    assert run_cli(capsys, "check", "--root", str(folder), "--strict")[0] == 0
    code, _, err = run_cli(capsys, "build", "--root", str(folder), "--base-url", "https://example.org/b/")
    assert (code, err) == (0, "")
    site = folder / "site"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert pages == ["404.html", "about.html", "embed.html", "index.html"]
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".ics", ".js", ".css"):
            found = STORY_WORDS.findall(path.read_text())
            assert not found, f"{path.name} holds {found}"
    index = (site / "index.html").read_text()
    assert "No events yet." in index and "compare.html" not in index


def test_init_takes_a_title_and_the_current_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "init", "--title", 'The "Old" Bridge')
    assert code == 0 and out.startswith("Created a new project in ./ (11 files). Next:\n  paradetimeline new")
    assert 'title: "The \\"Old\\" Bridge"' in (tmp_path / "content/site.yaml").read_text()
    assert "# The \"Old\" Bridge\n" in (tmp_path / "README.md").read_text()


def test_init_refuses_a_folder_that_holds_anything(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    code, out, err = run_cli(capsys, "init", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (f"paradetimeline: error: '{tmp_path}' is not an empty folder; give a new one, "
                   "such as 'paradetimeline init my-timeline'\n")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_init_writes_beside_a_new_repository_s_git_folder(tmp_path, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git/HEAD").write_text("ref: refs/heads/main\n")
    assert run_cli(capsys, "init", str(tmp_path))[0] == 0
    assert (tmp_path / ".git/HEAD").read_text() == "ref: refs/heads/main\n"
    assert (tmp_path / "content/site.yaml").is_file()


def test_init_refuses_a_file(tmp_path, capsys):
    file = tmp_path / "file"
    file.write_text("x")
    assert run_cli(capsys, "init", str(file))[0] == 2
    assert file.read_text() == "x"


def test_the_new_project_s_people_and_places_files_are_ready_to_fill(tmp_path, capsys):
    folder = tmp_path / "p"
    run_cli(capsys, "init", str(folder))
    people = folder / "content/people.yaml"
    people.write_text(people.read_text().replace("{}\n", "jane-roe:\n  name: Jane Roe\n"))
    assert run_cli(capsys, "check", "--root", str(folder), "--strict")[0] == 0
    assert Path(folder / "seeds/README.md").read_text().startswith("One article per file")
