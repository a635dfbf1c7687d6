"""With JavaScript off, the timeline is complete and every event is reachable through
the tag, person and place pages."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def nojs_page(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_index_lists_every_event_without_javascript(nojs_page, site_url, site_dir):
    events = json.loads((site_dir / "events.json").read_text(encoding="utf-8"))["events"]
    nojs_page.goto(f"{site_url}/index.html")
    listed = nojs_page.locator("li.item.event:visible")
    assert listed.count() == len(events) > 0
    titles = set(listed.locator(".item-title").all_inner_texts())
    assert titles == {e["title"] for e in events}
    # no half-built filter box without the script
    assert nojs_page.locator("#filters").is_hidden()
    assert nojs_page.locator("#no-results").is_hidden()


@pytest.mark.parametrize("kind, index, heading", [
    ("tags", "tags/index.html", "Events tagged parade"),
    ("people", "people/index.html", "Xi Jinping"),
    ("places", "places/index.html", "Red Square"),
])
def test_tag_person_and_place_pages_are_reachable_by_links(nojs_page, site_url, kind, index,
                                                           heading):
    nojs_page.goto(f"{site_url}/index.html")
    link_text = {"tags": "Tags", "people": "People", "places": "Places"}[kind]
    nojs_page.get_by_role("contentinfo").get_by_role("link", name=link_text).click()
    nojs_page.wait_for_url(f"**/{index}")
    target = {"tags": "parade", "people": "Xi Jinping", "places": "Red Square"}[kind]
    nojs_page.get_by_role("main").get_by_role("link", name=target, exact=True).click()
    assert nojs_page.locator("h1").inner_text().startswith(heading)
    assert nojs_page.locator("main li.item.event").count() > 0
    # and from there on to an event page
    nojs_page.locator("main li.item.event .item-title a").first.click()
    assert "/events/" in nojs_page.url
    assert nojs_page.locator("figure.quote blockquote").count() > 0


def test_parade_tag_page_lists_the_events_the_filter_would_show(nojs_page, site_url, site_dir):
    events = json.loads((site_dir / "events.json").read_text(encoding="utf-8"))["events"]
    parades = {e["title"] for e in events if "parade" in e["tags"]}
    nojs_page.goto(f"{site_url}/tags/parade.html")
    assert set(nojs_page.locator("li.item.event .item-title").all_inner_texts()) == parades
