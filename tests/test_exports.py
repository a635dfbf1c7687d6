"""Exports: each file read back by a real parser, with the values a user would see."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import icalendar
import jsonschema
import pytest
from conftest import CITED, EXAMPLE_BASE_URL, REPO

from paradetimeline import build_site
from paradetimeline.check.loader import load_timeline
from paradetimeline.exports.ical import escape, fold
from paradetimeline.exports.stamps import content_timestamp

BASE = EXAMPLE_BASE_URL
SCHEMA = json.loads((REPO / "schemas" / "events.schema.json").read_text(encoding="utf-8"))
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
UTC = dt.UTC


@pytest.fixture(scope="module")
def site(repo_site_with_base_url: Path) -> Path:
    return repo_site_with_base_url


@pytest.fixture(scope="module")
def bare_site(repo_site_without_base_url: Path) -> Path:
    return repo_site_without_base_url


@pytest.fixture(scope="module")
def calendar(site) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical((site / "events.ics").read_bytes())


def vevent(calendar: icalendar.Calendar, event_id: str) -> icalendar.Event:
    (found,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]).endswith(f"/{event_id}.html")]
    return found


def slide(site: Path, unique_id: str) -> dict:
    data = json.loads((site / "timeline.json").read_text(encoding="utf-8"))
    (found,) = [e for e in data["events"] if e["unique_id"] == unique_id]
    return found


def repo_counts() -> tuple[int, int]:
    """Published events and reference points of the repository's content."""
    timeline, _ = load_timeline(REPO)
    return len(timeline.events), len(timeline.anniversaries)


