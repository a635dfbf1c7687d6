"""A keyboard user: the skip link comes first and lands in the content; the filters work
with Tab, arrow keys and Enter alone, with a visible focus indicator."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def focused(page, expression):
    return page.evaluate(f"() => {{ const el = document.activeElement; return {expression}; }}")


def outline_width(page):
    return focused(page, "parseFloat(getComputedStyle(el).outlineWidth) || 0")


@pytest.mark.parametrize("path", ["index.html", "events/2015-05-09-moscow-victory-day-parade.html",
                                  "compare.html"])
def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, site_url, path):
    page.goto(f"{site_url}/{path}")
    page.keyboard.press("Tab")
    assert focused(page, "el.textContent.trim()") == "Skip to content"
    assert page.locator(".skip-link").is_visible()  # shown when focused
    assert outline_width(page) >= 2
    page.keyboard.press("Enter")
    assert focused(page, "el.tagName") == "MAIN"
    # the next Tab goes on inside the content, not back to the header
    page.keyboard.press("Tab")
    assert focused(page, "!!el.closest('main')")


def test_filters_work_by_keyboard_alone(page, site_url):
    page.goto(f"{site_url}/index.html")
    total = page.locator("li.item.event").count()
    search = page.get_by_role("searchbox", name="Search events")
    # Tab until the search field has focus: it is reachable in the normal order
    for _ in range(60):
        page.keyboard.press("Tab")
        if focused(page, "el.id") == "q":
            break
    assert focused(page, "el.id") == "q"
    assert outline_width(page) >= 2
    assert search.is_visible()

    # Tab to the status select and choose a value with the arrow keys
    page.keyboard.press("Tab")
    assert focused(page, "el.id") == "f-status"
    assert outline_width(page) >= 2
    page.keyboard.press("ArrowDown")  # first real status after "All"
    chosen = page.get_by_label("Status", exact=True).input_value()
    assert chosen
    visible = page.locator("li.item.event:visible")
    assert 0 < visible.count() < total
    for status in visible.evaluate_all("els => els.map(e => e.dataset.status)"):
        assert status == chosen
    assert f"status={chosen}" in page.url
    assert page.get_by_role("status").inner_text() == f"{visible.count()} of {total} events shown"

    # the filter chip is a button: reach it and press Enter to remove the filter
    chip = page.get_by_role("button", name=f"Remove Status: {chosen}")
    for _ in range(10):
        page.keyboard.press("Tab")
        if focused(page, "el.classList.contains('chip')"):
            break
    assert focused(page, "el.getAttribute('aria-label')") == f"Remove Status: {chosen}"
    assert outline_width(page) >= 2
    page.keyboard.press("Enter")
    assert chip.count() == 0
    assert page.locator("li.item.event:visible").count() == total
    assert focused(page, "el.id") == "f-status"  # focus is not lost
    assert "status=" not in page.url


def test_every_filter_control_has_a_visible_label(page, site_url):
    page.goto(f"{site_url}/index.html")
    for name in ["Search events", "Status", "Country", "Tag", "Person", "Place"]:
        control = page.get_by_label(name, exact=True)
        assert control.count() == 1, name
        assert page.locator(f"label[for='{control.get_attribute('id')}']").is_visible()
