"""schema.org JSON-LD and Open Graph tags, read back out of the built pages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CITED, EXAMPLE_BASE_URL

from paradetimeline import build_site
from paradetimeline.render.jsonld import jsonld_script

BASE = EXAMPLE_BASE_URL
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def site(repo_site_with_base_url: Path) -> Path:
    return repo_site_with_base_url


@pytest.fixture(scope="module")
def bare_site(repo_site_without_base_url: Path) -> Path:
    return repo_site_without_base_url


def jsonld(page: Path) -> dict:
    (text,) = SCRIPT.findall(page.read_text(encoding="utf-8"))
    return json.loads(text)


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        key = found.get("property") or found.get("name")
        if tag == "meta" and key and key.startswith(("og:", "twitter:")):
            self.meta[key] = found.get("content") or ""


def social_meta(page: Path) -> dict[str, str]:
    parser = _Meta()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.meta


def test_event_page_describes_the_event(site):
    data = jsonld(site / "events" / "2015-05-09-moscow-victory-day-parade.html")
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Xi Jinping attends the Victory Day parade in Moscow"
    assert data["startDate"] == "2015-05-09"
    assert "endDate" not in data
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["url"] == BASE + "events/2015-05-09-moscow-victory-day-parade.html"
    assert data["location"] == [{
        "@type": "Place", "name": "Red Square",
        "address": {"@type": "PostalAddress", "addressLocality": "Moscow",
                    "addressCountry": "Russia"},
        "geo": {"@type": "GeoCoordinates", "latitude": 55.7539, "longitude": 37.6208},
        "description": "The curator's, not the articles': the city, country and coordinates.",
        "url": BASE + "places/red-square.html",
    }]
    assert data["attendee"] == [{  # no nationality: the country is the curator's addition
        "@type": "Person", "name": "Xi Jinping", "url": BASE + "people/xi-jinping.html",
    }]


@pytest.mark.parametrize("event", [
    "2015-09-03-beijing-parade",  # Xi and Putin: only Putin's "expected presence" is reported
    "beijing-announces-joint-commemorations",  # the spokesman at his own announcement
    "2025-05-09-moscow-victory-day-parade",  # Xi "is also expected to ... appear"
    "2005-moscow-victory-day-parade",  # Hu Jintao "was one of the guests invited"
])
def test_a_person_is_an_attendee_only_where_a_quote_says_they_attended(site, event):
    data = jsonld(site / "events" / f"{event}.html")
    assert "attendee" not in data


def test_event_cites_each_article_once_with_only_known_fields(site):
    data = jsonld(site / "events" / "2015-05-09-moscow-victory-day-parade.html")
    assert data["subjectOf"] == [
        {"@type": "NewsArticle", "headline": "China Invites Russian Troops to March in War Parade",
         "publisher": {"@type": "Organization", "name": "The Moscow Times"},
         "datePublished": "2015-05-11",
         "url": "https://www.themoscowtimes.com/2015/05/11/china-invites-russian-troops-to-"
                "march-in-war-parade-a46440"},
        {"@type": "NewsArticle"},  # seed 000 states no headline, publisher, date or link
    ]


def test_event_dates_keep_their_precision(site):
    visit = jsonld(site / "events" / "2015-09-putin-visit-to-china.html")
    assert visit["startDate"] == "2015-09"
    assert "eventStatus" not in visit  # 'expected' has no schema.org equivalent
    xi = jsonld(site / "events" / "2025-05-xi-visit-to-moscow.html")
    assert (xi["startDate"], xi["endDate"]) == ("2025-05-07", "2025-05-11")
    war = jsonld(site / "events" / "1937-1945-war-of-resistance.html")
    assert (war["startDate"], war["endDate"]) == ("1937", "1945")


def test_open_interval_event_claims_no_dates(site):
    data = jsonld(site / "events" / "beijing-announces-joint-commemorations.html")
    assert "startDate" not in data and "endDate" not in data
    assert data["name"].startswith("Beijing announces")


def test_source_pages_state_only_what_is_known(site):
    """The Independent is named only in a banner the capture caught, not by the article:
    the publisher is the curator's, and says so, with the curator's note."""
    assert jsonld(site / "sources" / "003_966e67b1e78c5366.html") == {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "publisher": {"@type": "Organization", "name": "The Independent", "description": (
            "Named by the curator, not by the article: Named only in the donation banner "
            "captured before the article (\"The Independent is on the ground when the story is "
            "developing\"); the article text does not name it.")},
        "datePublished": "2025-05-06",
    }
    moscow_times = jsonld(site / "sources" / "001_0f98aee22f1571cc.html")
    assert moscow_times["headline"] == "China Invites Russian Troops to March in War Parade"
    assert moscow_times["url"].startswith("https://www.themoscowtimes.com/2015/05/11/")
    assert jsonld(site / "sources" / "000_e855b5d6b16dc860.html") == {
        "@context": "https://schema.org", "@type": "NewsArticle"}


def test_open_graph_and_twitter_tags(site):
    meta = social_meta(site / "events" / "2015-09-putin-visit-to-china.html")
    assert meta == {
        "og:title": "Putin expected to visit China for the anniversary",
        "og:description": "Russia's ambassador said he believed Putin would visit China in September.",
        "og:type": "article",
        "og:site_name": "Parades of Victory: China and Russia, 2015 and 2025",
        "og:url": BASE + "events/2015-09-putin-visit-to-china.html",
        "twitter:card": "summary",
        "twitter:title": "Putin expected to visit China for the anniversary",
        "twitter:description": "Russia's ambassador said he believed Putin would visit China in September.",
    }
    source = social_meta(site / "sources" / "003_966e67b1e78c5366.html")
    assert source["og:url"] == BASE + "sources/003_966e67b1e78c5366.html"
    assert source["og:description"] == "The Independent (named by the curator), 6 May 2025: the sentences this timeline cites."


def test_without_a_base_url_there_are_no_absolute_urls_of_ours(bare_site):
    page = bare_site / "events" / "2015-05-09-moscow-victory-day-parade.html"
    assert "og:url" not in social_meta(page)
    assert "og:title" in social_meta(page)
    data = jsonld(page)
    assert "url" not in data and "url" not in data["location"][0]
    assert "url" not in data["attendee"][0]


def test_jsonld_cannot_break_out_of_its_script(make_project, tmp_path):
    title = "</script><script>alert(1)</script> & <!-- co"
    root = make_project({"content/events/parade.yaml": (
        f"title: '{title}'\ndate: 2015-05-09\nstatus: happened\n" + CITED)})
    build_site(root, tmp_path / "out")
    html = (tmp_path / "out" / "events" / "parade.html").read_text(encoding="utf-8")
    (script,) = SCRIPT.findall(html)
    assert "<" not in script and ">" not in script and "&" not in script
    assert json.loads(script)["name"] == title


def test_jsonld_script_escapes_and_sorts():
    assert str(jsonld_script({"b": "<&>", "a": "\u2028"})) == (
        '{"a": "\\u2028", "b": "\\u003c\\u0026\\u003e"}')
