"""axe-core finds no WCAG 2.2 AA or best-practice violation on any page kind, light or dark."""

from __future__ import annotations

import pytest

from .site_pages import PAGE_KINDS

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def run_axe(page, axe_js):
    page.add_script_tag(path=axe_js)
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return result["violations"]


def describe(violations):
    return "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_axe_violations(browser, site_url, axe_js, kind, scheme):
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/{PAGE_KINDS[kind]}")
        violations = run_axe(page, axe_js)
        assert violations == [], describe(violations)
    finally:
        context.close()


def test_axe_harness_catches_a_real_problem(page, site_url, axe_js):
    """Self-check: spoil the index on purpose and axe must notice."""
    page.goto(f"{site_url}/index.html")
    page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        document.querySelector('main').prepend(img);
    }""")
    assert "image-alt" in {v["id"] for v in run_axe(page, axe_js)}