def validate(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    jsonschema.Draft202012Validator(SCHEMA, format_checker=checker).validate(data)
    return data


# -- events.json ------------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_events_json_of_the_repository_matches_its_schema(site, bare_site):
    data = validate(site / "events.json")
    assert data["schema"] == "paradetimeline/events@1"
    assert len(data["events"]) == repo_counts()[0]
    validate(bare_site / "events.json")


def test_events_json_of_a_tiny_project_matches_its_schema(make_project, tmp_path):
    build_site(make_project(), tmp_path / "out")
    data = validate(tmp_path / "out" / "events.json")
    (event,) = data["events"]
    assert event["url"] == "events/parade.html"
    assert event["anniversary"] == {"of": "victory-day-1945", "ordinal": 70}
    assert event["sources"][0]["url"] == "sources/s1.html#p1-s1"


def test_the_schema_rejects_a_made_up_precision(site):
    data = json.loads((site / "events.json").read_text(encoding="utf-8"))
    data["events"][0]["precision"] = "week"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(data)


def test_events_json_keeps_open_intervals_open(site):
    data = json.loads((site / "events.json").read_text(encoding="utf-8"))
    event = next(e for e in data["events"] if e["id"] == "beijing-announces-joint-commemorations")
    assert (event["date"], event["start"], event["end"]) == ("../2015-05-08", None, "2015-05-08")
    assert event["display_date"] == "before 9 May 2015"


# -- timeline.json ----------------------------------------------------------------------------


def test_timeline_json_dates_stop_at_their_precision(site):
    parade = slide(site, "2015-05-09-moscow-victory-day-parade")
    assert parade["start_date"] == {"year": 2015, "month": 5, "day": 9}
    assert "end_date" not in parade
    assert parade["display_date"] == "9 May 2015"
    assert slide(site, "2015-09-putin-visit-to-china")["start_date"] == {"year": 2015, "month": 9}
    war = slide(site, "1937-1945-war-of-resistance")
    assert (war["start_date"], war["end_date"]) == ({"year": 1937}, {"year": 1945})


def test_timeline_json_places_an_open_interval_on_its_known_end(site):
    announcement = slide(site, "beijing-announces-joint-commemorations")
    assert announcement["start_date"] == {"year": 2015, "month": 5, "day": 8}
    assert "end_date" not in announcement
    assert announcement["display_date"] == "before 9 May 2015"


def test_timeline_json_title_eras_text_and_groups(site):
    data = json.loads((site / "timeline.json").read_text(encoding="utf-8"))
    assert data["title"]["text"]["headline"] == "Parades of Victory: China and Russia, 2015 and 2025"
    assert data["eras"] == [
        {"start_date": {"year": 2015, "month": 1, "day": 1},
         "end_date": {"year": 2015, "month": 12, "day": 31},
         "text": {"headline": "2015: 70th anniversary"}},
        {"start_date": {"year": 2025, "month": 1, "day": 1},
         "end_date": {"year": 2025, "month": 12, "day": 31},
         "text": {"headline": "2025: 80th anniversary"}},
    ]
    parade = slide(site, "2015-05-09-moscow-victory-day-parade")
    assert parade["text"]["headline"] == "Xi Jinping attends the Victory Day parade in Moscow"
    assert parade["group"] == "Parades"
    assert (f'<a href="{BASE}events/2015-05-09-moscow-victory-day-parade.html">'
            in parade["text"]["text"])
    assert slide(site, "anniversary-victory-day-1945")["start_date"] == \
        {"year": 1945, "month": 5, "day": 9}
    ids = [e["unique_id"] for e in data["events"]]
    assert len(ids) == len(set(ids)) == sum(repo_counts())


def test_timeline_json_escapes_html(make_project, tmp_path):
    root = make_project({"content/events/parade.yaml": (
        "title: Fish & <chips>\ndate: 2015-05-09\nstatus: happened\nsummary: a <b>bold</b> claim\n" + CITED)})
    build_site(root, tmp_path / "out")
    event = slide(tmp_path / "out", "parade")
    assert event["text"]["headline"] == "Fish &amp; &lt;chips&gt;"
    assert event["text"]["text"].startswith("<p>a &lt;b&gt;bold&lt;/b&gt; claim</p>")


def test_timeline_json_escapes_group_labels(make_project, tmp_path):
    """TimelineJS inserts a group's label as HTML, as it does a headline."""
    from conftest import MINIMAL_SITE

    site = MINIMAL_SITE.replace("label: Parades", "label: \"<img src=x onerror=alert(1)> & Co's\"")
    build_site(make_project({"content/site.yaml": site}), tmp_path / "out")
    assert slide(tmp_path / "out", "parade")["group"] == \
        "&lt;img src=x onerror=alert(1)&gt; &amp; Co's"


# -- events.ics -------------------------------------------------------------------------------


def test_calendar_has_prodid_version_and_one_vevent_per_event(calendar):
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//paradetimeline//events@1//EN"
    events = calendar.walk("VEVENT")
    assert len(events) == repo_counts()[0]
    for event in events:
        assert str(event["UID"]).startswith(BASE + "events/")
        assert event["DTSTAMP"].dt == dt.datetime(2025, 5, 6, tzinfo=UTC)  # latest source date


def test_calendar_day_event_is_one_all_day(calendar):
    parade = vevent(calendar, "2015-05-09-moscow-victory-day-parade")
    assert (parade["DTSTART"].dt, parade["DTEND"].dt) == (dt.date(2015, 5, 9), dt.date(2015, 5, 10))
    assert parade["SUMMARY"] == "Xi Jinping attends the Victory Day parade in Moscow"
    assert parade["LOCATION"] == "Red Square, Moscow"
    assert parade["STATUS"] == "CONFIRMED"


def test_calendar_month_event_spans_the_month_and_says_so(calendar):
    visit = vevent(calendar, "2015-09-putin-visit-to-china")
    assert (visit["DTSTART"].dt, visit["DTEND"].dt) == (dt.date(2015, 9, 1), dt.date(2015, 10, 1))
    assert visit["SUMMARY"] == ("Putin expected to visit China for the anniversary "
                                "(date known to the month)")
    assert str(visit["DESCRIPTION"]).startswith("When: September 2015\n\nStatus: expected\n\n")
    assert visit["STATUS"] == "TENTATIVE"


def test_calendar_year_and_interval_events(calendar):
    hu = vevent(calendar, "2005-moscow-victory-day-parade")
    assert (hu["DTSTART"].dt, hu["DTEND"].dt) == (dt.date(2005, 1, 1), dt.date(2006, 1, 1))
    assert str(hu["SUMMARY"]).endswith(" (date known to the year)")
    xi = vevent(calendar, "2025-05-xi-visit-to-moscow")
    assert (xi["DTSTART"].dt, xi["DTEND"].dt) == (dt.date(2025, 5, 7), dt.date(2025, 5, 12))
    assert xi["SUMMARY"] == "Xi Jinping expected in Moscow for talks with Putin"


def test_calendar_open_interval_sits_on_its_known_end_and_says_so(calendar):
    event = vevent(calendar, "beijing-announces-joint-commemorations")
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (dt.date(2015, 5, 8), dt.date(2015, 5, 9))
    assert str(event["SUMMARY"]).endswith(" (date not known: before 9 May 2015)")


def test_calendar_lines_are_crlf_and_folded_at_75_octets(site):
    raw = (site / "events.ics").read_bytes()
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) == 75  # long lines exist, and are folded
    for line in lines:
        line.decode("utf-8")  # a fold never splits a character


