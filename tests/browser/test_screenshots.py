"""Full-page screenshots of the main page kinds, wide and phone, light and dark.

They land in test-artifacts/screenshots/ (git-ignored) for a person to look at; the test
also checks that each page actually drew its heading and is not blank.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = {
    "index": "index.html",
    "event": "events/2015-05-09-moscow-victory-day-parade.html",
    "source": "sources/001_0f98aee22f1571cc.html",
    "compare": "compare.html",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", list(PAGES))
def test_screenshot(browser, site_url, shot_dir, name, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/{PAGES[name]}")
        assert page.locator("h1").first.is_visible()
        path = shot_dir / f"{name}-{width}-{scheme}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
    finally:
        context.close()
