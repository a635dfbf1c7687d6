"""views.py: the lookups templates ask, over a loaded timeline."""

from __future__ import annotations

from conftest import CITED

from paradetimeline import load_timeline
from paradetimeline.render.views import TimelineView


def event_file(date: str) -> str:
    return f"title: An event\ndate: {date}\nstatus: happened\n" + CITED


def test_years_place_a_reference_point_among_the_events_of_its_year(make_project):
    # The anniversary is 1945-05-09; events fall before, on and after that day, and a
    # month-precision one, which is placed at the month's first day.
    root = make_project({
        "content/events/after.yaml": event_file("1945-06-01"),
        "content/events/before.yaml": event_file("1945-05-08"),
        "content/events/may.yaml": event_file("1945-05"),
        "content/events/same-day.yaml": event_file("1945-05-09"),
        "content/events/year-after.yaml": event_file("1946-01-01"),
    })
    timeline, diagnostics = load_timeline(root)
    assert not diagnostics.errors

    groups = {group.year: [item.id for item in group.items]
              for group in TimelineView(timeline).years}

    assert groups == {
        1945: ["may", "before", "victory-day-1945", "same-day", "after"],
        1946: ["year-after"],
        2015: ["parade"],
    }


def test_era_colours_come_from_the_era_s_place_for_any_number_of_eras(make_project):
    eras = "".join(f"  - year: {year}\n    anniversary: victory-day-1945\n"
                   for year in (2025, 1995, 2015, 2005, 1985, 1975, 2035))
    root = make_project({"content/site.yaml": f"title: T\ndescription: D.\ncommemorations:\n{eras}"})
    timeline, diagnostics = load_timeline(root)
    assert not diagnostics.errors
    view = TimelineView(timeline)
    assert [view.era_class(y) for y in (1975, 1985, 1995, 2005, 2015, 2025, 2035)] == [
        "era-1", "era-2", "era-3", "era-4", "era-5", "era-6", "era-1"]


def test_a_status_speaks_from_the_latest_article_it_cites(make_project):
    root = make_project({
        "seeds/s2.txt": "A later report\n\nTuesday, September 1, 2015\n\nThe parade is planned.\n",
        "content/sources/s2.yaml": "publisher: Test Times\n",
        "seeds/s3.txt": "An undated report\n\nThe parade is planned.\n",
        "content/sources/s3.yaml": "publisher: Test Times\n",
        "content/events/plan.yaml": (
            "title: A plan\ndate: 2015-09\nstatus: planned\n" + CITED
            + "  - source: s2\n    quote: The parade is planned.\n"),
        "content/events/undated.yaml": (
            "title: Undated\ndate: 2015-09\nstatus: planned\nsources:\n"
            "  - source: s3\n    quote: The parade is planned.\n"),
    })
    timeline, diagnostics = load_timeline(root)
    assert not diagnostics.errors, diagnostics.errors
    view = TimelineView(timeline)
    events = {event.id: event for event in timeline.events}
    assert view.status_as_of(events["plan"]).display() == "1 September 2015"
    assert view.status_as_of(events["undated"]) is None


PLACES = """\
red-square: {name: Red Square, kind: square, city: Moscow, country: Russia, note: N.}
moscow: {name: Moscow, kind: city, country: Russia, note: N.}
russia: {name: Russia, kind: country, country: Russia, note: N.}
paris-fr: {name: Paris, kind: city, country: France, note: N.}
paris-tx: {name: Paris, kind: city, country: United States, note: N.}
louvre: {name: Louvre, kind: venue, city: Paris, country: France, note: N.}
springfield-a: {name: Springfield, kind: city, note: N.}
springfield-b: {name: Springfield, kind: city, note: N.}
town-hall: {name: Town hall, kind: building, city: Springfield, note: N.}
"""


def test_places_nest_by_their_city_and_country_records(make_project):
    root = make_project({
        "content/places.yaml": PLACES,
        "content/events/parade.yaml": (
            "title: A parade\ndate: 2015-05-09\nstatus: happened\nplaces: [red-square]\n" + CITED),
    })
    timeline, diagnostics = load_timeline(root)
    assert not diagnostics.errors, diagnostics.errors
    view = TimelineView(timeline)

    assert [p.id for p in view.containers_of("red-square")] == ["moscow", "russia"]
    assert [p.id for p in view.places_in("moscow")] == ["red-square"]
    assert [p.id for p in view.places_in("russia")] == ["moscow"]
    # the country tells the two cities named Paris apart
    assert [p.id for p in view.containers_of("louvre")] == ["paris-fr"]
    # two Springfields and no country: nothing is guessed
    assert view.containers_of("town-hall") == ()
    assert view.containers_of("russia") == ()

    parade = timeline.events[0]
    assert view.places_around(parade) == ("red-square", "moscow", "russia")
    assert [e.id for e in view.events_with("place", "russia")] == ["parade"]
    assert view.place_names == {"moscow": "Moscow", "red-square": "Red Square", "russia": "Russia"}