def test_calendar_text_is_escaped_and_round_trips(make_project, tmp_path):
    title = "Parade; troops, guards \\ “習近平” " + "長" * 40
    root = make_project({"content/events/parade.yaml": (
        f"title: '{title}'\ndate: 2015-05-09\nstatus: planned\n"
        "summary: |\n  Two lines,\n  here; really.\n" + CITED)})
    build_site(root, tmp_path / "out")
    raw = (tmp_path / "out" / "events.ics").read_bytes()
    assert b"SUMMARY:Parade\\; troops\\, guards \\\\ " in raw
    (event,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert event["SUMMARY"] == title
    assert "Two lines,\nhere; really." in str(event["DESCRIPTION"])
    assert event["UID"] == "parade@paradetimeline"  # no base URL in the tiny project
    assert "URL" not in event


def test_fold_counts_octets_not_characters():
    folded = fold("SUMMARY:" + "é" * 70)  # 148 octets
    lines = folded.encode("utf-8").split(b"\r\n")
    assert [len(line) for line in lines] == [74, 75]  # 8 + 33 × 2, then ' ' + 37 × 2
    assert folded.replace("\r\n ", "") == "SUMMARY:" + "é" * 70
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_source_date_epoch_sets_dtstamp_and_feed_updated(make_project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build_site(make_project(), tmp_path / "out", base_url=BASE)
    (event,) = icalendar.Calendar.from_ical((tmp_path / "out" / "events.ics").read_bytes()).walk(
        "VEVENT")
    assert event["DTSTAMP"].dt == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    assert feed.feed.updated == "2023-11-14T22:13:20Z"


def test_content_timestamp_comes_from_the_content_never_the_clock(make_project):
    timeline, _ = load_timeline(make_project())
    assert content_timestamp(timeline, {}) == dt.datetime(2015, 5, 11, tzinfo=UTC)
    assert content_timestamp(timeline, {"SOURCE_DATE_EPOCH": "soon"}) == \
        dt.datetime(2015, 5, 11, tzinfo=UTC)
    assert content_timestamp(timeline, {"SOURCE_DATE_EPOCH": "0"}) == \
        dt.datetime(1970, 1, 1, tzinfo=UTC)
    undated, _ = load_timeline(make_project({"seeds/s1.txt": "Xi attended Moscow's Victory Day"
                                             " parade on Saturday marking 70 years.\n"}))
    assert content_timestamp(undated, {}) == dt.datetime(2015, 5, 9, tzinfo=UTC)  # the event


# -- feed.xml, sitemap.xml, robots.txt --------------------------------------------------------


def test_feed_parses_as_atom_with_absolute_links(site):
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.id == BASE
    assert feed.feed.updated == "2025-05-06T00:00:00Z"
    assert len(feed.entries) == repo_counts()[0]
    first = feed.entries[0]  # latest first
    assert first.id == BASE + "events/2025-05-09-moscow-victory-day-parade.html"
    assert first.link == first.id
    assert first.updated == "2025-05-06T00:00:00Z"
    assert first.summary.startswith("9 May 2025 (planned). A PLA Guard of Honour")
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == BASE + "feed.xml"


def test_sitemap_lists_every_page_but_404_and_the_embeds_with_absolute_urls(site):
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert sorted(locs) == sorted(BASE + p for p in pages
                                  if p != "404.html" and not p.startswith("embed"))
    assert {u.findtext(f"{SITEMAP}lastmod") for u in root} == {"2025-05-06"}
    assert BASE + "events/2015-05-09-moscow-victory-day-parade.html" in locs


def test_robots_txt_points_at_the_sitemap_only_with_a_base_url(site, bare_site):
    assert (site / "robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nDisallow:\nSitemap: {BASE}sitemap.xml\n")
    assert (bare_site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow:\n"


def test_without_a_base_url_feed_and_sitemap_are_not_written(bare_site):
    assert not (bare_site / "feed.xml").exists()
    assert not (bare_site / "sitemap.xml").exists()
    assert (bare_site / "events.ics").exists() and (bare_site / "timeline.json").exists()


def test_text_exports_are_utf8_with_lf_line_ends(site):
    for name in ("events.json", "timeline.json", "feed.xml", "sitemap.xml", "robots.txt"):
        data = (site / name).read_bytes()
        assert b"\r" not in data and data.endswith(b"\n"), name
        data.decode("utf-8")
    assert "习近平" in (site / "events.json").read_text(encoding="utf-8")  # not \u-escaped


def test_exports_do_not_depend_on_clock_zone_or_hash_seed(site, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(PYTHONHASHSEED="777", TZ="America/Los_Angeles", LC_ALL="C")
    subprocess.run([sys.executable, "-m", "paradetimeline", "build", "--root", str(REPO),
                    "--out", str(tmp_path / "again"), "--base-url", BASE, "--quiet"],
                   env=env, check=True)
    for name in ("events.json", "timeline.json", "events.ics", "feed.xml", "sitemap.xml",
                 "robots.txt"):
        assert (tmp_path / "again" / name).read_bytes() == (site / name).read_bytes(), name


def test_json_bytes_writes_one_list_item_per_line_from_a_list_or_a_generator():
    from paradetimeline.exports.jsontext import json_bytes

    expected = ('{\n  "title": "Парад «80»",\n  "events": [\n    {"id": "a", "n": 1},\n'
                '    {"id": "b", "n": 2}\n  ],\n  "none": [],\n  "pair": [1, 2]\n}\n').encode()
    items = [{"id": "a", "n": 1}, {"id": "b", "n": 2}]
    assert json_bytes({"title": "Парад «80»", "events": items, "none": [], "pair": (1, 2)}) == expected
    assert json_bytes({"title": "Парад «80»", "events": (i for i in items),
                      "none": (i for i in []), "pair": (1, 2)}) == expected
    assert json.loads(expected)["events"] == items



@pytest.mark.parametrize("text", [
    "plain", "Xi & Putin <on> parade", 'say "yes"', "it's", "both \" and '", "",
    "lines\nand\rtabs\t", "&amp; already escaped", "«Победа» 胜利"])
def test_feed_escaping_is_the_standard_librarys(text):
    """feeds.py escapes as xml.sax.saxutils does, without importing it (and urllib.request)."""
    from xml.sax.saxutils import escape as sax_escape
    from xml.sax.saxutils import quoteattr as sax_quoteattr

    from paradetimeline.exports import feeds

    assert feeds.escape(text) == sax_escape(text)
    assert feeds.quoteattr(text) == sax_quoteattr(text)


def test_a_build_does_not_import_urllib_request(tmp_path):
    """A fresh process that builds a site: what it imports is paid on every rebuild."""
    code = ("import sys; from paradetimeline import build_site; "
            f"build_site({str(REPO)!r}, {str(tmp_path / 'site')!r}); "
            "print('urllib.request' in sys.modules, 'xml.sax' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.stdout.split() == ["False", "False"]
