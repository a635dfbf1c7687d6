"""The embed inside another site's <iframe>: it fits, passes axe, and opens links in a new tab."""

from __future__ import annotations

import html

import pytest

from .test_accessibility import AXE_TAGS, describe

pytestmark = pytest.mark.browser


def host_page(page, site_url, width, path="embed.html"):
    """An article of another site with the snippet the about page gives."""
    snippet = html.unescape(page.context.request.get(f"{site_url}/about.html").text()
                            .split('<pre class="snippet"><code>')[1].split("</code>")[0])
    snippet = snippet.replace('src="embed.html"', f'src="{site_url}/{path}"')
    assert 'title="' in snippet
    page.set_viewport_size({"width": width + 40, "height": 900})
    page.set_content(f'<!doctype html><html lang="en"><title>An article</title>'
                     f'<body style="margin:20px"><p>Some reporting.</p>{snippet}</body></html>')
    frame = page.frame_locator("iframe")
    frame.locator("h1").wait_for()
    return page.frames[1]


@pytest.mark.parametrize("width", [400, 700])
def test_the_embed_fits_its_iframe_without_scrolling_sideways(page, site_url, width):
    frame = host_page(page, site_url, width)
    inner, scroll = frame.evaluate("[innerWidth, document.documentElement.scrollWidth]")
    assert inner == width and scroll <= inner
    assert frame.locator("li").count() == len(page.context.request.get(
        f"{site_url}/events.json").json()["events"])


def test_the_embed_passes_axe_inside_the_iframe(page, site_url, axe_js):
    frame = host_page(page, site_url, 400, "embed/2015.html")
    frame.add_script_tag(path=axe_js)
    violations = frame.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)["violations"]
    assert violations == [], describe(violations)


def test_an_event_link_opens_in_a_new_tab_and_leaves_the_article(page, site_url):
    frame = host_page(page, site_url, 400)
    link = frame.locator("li h2 a").first
    title = link.inner_text()
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.startswith(f"{site_url}/events/")
    assert tab.locator("h1").inner_text() == title
    assert page.locator("p").first.inner_text() == "Some reporting."  # the article stayed
