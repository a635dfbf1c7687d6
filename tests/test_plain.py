"""plain.py: every model object of the shipped content comes back from JSON equal, its
`where` included, so the result store can keep model objects as plain text."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from typing import Any

import pytest
from conftest import REPO

from paradetimeline import plain
from paradetimeline.check.loader import load_timeline
from paradetimeline.check.mentions import Mention, mentions_by_source
from paradetimeline.dates import EventDate, PartialDate
from paradetimeline.errors import Diagnostic, Location, Where
from paradetimeline.model import Article, Event, Timeline


def same(a: Any, b: Any) -> bool:
    """Equal, and so is every `where` (which equality leaves out)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Where):
        return dict(a) == dict(b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    return bool(a == b)


@pytest.fixture(scope="module")
def shipped() -> Timeline:
    timeline, _ = load_timeline(REPO, drafts=True)
    return timeline


def test_the_whole_shipped_timeline_round_trips_where_fields_included(shipped):
    again = plain.loads(Timeline, plain.dumps(shipped))
    assert again == shipped and same(again, shipped)
    assert any(len(e.where) > 3 for e in again.events)  # the locations really are there


def test_every_record_round_trips_on_its_own(shipped):
    records: list[Any] = [*shipped.events, *shipped.people.values(), *shipped.places.values(),
                          *shipped.sources.values(), *shipped.anniversaries.values(),
                          *shipped.commemorations, shipped.config]
    records += [s.article for s in shipped.sources.values()]
    for record in records:
        again = plain.from_plain(type(record), plain.to_plain(record))
        assert same(again, record), record


def test_to_plain_is_what_dumps_writes(shipped):
    for event in shipped.events:
        assert plain.to_plain(event) == json.loads(plain.dumps(event))


def test_mentions_and_diagnostics_round_trip(shipped):
    found = mentions_by_source(shipped)
    for mentions in found.values():
        assert plain.loads(tuple[Mention, ...], plain.dumps(tuple(mentions))) == tuple(mentions)
    checked = (shipped.events[0], (Diagnostic("warning", Location("content/x.yaml", 3, 9),
                                              "a 'message'", None),))
    again = plain.loads(tuple[Event | None, tuple[Diagnostic, ...]], plain.dumps(checked))
    assert same(again, checked) and type(again[1][0].location) is Location
    assert plain.loads(tuple[Event | None, tuple[Diagnostic, ...]], "[null, []]") == (None, ())


def test_odd_text_survives(shipped):
    article = next(iter(shipped.sources.values())).article
    day = PartialDate(2015, 5, 9, approximate=True)
    odd = Article("x", "\ud800 lone \x00 and \u2028 “quoted”", None, day, None, (), (), ("\n",))
    assert plain.loads(Article, plain.dumps(odd)) == odd
    assert plain.loads(EventDate, plain.dumps(EventDate(None, day))) == EventDate(None, day)
    assert plain.key_of(article) == plain.key_of(plain.loads(Article, plain.dumps(article)))


def test_what_has_no_plain_form_is_refused():
    with pytest.raises(TypeError):
        plain.dumps(object())
    with pytest.raises(TypeError):
        plain.decoder(int | str)
