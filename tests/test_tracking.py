"""tracking.py: what each page reads is noted, and a page is reused only when all of it is
unchanged; whatever the record cannot vouch for is rendered again."""

from __future__ import annotations

import os
import pickle
import re
import shutil

import pytest
from conftest import REPO
from test_buildrecord import clean_build
from test_output import snapshot

from paradetimeline import build_site, load_timeline
from paradetimeline.incremental.tracking import (
    PageReads,
    PageRecord,
    Ref,
    Tracker,
    canon,
    read_record,
    reference,
    resolve,
    write_record,
)
from paradetimeline.render.renderer import make_environment
from paradetimeline.render.views import TimelineView


@pytest.fixture
def timeline(make_project):
    root = make_project({"content/events/second.yaml": (
        "title: Second\ndate: 2015-05-10\nstatus: planned\ntags: [parade]\n")})
    found, _ = load_timeline(root)
    return found


def keys_of(timeline):
    return {e.id: f"key-{e.id}" for e in timeline.events}


def reads_of(template: str, timeline, **context):
    """Render `template` (source text) with a tracker and return what it read."""
    tracker = Tracker(keys_of(timeline))
    env = make_environment(REPO / "templates", tracker=tracker)
    with tracker.frame() as reads:
        env.from_string(template).render(view=TimelineView(timeline), **context)
    return tracker.page(context, reads), tracker


def test_reading_an_event_attribute_notes_the_event(timeline):
    event = timeline.events[0]
    page, _ = reads_of("{{ event.title }}", timeline, event=event)
    assert page.events == (event.id,) and page.queries == () and not page.everything


def test_a_view_question_is_noted_with_a_digest_of_its_answer(timeline):
    page, tracker = reads_of("{{ view.events_with('tag', 'parade')|length }}", timeline)
    query = ("events_with", ("tag", "parade"))
    assert page.queries == (query,) and page.events == ()
    assert query in tracker.answers


@pytest.mark.parametrize("template", ["{{ view.timeline.events|length }}",
                                      "{% for g in view.years %}{% endfor %}",
                                      "{{ view.events_with(kind='tag', key='parade') }}"])
def test_whole_timeline_reads_and_unlookupable_questions_depend_on_everything(timeline, template):
    page, _ = reads_of(template, timeline)
    assert page.everything


def test_a_question_about_arguments_only_notes_the_events_passed(timeline):
    event = timeline.events[0]
    page, _ = reads_of("{{ view.href(event) }}", timeline, event=event)
    assert page.events == (event.id,) and page.queries == ()


def test_a_memoized_fragment_counts_for_every_page_that_uses_it(timeline):
    event = timeline.events[0]
    tracker = Tracker(keys_of(timeline))
    env = make_environment(REPO / "templates", tracker=tracker)
    template = env.from_string('{% from "_macros.html" import event_item %}'
                               '{{ memo(event_item, event, view, "") }}')
    view = TimelineView(timeline)
    for _ in range(2):  # the second render reuses the fragment
        with tracker.frame() as reads:
            template.render(view=view, event=event)
        assert event.id in reads.events


def test_arguments_are_looked_up_again_by_kind_and_id(timeline):
    event = timeline.events[0]
    person = timeline.people["xi-jinping"]
    argument = reference((event, person, "x", 3))
    assert argument == (Ref("event", event.id), Ref("person", "xi-jinping"), "x", 3)
    assert resolve(argument, timeline, {e.id: e for e in timeline.events}) == (event, person, "x", 3)


def test_canon_names_events_by_key_and_refuses_what_it_cannot_describe(timeline):
    from paradetimeline.incremental.tracking import Unknown

    event = timeline.events[0]
    assert canon((event, None, {"a": 1}), {event.id: "k"}) == ("k", None, ("dict", ("a", 1)))
    with pytest.raises(Unknown):
        canon(object(), {})
    with pytest.raises(Unknown):
        canon(event, {})  # an event without a key


