"""The time axis: every mark is a link that leads to its page, by mouse and by keyboard."""

from __future__ import annotations

import html

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["index.html", "commemorations/2015.html"])
def test_every_mark_links_to_a_page_that_names_it(page, site_url, path):
    page.goto(f"{site_url}/{path}")
    marks = page.locator("figure.axis svg a[href$='.html']")
    assert marks.count() > 5
    targets = [(a.get_attribute("href"), a.locator("title").text_content()) for a in marks.all()]
    # the <title> is what a screen reader announces
    assert page.get_by_role("link", name=targets[0][1], exact=True).count() == 1
    for href, label in targets:
        response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
        assert response.ok, href
        title = label.split(": ", 1)[1].rsplit(" (", 1)[0]  # '9 May 2015: Title (planned)'
        assert f"<h1>{title}</h1>" in html.unescape(response.text()), href


@pytest.mark.parametrize("path", ["index.html", "commemorations/2015.html"])
def test_a_crowd_links_to_the_strip_that_spreads_it_out(page, site_url, path):
    page.goto(f"{site_url}/{path}")
    crowd = page.locator("figure.axis svg a[href^='#']").first
    strip = crowd.get_attribute("href")
    count = int(crowd.locator("text").text_content())
    crowd.click()
    assert page.url.endswith(strip)
    row = page.locator(strip)
    assert row.is_visible()
    marks = row.locator("a:not(:has(text.cluster-count))").count()
    shown = marks + sum(int(n) for n in row.locator("text.cluster-count").all_text_contents())
    assert shown == count


def test_the_axis_is_reachable_and_skippable_by_keyboard(page, site_url):
    page.goto(f"{site_url}/index.html")
    page.locator("figure.axis").evaluate(
        "f => [...f.previousElementSibling.querySelectorAll('a')].pop().focus()")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip the time axis")
    assert skip.evaluate("a => a === document.activeElement") and skip.is_visible()
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first == page.locator("figure.axis svg a").first.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("/")[-2] in {"events", "anniversaries"}
    page.go_back()
    page.get_by_role("link", name="Skip the time axis").focus()
    page.keyboard.press("Enter")
    assert page.url.endswith("#axis-end")


def test_a_crowd_within_an_era_opens_the_era_page_s_axis(page, site_url):
    page.goto(f"{site_url}/index.html")
    crowd = page.locator("figure.axis svg a[href^='commemorations/2025.html']")
    count = int(crowd.locator("text").text_content())
    crowd.click()
    assert page.url.endswith("/commemorations/2025.html#axis-2025")
    axis = page.locator("figure.axis")
    assert axis.is_visible()
    assert axis.locator("a[href$='.html']").count() == count == len(
        page.locator("li.item.event").all())
