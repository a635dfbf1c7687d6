"""The same files work opened from disk, served at '/', and under a GitHub project sub-path."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

EVENT = "events/2015-05-09-moscow-victory-day-parade.html"


@pytest.fixture(scope="module")
def subpath_url(site_dir: Path):
    """Serve a folder holding the site as /paradetimeline/, as GitHub project pages do."""
    parent = site_dir.parent / "pages-root"
    parent.mkdir(exist_ok=True)
    link = parent / "paradetimeline"
    if not link.exists():
        link.symlink_to(site_dir, target_is_directory=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/paradetimeline"
    server.shutdown()
    server.server_close()


def base_urls(site_dir: Path, site_url: str, subpath_url: str) -> dict[str, str]:
    return {"file": site_dir.resolve().as_uri(), "root": site_url, "subpath": subpath_url}


@pytest.mark.parametrize("how", ["file", "root", "subpath"])
def test_pages_css_links_and_scripts_work(page, site_dir, site_url, subpath_url, how):
    base = base_urls(site_dir, site_url, subpath_url)[how]
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)

    page.goto(f"{base}/index.html")
    # the stylesheet applied (the era backgrounds come from static/style.css) ...
    era = page.locator("section.era-1").first
    assert era.evaluate("el => getComputedStyle(el).borderLeftStyle") == "solid"
    # ... and the filter script ran: it reveals the filter box
    assert page.locator("#filters").is_visible()
    # a link from the index to an event page, then from the event page to its source sentence
    page.locator(f'a[href="{EVENT}"]').first.click()
    page.wait_for_url(f"**/{EVENT}")
    assert page.locator("h1").inner_text() == "Xi Jinping attends the Victory Day parade in Moscow"
    assert page.locator("figure.quote").first.evaluate(
        "el => getComputedStyle(el.querySelector('blockquote')).borderLeftStyle") == "solid"
    page.locator("figure.quote figcaption a").first.click()
    page.wait_for_url("**/sources/001_0f98aee22f1571cc.html#p4-s1")
    assert page.locator("#p4-s1").is_visible()
    # back up to the root through the header
    page.get_by_role("link", name="Compare").first.click()
    page.wait_for_url("**/compare.html")
    assert page.locator("table.compare").is_visible()
    assert failed == [], f"{how}: failed requests {failed}"
