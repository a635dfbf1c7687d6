"""The filters and the search narrow the timeline and keep their state in the address."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def events(site_dir):
    return json.loads((site_dir / "events.json").read_text(encoding="utf-8"))["events"]


def visible_titles(page):
    return set(page.locator("li.item.event:visible .item-title").all_inner_texts())


def query(page):
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_a_shared_url_opens_with_only_parade_events(page, site_url, events):
    page.goto(f"{site_url}/index.html?tags=parade")
    parades = {e["title"] for e in events if "parade" in e["tags"]}
    assert parades and len(parades) < len(events)
    assert visible_titles(page) == parades
    assert page.get_by_label("Tag", exact=True).input_value() == "parade"
    assert page.get_by_role("button", name="Remove Tag: parade").is_visible()
    assert page.get_by_role("status").inner_text() == f"{len(parades)} of {len(events)} events shown"
    # years with no parade, and the 1945 reference points, step aside while filtering
    assert page.locator("section.year:visible li.item.reference").count() == 0


def test_typing_a_search_narrows_the_list_and_updates_the_url(page, site_url, events):
    page.goto(f"{site_url}/index.html")
    assert len(visible_titles(page)) == len(events)
    page.get_by_role("searchbox", name="Search events").press_sequentially("Minsk")
    # the last keystroke's input event may still be queued: wait for it, then compare
    expect(page).to_have_url(re.compile(r"[?&]q=Minsk(&|$)"))
    assert query(page) == {"q": "Minsk"}
    shown = visible_titles(page)
    assert shown and len(shown) < len(events)
    for item in page.locator("li.item.event:visible").all():
        assert "minsk" in item.inner_text().lower()
    # the updated URL reproduces the same view
    page.goto(page.url)
    assert page.get_by_role("searchbox", name="Search events").input_value() == "Minsk"
    assert visible_titles(page) == shown


def test_filters_combine_and_clear(page, site_url, events):
    page.goto(f"{site_url}/index.html")
    page.get_by_label("Person", exact=True).select_option(label="Xi Jinping")
    page.get_by_label("Tag", exact=True).select_option("parade")
    expected = {e["title"] for e in events
                if "parade" in e["tags"] and "xi-jinping" in e["people"]}
    assert expected and visible_titles(page) == expected
    assert query(page) == {"tags": "parade", "people": "xi-jinping"}
    page.get_by_role("button", name="Clear all").click()
    assert len(visible_titles(page)) == len(events)
    assert query(page) == {}


def test_country_filter_and_no_results_message(page, site_url, events):
    page.goto(f"{site_url}/index.html?countries=Belarus")
    assert page.get_by_label("Country", exact=True).input_value() == "Belarus"
    shown = visible_titles(page)
    assert shown and len(shown) < len(events)
    page.get_by_role("searchbox", name="Search events").fill("zzzz no such event")
    assert visible_titles(page) == set()
    assert page.get_by_text("No events match these filters.").is_visible()


def test_a_year_link_lands_on_its_year_with_the_filters_in_place(page, site_url):
    page.goto(f"{site_url}/index.html#y2015")
    assert page.url.endswith("/index.html#y2015")  # the script kept the fragment
    assert page.get_by_role("searchbox", name="Search events").is_visible()
    top = page.evaluate("document.getElementById('y2015').getBoundingClientRect().top")
    assert abs(top) < 5  # at the top of the window, give or take a sub-pixel
    page.get_by_label("Tag", exact=True).select_option("parade")
    assert urlparse(page.url).fragment == "y2015"
    assert query(page) == {"tags": "parade"}


def test_the_moscow_filter_includes_the_events_on_red_square(page, site_url, events):
    page.goto(f"{site_url}/index.html")
    page.get_by_label("Place", exact=True).select_option(label="Moscow")
    assert query(page) == {"places": "moscow"}
    in_moscow = {e["title"] for e in events if {"moscow", "red-square"} & set(e["places"])}
    assert any("moscow" not in e["places"] for e in events if "red-square" in e["places"])
    assert visible_titles(page) == in_moscow
