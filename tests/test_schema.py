"""records: YAML mappings -> model objects, with every problem located and explained."""

from __future__ import annotations

import re

import pytest
from conftest import CITED
from hypothesis import example, given
from hypothesis import strategies as st

from paradetimeline.dates import parse_edtf
from paradetimeline.errors import Diagnostics
from paradetimeline.model import Event
from paradetimeline.read import fields, schema
from paradetimeline.read.yamlfile import Mapping, parse_yaml


def mapping(text: str) -> Mapping:
    root = parse_yaml(text, "f.yaml", Diagnostics())
    assert root is not None
    return root


def event(text: str) -> tuple[Event | None, list[str]]:
    """The event `text` reads to, and what it reported; a text that says nothing of its
    sources gets one after its other lines (a published event needs a quote)."""
    if "sources" not in text:
        text = text + ("" if text.endswith("\n") else "\n") + CITED
    d = Diagnostics()
    found = schema.read_event("e", "f.yaml", mapping(text), d)
    return found, [x.format() for x in d.sorted()]


GOOD = "title: T\ndate: 2015-05-09\nstatus: happened\n"


def test_a_full_event() -> None:
    found, errors = event(GOOD + "commemorates: victory-day-1945\nplaces: [red-square]\n"
                          "people:\n  - xi-jinping\n  - vladimir-putin\ntags: parade\n"
                          "summary: '  One line. '\nbody: |\n  Some *text*.\ndraft: true\n"
                          "sources:\n  - source: s1\n    quote: Xi attended\n")
    assert errors == [] and found is not None
    assert (found.title, found.date, found.status) == ("T", parse_edtf("2015-05-09"), "happened")
    assert found.people == ("xi-jinping", "vladimir-putin")
    assert found.tags == ("parade",)  # a single value is a list of one
    assert (found.summary, found.body, found.draft) == ("One line.", "Some *text*.", True)
    assert [(c.source, c.quote) for c in found.sources] == [("s1", "Xi attended")]
    assert str(found.where["people.1"]) == "f.yaml:8:5"
    assert str(found.sources[0].where["quote"]) == "f.yaml:16:12"


def test_yaml_1_1_words_stay_text() -> None:
    found, errors = event("title: NO\ndate: 2015\nstatus: happened\nsummary: yes\n")
    assert errors == [] and found is not None
    assert (found.title, found.summary, found.date.display()) == ("NO", "yes", "2015")


@pytest.mark.parametrize("text, expected", [
    ("titel: T\ndate: 2015\nstatus: happened\n",
     ["f.yaml:1:1: error: unknown key 'titel'\n    hint: did you mean 'title'?"]),
    ("id: e\n" + GOOD,
     ["f.yaml:1:1: error: unknown key 'id'\n"
      "    hint: an event's id is its file name; remove this line"]),
    ("date: 2015\n",
     ["f.yaml:1:1: error: missing required key 'status'\n    hint: add a line 'status: ...'",
      "f.yaml:1:1: error: missing required key 'title'\n    hint: add a line 'title: ...'"]),
    ("title: ''\ndate: 2015\nstatus: happened\n",
     ["f.yaml:1:8: error: 'title' is empty\n    hint: give 'title' a value"]),
    ("title: [a]\ndate: 2015\nstatus: happened\n",
     ["f.yaml:1:8: error: 'title' must be text, not a list\n    hint: put text that starts "
      "with '[', '{' or '- ', or that contains ': ', in quotes"]),
    ("title: T\ndate: {y: 2015}\nstatus: happened\n",
     ["f.yaml:2:7: error: 'date' must be a date, not a mapping"]),
    ("title: T\ndate: 2015-02-29\nstatus: happened\n",
     ["f.yaml:2:7: error: 'date': '2015-02-29' is not a real date: February 2015 has 28 days"]),
    ("title: T\ndate: 2015\nstatus: Happened\n",
     ["f.yaml:3:9: error: 'status' must be one of happened, planned, announced, expected, "
      "reported; not 'Happened'\n    hint: did you mean 'happened'?"]),
])
def test_event_errors_that_stop_the_event(text: str, expected: list[str]) -> None:
    found, errors = event(text)
    assert errors == expected
    assert (found is None) == ("unknown key 'id'" not in expected[0])


