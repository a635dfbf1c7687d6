"""On a phone (320 and 390 px) no page kind scrolls sideways, in light or dark."""

from __future__ import annotations

import pytest

from .site_pages import PAGE_KINDS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=[320, 390], ids=lambda w: f"{w}px")
def phone(request, browser):
    context = browser.new_context(viewport={"width": request.param, "height": 800},
                                  is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_horizontal_scroll(phone, site_url, kind):
    phone.goto(f"{site_url}/{PAGE_KINDS[kind]}")
    widths = phone.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{kind}: page is {widths[0]} px wide in {widths[1]} px"
    # and nothing inside pokes out of the viewport unseen (tables scroll in their own box)
    wide = phone.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(el => !el.closest('.table-scroll') && el.getBoundingClientRect().right > innerWidth + 1)
        .map(el => el.tagName + '.' + el.className).slice(0, 5)""")
    assert wide == [], f"{kind}: {wide}"


def test_compare_stays_side_by_side_on_a_phone(phone, site_url):
    phone.goto(f"{site_url}/compare.html")
    row = phone.locator("table.compare tbody tr").first
    cells = row.locator("td")
    assert cells.count() == 2
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 1  # the two years share a line
    assert second["x"] >= first["x"] + first["width"] - 1
    # and the year headers are shown above them
    assert phone.get_by_role("columnheader", name="2015").first.is_visible()
