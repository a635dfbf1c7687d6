"""frozen.py: model objects pickle as their fields, and come back equal, `where` included."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import pytest

from paradetimeline.dates import EventDate, PartialDate
from paradetimeline.errors import Location, Where
from paradetimeline.frozen import pickled_by_fields
from paradetimeline.model import Citation, Event


def test_an_event_comes_back_equal_with_its_locations():
    day = PartialDate(2015, 5, 9)
    where = Where({"title": Location("content/events/x.yaml", 1, 8)})
    event = Event("x", "Parade", EventDate(day, day), "happened", "content/events/x.yaml",
                  sources=(Citation("s1", "A quote.", ("p1-s1",), "exact", where),), where=where)
    again = pickle.loads(pickle.dumps(event, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == event and type(again) is Event
    assert dict(again.where) == dict(where) and dict(again.sources[0].where) == dict(where)


def test_a_class_its_init_cannot_restore_is_refused():
    @dataclass(frozen=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="cannot be restored"):
        pickled_by_fields(Checked)
