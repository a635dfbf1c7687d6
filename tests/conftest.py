"""Shared fixtures: a tiny project builder, the repository root, and a pinned environment."""

from __future__ import annotations

import os
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Builds must not depend on the clock, the zone or the locale: pin them for every test.
os.environ["TZ"] = "Pacific/Kiritimati"
os.environ["LC_ALL"] = "C.UTF-8"
if hasattr(time, "tzset"):
    time.tzset()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output")


@pytest.fixture(autouse=True, scope="session")
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds in tests keep their cache (and sign it with a key) in the test session's own
    folder, never in the user's ~/.cache nor in the checkout (see incremental/buildrecord.py). Session-wide,
    so that it holds for the session's fixtures too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        patch.delenv("PARADETIMELINE_CACHE_DIR", raising=False)
        yield


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


MINIMAL_SITE = """\
title: Test timeline
description: A tiny project for tests.
commemorations:
  - year: 2015
    anniversary: victory-day-1945
compare:
  - tag: parade
    label: Parades
"""

MINIMAL_SEED = """\
# A Test Headline

By [Test Times](#)

May 11, 2015

Xi attended Moscow's Victory Day parade on Saturday marking 70 years since the end of the war in Europe.

Western leaders boycotted the Moscow parade over Russia's role in the Ukraine crisis.
"""

# What a published event needs: a quote from a source (here the minimal project's seed).
CITED = ("sources:\n  - source: s1\n    quote: \"Xi attended Moscow's Victory Day parade on "
         "Saturday marking 70 years since the end of the war in Europe.\"\n")

# An article of a story that is not the shipped one, for the tests of a new project.
BRIDGE_ARTICLE = """\
Old Bridge to close for six weeks of repairs

By Jane Roe

Thursday, September 12, 2024

A crane beside the Old Bridge

The Old Bridge will close to traffic on Monday, September 23, the city council said on Tuesday.

Mayor Ana Lopez told reporters that the repairs are expected to last six weeks.

The bridge opened in 1925 and was last repaired in 1998.
"""

MINIMAL_COVERAGE = """\
other_dates:
  - event: parade
    source: s1
    anchor: p1-s1
    phrase: 70 years since
    reason: Counts back to the end of the war, which the parade marks.
"""

MINIMAL_FILES = {
    "content/site.yaml": MINIMAL_SITE,
    "seeds/s1.txt": MINIMAL_SEED,
    "content/sources/s1.yaml": "publisher: Test Times\n",
    "content/people.yaml": (
        "xi-jinping:\n  name: Xi Jinping\n  country: China\n"
        "  note: The country is the curator's.\n"
    ),
    "content/places.yaml": (
        "red-square:\n  name: Red Square\n  kind: square\n  city: Moscow\n"
        "  country: Russia\n  lat: 55.7539\n  lon: 37.6208\n"
        "  note: The city, country and coordinates are the curator's.\n"
    ),
    "content/anniversaries.yaml": (
        "victory-day-1945:\n  title: Victory Day\n  date: 1945-05-09\n"
    ),
    "content/coverage.yaml": MINIMAL_COVERAGE,
    "content/events/parade.yaml": """\
        title: Xi attends the parade
        date: 2015-05-09
        status: happened
        commemorates: victory-day-1945
        places: [red-square]
        people: [xi-jinping]
        tags: [parade]
        summary: One line.
        sources:
          - source: s1
            quote: "Xi attended Moscow's Victory Day parade on Saturday marking 70 years since the end of the war in Europe."
        """,
}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of one `paradetimeline` command, run in this process."""
    from paradetimeline.cli import main

    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def new_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project made by `paradetimeline init`, as a new user starts one."""
    root = tmp_path / "bridge"
    assert run_cli(capsys, "init", str(root))[0] == 0
    return root


def build_wheel(folder: Path) -> Path:
    """The package's wheel, built from a copy of the sources in `folder` (setuptools writes
    beside what it builds: never into the checkout)."""
    import shutil
    import subprocess
    import sys

    source = folder / "source"
    for name in ("src", "templates"):
        shutil.copytree(REPO / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    wheels = folder / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q",
                    "-w", str(wheels)], check=True, cwd=folder)
    (wheel,) = wheels.glob("*.whl")
    return wheel


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def make_project(tmp_path: Path):
    """make_project({relpath: text}) -> root: the minimal valid project plus/over `files`.

    Pass a value of None to leave a minimal file out. Templates are the repository's own.
    """
    def make(files: dict[str, str | bytes | None] | None = None, *, minimal: bool = True) -> Path:
        root = tmp_path / "project"
        merged: dict[str, str | bytes | None] = dict(MINIMAL_FILES) if minimal else {}
        merged.update(files or {})
        write_project(root, {k: v for k, v in merged.items() if v is not None})
        if not (root / "templates").exists():
            (root / "templates").symlink_to(REPO / "templates")
        return root

    return make


EXAMPLE_BASE_URL = "https://example.org/paradetimeline/"


@pytest.fixture(scope="session")
def repo_site_with_base_url(tmp_path_factory) -> Path:
    """The repository's own content, built once with a base URL (feeds, sitemap, og:url)."""
    from paradetimeline import build_site

    out = tmp_path_factory.mktemp("with-base-url") / "site"
    build_site(REPO, out, base_url=EXAMPLE_BASE_URL)
    return out


@pytest.fixture(scope="session")
def repo_site_without_base_url(tmp_path_factory) -> Path:
    """The repository's own content, built once without a base URL."""
    from paradetimeline import build_site

    out = tmp_path_factory.mktemp("without-base-url") / "site"
    build_site(REPO, out)
    return out