@pytest.mark.parametrize("extra, expected", [
    ("draft: yes\n", "f.yaml:4:8: error: 'draft' must be true or false, not 'yes'\n"
                     "    hint: write true or false in lowercase; 'yes' is only a yes/no word "
                     "in old YAML, so it is not read as one"),
    ("draft: maybe\n", "f.yaml:4:8: error: 'draft' must be true or false, not 'maybe'\n"
                       "    hint: write true or false in lowercase"),
    ("people: {a: b}\n", "f.yaml:4:9: error: 'people' must be a list, not a mapping\n"
                         "    hint: write 'people: [a, b]', or one '- item' per line below "
                         "'people:'"),
    ("people: [a, a]\n", "f.yaml:4:13: error: 'a' is listed twice in 'people'\n"
                         "    hint: remove one of them"),
    ("people: [[a]]\n", "f.yaml:4:10: error: 'people' items must be ids, not a list"),
    ("tags: [Military Parade]\n", "f.yaml:4:8: error: 'Military Parade' is not a valid id\n"
                                  "    hint: ids use lowercase letters, digits, '-' and '_', "
                                  "and start with a letter or digit: try 'military-parade'"),
    ("places: [../x]\n", "f.yaml:4:10: error: '../x' is not a valid id\n"
                         "    hint: an id is a name, not a path; ids use lowercase letters, "
                         "digits, '-' and '_', and start with a letter or digit"),
    ("sources: [s1]\n", "f.yaml:4:11: error: 'sources' items must be mappings, not 's1'\n"
                        "    hint: write each item as '- source: SEED-ID' with 'quote: \"...\"' "
                        "below it"),
    ("sources:\n  - sorce: s1\n    quote: q\n",
     "f.yaml:5:5: error: unknown key 'sorce'\n    hint: did you mean 'source'?"),
    ("sources:\n  - source: s1\n    quote: ''\n",
     "f.yaml:6:12: error: 'quote' is empty\n    hint: give 'quote' a value"),
])
def test_event_errors_in_optional_fields(extra: str, expected: str) -> None:
    found, errors = event(GOOD + extra)
    assert errors == [expected]
    assert found is not None and len(found.sources) == (0 if "sources" in extra else 1)


def body_event(body: str) -> tuple[Event | None, list[str]]:
    return event(GOOD + "body: |-\n  " + body.replace("\n", "\n  ") + "\n")


def test_a_body_just_inside_the_limits_is_kept() -> None:
    """Links and tags are counted by their '[' and '<', whatever follows them."""
    body = ("[x](y) <b> " * 25)[:-1]
    body += "z" * (schema.MAX_BODY_LENGTH - len(body))
    assert (len(body), body.count("[") + body.count("<")) == (10_000, 50)
    found, errors = body_event(body)
    assert errors == [] and found is not None and found.body == body


@pytest.mark.parametrize("body, expected", [
    ("x" * 10_001, "f.yaml:4:7: error: 'body' is 10,001 characters long; the limit is 10,000\n"
                   "    hint: shorten it; an article's full text belongs in seeds/"),
    ("[x](" * 51, "f.yaml:4:7: error: 'body' has 51 links and tags (each '[' or '<' counts); "
                  "the limit is 50\n"
                   "    hint: remove some; each one makes Markdown slower on the whole body"),
    ("<a\n" * 30 + "[x]" * 21, "f.yaml:4:7: error: 'body' has 51 links and tags (each '[' or "
                               "'<' counts); the limit is 50\n    hint: remove some; each one "
                               "makes Markdown slower on the whole body"),
])
def test_a_body_that_markdown_would_be_slow_on_is_refused(body: str, expected: str) -> None:
    """Python-Markdown's time grows with a body's length times its links (see
    benchmarks/markdown_worst.py): such a body is an error at check, not a build that hangs."""
    found, errors = body_event(body)
    assert errors == [expected]
    assert found is not None and found.body is None


def test_people_places_anniversaries() -> None:
    d = Diagnostics()
    people = schema.read_people(mapping(
        "xi-jinping:\n  name: Xi Jinping\n  native_names: {zh: 习近平}\n  roles:\n"
        "    - title: President\n      from: 2013-03\n  note: Standard spelling.\n"), d)
    places = schema.read_places(mapping(
        "red-square:\n  name: Red Square\n  kind: square\n  lat: 55.75\n  lon: '37.62'\n"
        "  note: From a map.\n"), d)
    dates = schema.read_anniversaries(mapping(
        "victory-day-1945:\n  title: Victory Day\n  date: 1945-05-09\n"), d)
    assert d.items == []
    assert people[0].native_names == (("zh", "习近平"),)
    assert people[0].roles[0].start is not None and people[0].roles[0].start.display() == "March 2013"
    assert (places[0].lat, places[0].lon) == (55.75, 37.62)
    assert dates[0].date.display() == "9 May 1945"


def test_what_no_article_states_is_the_curators_and_asks_for_a_note() -> None:
    d = Diagnostics()
    people = schema.read_people(mapping(
        "xi-jinping:\n  name: Xi Jinping\n  native_names: {zh: 习近平}\n  country: China\n"
        "hong-lei:\n  name: Hong Lei\n"), d)
    places = schema.read_places(mapping("minsk:\n  name: Minsk\n  kind: city\n  country: Belarus\n"), d)
    assert [x.format() for x in d.items] == [
        "f.yaml:1:1: warning: no article states the native names and country of person "
        "'xi-jinping': they are shown as the curator's\n"
        "    hint: say in 'note:' where the curator's fields come from (shown on its page)",
        "f.yaml:1:1: warning: no article states the country of place 'minsk': they are "
        "shown as the curator's\n"
        "    hint: say in 'note:' where the curator's fields come from (shown on its page)"]
    assert [p.curated for p in people] == [("native names", "country"), ()]
    assert places[0].curated == ("country",)