def test_a_page_context_is_digested_as_its_canon_is(timeline):
    # context_digest works out canon's answer for the usual values itself: the digests the
    # records hold must not change with it.
    from paradetimeline.incremental.tracking import digest

    event = timeline.events[0]
    tracker = Tracker(keys_of(timeline))
    context = {"next": event, "previous": None, "person": timeline.people["xi-jinping"],
               "kind": "people", "events": (event,), "event": event}
    assert tracker.context_digest(context) == digest(repr(canon(sorted(context.items()),
                                                                tracker.keys)))
    assert tracker.context_digest({"event": event}) != tracker.context_digest({"next": event})
    assert Tracker({}).context_digest({"event": event}) == "unknown"  # no key: cannot tell
    assert Tracker({}).context_digest({"thing": object()}) == "unknown"


def test_a_record_is_read_back_as_written_and_a_damaged_one_not_at_all(timeline, tmp_path):
    query = ("related", (Ref("event", timeline.events[0].id),))
    record = PageRecord("f", "s", "e", {timeline.events[0].id: "k"}, {query: "a"},
                        {"p.html": PageReads("c", (timeline.events[0].id,), (query,), False)},
                        {"p.html": "d1", "events.json": "d2"})
    path = tmp_path / "pages.pickle"
    write_record(path, record)
    assert read_record(path) == record
    data = path.read_bytes()
    path.write_bytes(data[:40] + bytes([data[40] ^ 1]) + data[41:])  # one bit flipped
    assert read_record(path) is None
    path.write_bytes(data[:-1])
    assert read_record(path) is None


