"""The index stays light (HTML + CSS + JS under 60 KB) and no script blocks rendering."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.browser

BUDGET = 60 * 1024


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.styles, self.scripts, self.in_head, self.seen_body_content = [], [], False, False
        self.blocking = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.styles.append(a["href"])
        elif tag == "script":
            kind = a.get("type", "text/javascript")
            if "src" in a:
                self.scripts.append(a["src"])
            if kind in ("application/ld+json", "application/json"):
                return
            if self.in_head and "defer" not in a and "async" not in a and a.get("type") != "module":
                self.blocking.append(a.get("src", "inline script"))


def parse(path):
    parser = Assets()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_index_weight_is_under_budget(site_dir, record_property):
    index = site_dir / "index.html"
    assets = parse(index)
    assert assets.styles and assets.scripts
    total = index.stat().st_size + sum(
        (site_dir / href).stat().st_size for href in assets.styles + assets.scripts)
    record_property("index_bytes", total)
    print(f"index.html + CSS + JS = {total} bytes")
    assert total < BUDGET, f"{total} bytes > {BUDGET}"


@pytest.mark.parametrize("page", ["index.html", "events/2015-05-09-moscow-victory-day-parade.html",
                                  "compare.html", "sources/001_0f98aee22f1571cc.html"])
def test_no_render_blocking_script(site_dir, page):
    assert parse(site_dir / page).blocking == []


def test_no_external_resources(site_dir):
    """No fonts, CDNs or trackers: every stylesheet and script is our own, by relative path."""
    for page in site_dir.rglob("*.html"):
        assets = parse(page)
        for href in assets.styles + assets.scripts:
            assert "//" not in href, f"{page.name} loads {href}"