@pytest.mark.parametrize("text, expected", [
    ("Xi Jinping:\n  name: X\n",
     "f.yaml:1:1: error: 'Xi Jinping' is not a valid place id\n    hint: ids use lowercase "
     "letters, digits, '-' and '_', and start with a letter or digit: try 'xi-jinping'"),
    ("a: Red Square\n", "f.yaml:1:4: error: place 'a' must be a mapping of fields, not "
                        "'Red Square'"),
    ("a:\n  name: A\n  kind: square\n  lat: 91\n",
     "f.yaml:4:8: error: 'lat' must be a number from -90 to 90, not '91'"),
    ("a:\n  name: A\n  kind: square\n  lon: nan\n",
     "f.yaml:4:8: error: 'lon' must be a number from -180 to 180, not 'nan'"),
    ("a:\n  name: A\n  kind: plaza\n",
     "f.yaml:3:9: error: 'kind' must be one of square, city, country, building, venue, "
     "region; not 'plaza'"),
])
def test_place_errors(text: str, expected: str) -> None:
    d = Diagnostics()
    schema.read_places(mapping(text), d)
    assert [x.format() for x in d.sorted()] == [expected]


def test_source_meta_errors() -> None:
    d = Diagnostics()
    meta = schema.read_source_meta("s1", mapping(
        "publisher: P\nurl: ftp://x\nboilerplate:\n  - 'a(b'\n  - 'ok'\nnotes:\n  titel: x\n"), d)
    assert [x.format() for x in d.sorted()] == [
        "f.yaml:2:6: error: 'url' must start with http:// or https://, not 'ftp://x'",
        "f.yaml:4:5: error: 'boilerplate' pattern 'a(b' is not a regular expression: missing ), "
        "unterminated subpattern at position 1\n    hint: to match a character such as '(', "
        "'.' or '?' literally, put a backslash before it",
        "f.yaml:7:3: error: a note must be about a field: unknown field 'titel'",
    ]
    assert (meta.publisher, meta.url, meta.boilerplate) == ("P", None, ("ok",))


def test_site_commemorations_remember_where_each_anniversary_is() -> None:
    d = Diagnostics()
    site = schema.read_site(mapping(
        "title: T\ncommemorations:\n  - year: 2015\n    anniversary: a\n"
        "  - year: 2025\n    anniversary: b\n"), d)
    assert d.items == []
    assert site.commemorations == ((2015, "a"), (2025, "b"))
    assert str(site.where["commemorations.1"]) == "f.yaml:6:18"


# -- ids ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["xi-jinping", "000_e855b5d6b16dc860", "2015", "a"])
def test_valid_ids(text: str) -> None:
    assert fields.is_id(text)


@pytest.mark.parametrize("text", ["", "Xi", "xi jinping", "-x", "_x", "x/y", "..", "../x",
                                  "x\\y", "x\n", "x.yaml", "é", "x" * 101, "ｘ"])
def test_invalid_ids(text: str) -> None:
    assert not fields.is_id(text)


@given(st.text())
@example("abc\n")
@example("a/../b")
def test_is_id_means_a_safe_slug(text: str) -> None:
    if fields.is_id(text):
        assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", text)
        assert "/" not in text and ".." not in text and "\\" not in text
        assert len(text) <= 100


@given(st.from_regex(r"\A[a-z0-9][a-z0-9_-]{0,99}\Z"))
def test_every_slug_is_an_id(text: str) -> None:
    assert fields.is_id(text)


@given(st.text(max_size=30))
def test_an_id_suggestion_is_itself_a_valid_id(text: str) -> None:
    hint = fields.id_hint(text)
    if ": try '" in hint:
        assert fields.is_id(hint.split(": try '")[1][:-1])


@pytest.mark.parametrize("extra, expected", [
    ("", ["f.yaml:1:8: error: a published event needs a quote from a source\n    hint: "
          + schema.NO_QUOTE_HINT]),
    ("sources: []\n", ["f.yaml:4:10: error: a published event needs a quote from a source\n"
                       "    hint: " + schema.NO_QUOTE_HINT]),
    ("sources: []\ndraft: true\n", []),
    ("draft: true\n", []),
])
def test_a_published_event_needs_a_quote_a_draft_does_not(extra: str, expected: list[str]) -> None:
    d = Diagnostics()
    found = schema.read_event("e", "f.yaml", mapping(GOOD + extra), d)
    assert [x.format() for x in d.sorted()] == expected and found is not None