def test_a_template_that_reads_every_event_is_rendered_again_on_any_change(make_project, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    event_page = templates / "event.html"
    event_page.write_text(event_page.read_text().replace(
        "<h1>{{ event.title }}</h1>", "<h1>{{ event.title }}</h1> one of {{ view.timeline.events|length }}"))
    root = make_project({f"content/events/{year}.yaml": f"title: In {year}\ndate: {year}-01-01\n"
                         "status: planned\n" for year in (2020, 2021)})
    (root / "templates").unlink()
    (root / "templates").symlink_to(templates)
    build_site(root)
    (root / "content/events/2022.yaml").write_text("title: New\ndate: 2022-01-01\nstatus: planned\n")
    build_site(root)  # the parade of 2015 is no neighbour of it, but its page counts events
    assert "one of 4" in (root / "site/events/parade.html").read_text()
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def test_an_answer_is_asked_again_when_a_changed_event_left_or_joined_it(make_project, tmp_path):
    """A tag page that only counts its events reads none of them: it must still change
    when an event of the tag goes, and when an event gains the tag."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / "tag.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="count">'
        '{{ view.events_with("tag", tag)|length }} with {{ tag }}</p>{% endblock %}')
    events = {f"content/events/e{n}.yaml": f"title: E{n}\ndate: 2020-01-0{n}\nstatus: planned\n"
              f"tags: [{'parade, ' if n < 3 else ''}rally]\n" for n in (1, 2, 3)}
    root = make_project(events)
    (root / "templates").unlink()
    (root / "templates").symlink_to(templates)
    count = lambda: re.search(r'<p id="count">(.*?)</p>', (root / "site/tags/rally.html").read_text())[1]
    build_site(root)
    assert count() == "3 with rally"
    (root / "content/events/e1.yaml").unlink()  # was in the answer, is gone
    build_site(root)
    assert count() == "2 with rally"
    (root / "content/events/e4.yaml").write_text(  # was in no answer, joins one
        "title: E4\ndate: 2020-01-04\nstatus: planned\ntags: [rally]\n")
    build_site(root)
    assert count() == "3 with rally"
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def test_what_a_worker_sent_is_adopted_equal_and_made_of_the_trackers_own_ids():
    tracker = Tracker({"a-1": "k1", "b-2": "k2"})
    query = ("events_with", ("tag", "parade"))
    sent = pickle.loads(pickle.dumps((
        {"x.html": PageReads("c", ("a-1", "b-2"), (query,), False),
         "y.html": PageReads("d", ("b-2",), (query,), False)},
        {query: ("digest", ("a-1",))})))  # as a pipe brings it: copies of every string
    reads, answers = tracker.adopt(*sent)
    assert reads == sent[0] and answers == sent[1]
    own = {i: i for i in tracker.keys}
    assert all(e is own[e] for r in reads.values() for e in r.events)
    assert all(e is own[e] for _, ids in answers.values() for e in ids)
    assert reads["x.html"].queries[0] is reads["y.html"].queries[0] is next(iter(answers))


def test_the_pieces_a_worker_kept_are_adopted_equal_and_made_of_the_trackers_own_strings():
    from paradetimeline.incremental.pieces import KeptPieces, Spans

    tracker = Tracker({"a-1": "k1", "b-2": "k2"})
    spans = Spans(("a-1", "b-2", "c-3"), ("k1", "old", "k3"), b"\0" * 48)
    sent = pickle.loads(pickle.dumps(KeptPieces("ctx", {"events.json": spans})))
    adopted = tracker.adopt_pieces(sent)
    assert adopted == sent
    ids, keys = adopted.files["events.json"].ids, adopted.files["events.json"].keys
    own = {i: i for i in tracker.keys}
    assert ids[0] is own["a-1"] and ids[1] is own["b-2"]
    assert keys[0] is tracker.keys["a-1"]
    assert keys[1] == "old" and keys[1] is not tracker.keys["b-2"]  # not this build's key
    assert keys[2] == "k3"  # an event the tracker does not know keeps what it came with


def test_a_kept_fragment_is_checked_against_the_records_answers_where_they_cannot_have_changed(
        make_project, tmp_path, monkeypatch):
    """The parade page is rendered again on every change (it reads every event), and its
    kept fragment asks which events have the tag: after an event without the tag is added,
    the record's answer is taken as it is; after one with the tag, it is asked again."""
    import paradetimeline.incremental.tracking as tracking

    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / "tag.html").write_text(
        '{% extends "base.html" %}{% macro count(tag, view) %}'
        '{{ view.events_with("tag", tag)|length }}{% endmacro %}{% block main %}'
        '<p id="count">{{ memo(count, tag, view) }} of {{ view.timeline.events|length }}</p>'
        '{% endblock %}')
    event = "title: E{n}\ndate: 2020-01-0{n}\nstatus: planned\ntags: [{tags}]\n"
    root = make_project({f"content/events/e{n}.yaml": event.format(n=n, tags=tags)
                         for n, tags in ((1, "parade, rally"), (2, "parade"), (3, "rally"))})
    (root / "templates").unlink()
    (root / "templates").symlink_to(templates)
    asked = []
    answer = tracking._answer
    monkeypatch.setattr(tracking, "_answer", lambda query, *rest: asked.append(query)
                        or answer(query, *rest))
    def count():
        found = re.search(r'<p id="count">(\d+) of (\d+)</p>', (root / "site/tags/parade.html").read_text())
        return int(found[1]), int(found[2])

    parade = ("events_with", ("tag", "parade"))
    build_site(root, jobs=1)
    tagged, events = count()
    asked.clear()
    (root / "content/events/e4.yaml").write_text(event.format(n=4, tags="rally"))
    build_site(root, jobs=1)
    assert count() == (tagged, events + 1) and parade not in asked
    (root / "content/events/e5.yaml").write_text(event.format(n=5, tags="parade"))
    build_site(root, jobs=1)
    assert count() == (tagged + 1, events + 2) and parade in asked
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def test_a_record_is_never_written_through_a_symlink_nor_read_through_one(tmp_path):
    record = PageRecord("f", "s", "e", {}, {}, {}, {"p.html": "d1"})
    important = tmp_path / "important.txt"
    important.write_text("the user's own file")
    path = tmp_path / "build-key.pages.pickle"
    path.with_suffix(f".tmp{os.getpid()}").symlink_to(important)  # where it was written first
    write_record(path, record)
    assert important.read_text() == "the user's own file"
    assert read_record(path) == record
    elsewhere = tmp_path / "elsewhere.pickle"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    assert read_record(path) is None
