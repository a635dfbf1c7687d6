"""Every page is valid HTML (W3C Nu checker) and no internal link is broken (linkinator)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


def test_every_page_is_valid_html(site_dir, vnu_jar):
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > 20
    run = subprocess.run(
        ["java", "-jar", str(vnu_jar), "--errors-only", "--skip-non-html", str(site_dir)],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr or run.stdout


def test_no_broken_links(site_dir, linkinator):
    run = subprocess.run(
        [*linkinator, str(site_dir), "--recurse", "--format", "text",
         "--skip", r"^https?://(?!localhost|127\.0\.0\.1)"],
        capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ERROR" not in run.stdout, run.stdout
