"""Proof from outside the repository: the wheel, installed into a fresh virtual environment,
starts a project of another story with `init`, adds an article with `new source`, drafts an
event with `new event --from`, and builds a site that passes axe and linkinator, without the
repository's templates."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BRIDGE_ARTICLE, build_wheel

from .conftest import serving
from .test_accessibility import describe, run_axe

pytestmark = pytest.mark.browser

STORY_WORDS = re.compile(r"\b(?:2015|2025|1945|Victory|Xi|Putin|Moscow|Beijing|Minsk|China|"
                         r"Russia|parades?|Leaders)\b")


def sh(tool: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(tool), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd),
                                            "XDG_CACHE_HOME": str(cwd / ".cache")})
    assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return done


@pytest.fixture(scope="session")
def new_site(tmp_path_factory) -> Path:
    """The four commands of the README's "start your own timeline", run by the installed
    tool in an empty folder; their output is kept beside the site, in commands.txt."""
    work = tmp_path_factory.mktemp("new-project")
    wheel = build_wheel(work)
    venv = work / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, timeout=600)
    tool = venv / "bin/paradetimeline"
    home = work / "home"
    home.mkdir()
    (home / "closure.txt").write_text(BRIDGE_ARTICLE, encoding="utf-8")
    log = [sh(tool, "init", "bridge", cwd=home)]
    project = home / "bridge"
    log.append(sh(tool, "new", "source", "../closure.txt", cwd=project))
    places = project / "content/places.yaml"  # the user names a place they know
    places.write_text(places.read_text().replace(
        "{}\n", "old-bridge:\n  name: Old Bridge\n  kind: building\n"))
    log.append(sh(tool, "new", "event", "--from", "closure#p1-s1", cwd=project))
    (draft,) = (project / "content/events/2024").glob("*.yaml")
    draft.write_text(draft.read_text().replace(
        draft.read_text().splitlines()[-1] + "\n", ""))  # delete 'draft: true'
    log.append(sh(tool, "build", cwd=project))
    assert not (project / "templates").exists()
    (work / "commands.txt").write_text("".join(d.stdout + d.stderr for d in log))
    return project / "site"


def test_the_four_commands_make_a_site_of_the_new_story(new_site):
    output = (new_site.parent.parent.parent / "commands.txt").read_text()
    assert "Created a new project in bridge/ (11 files)." in output
    assert "Created seeds/closure.txt and content/sources/closure.yaml\n" in output
    assert "a draft quoting closure p1-s1" in output
    assert re.search(r"Built 10 pages from 1 event into site/ in [\d.]+ s", output)
    event = (new_site / "events/2024-09-23-the-old-bridge-will-close-to-traffic-on-monday-september-23.html").read_text()
    assert "The Old Bridge will close to traffic on Monday, September 23" in event
    assert "23 September 2024" in event
    for path in new_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".ics", ".js", ".css"):
            found = STORY_WORDS.findall(path.read_text())
            assert not found, f"{path.relative_to(new_site)} holds {found}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_of_the_new_site_passes_axe(browser, new_site, axe_js, scheme):
    pages = sorted(p.relative_to(new_site).as_posix() for p in new_site.rglob("*.html"))
    assert len(pages) == 10
    context = browser.new_context(color_scheme=scheme)
    try:
        with serving(new_site) as url:
            page = context.new_page()
            for path in pages:
                page.goto(f"{url}/{path}")
                violations = run_axe(page, axe_js)
                assert violations == [], f"{path}: {describe(violations)}"
    finally:
        context.close()


def test_the_filter_box_of_a_one_event_site_speaks_of_one_event(page, new_site):
    with serving(new_site) as url:
        page.goto(f"{url}/index.html")
        assert page.get_by_role("status").inner_text() == "1 of 1 event shown"
        # one status, one country or none: no filter offers a choice between one value
        assert page.locator("#filters select").count() == 0


def test_no_link_of_the_new_site_is_broken(new_site, linkinator):
    run = subprocess.run([*linkinator, str(new_site), "--recurse", "--format", "text",
                          "--skip", r"^https?://(?!localhost|127\.0\.0\.1)"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ERROR" not in run.stdout, run.stdout
