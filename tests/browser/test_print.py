"""Printed, an event page keeps its quotes and turns its sources into numbered footnotes
with the original addresses; navigation and filters are left off the paper."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

EVENT = "events/2015-05-09-moscow-victory-day-parade.html"


def test_event_prints_sources_as_footnotes(page, site_url, shot_dir):
    page.goto(f"{site_url}/{EVENT}")
    marks = page.locator("figure.quote .fn-mark")
    assert marks.count() > 0
    assert not marks.first.is_visible()  # on screen the numbers stay out of the way
    page.emulate_media(media="print")
    assert marks.first.is_visible()
    numbers = {m.strip() for m in marks.all_inner_texts()}
    notes = page.locator(".footnotes li")
    assert numbers == {f"[{n}]" for n in range(1, notes.count() + 1)}
    # the original article's address is printed after its link
    original = page.locator(".footnotes a.original").first
    href = original.get_attribute("href")
    after = original.evaluate("a => getComputedStyle(a, '::after').content")
    assert href.startswith("http") and href in after
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.locator(".prev-next").is_visible()
    page.pdf(path=str(shot_dir / "event-print.pdf"))


def test_index_prints_without_filters(page, site_url):
    page.goto(f"{site_url}/index.html")
    assert page.locator("#filters").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("#filters").is_visible()
    assert page.locator("li.item.event").first.is_visible()
