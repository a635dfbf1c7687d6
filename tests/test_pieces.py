"""pieces.py: an export is made of kept pieces only where they are exactly what would be
made again, and an incremental build's exports equal a clean build's."""

from __future__ import annotations

from test_buildrecord import clean_build
from test_output import snapshot
from test_store import count_calls

import paradetimeline.exports.files as exports
import paradetimeline.exports.ical as ical
from paradetimeline import build_site
from paradetimeline.incremental.buildrecord import pages_path
from paradetimeline.incremental.pieces import Piece, PieceStore
from paradetimeline.incremental.tracking import read_record
from paradetimeline.render.filedata import joined, output_digest


def made(store, path, items, calls):
    def piece(event, text):
        def make():
            calls.append(event)
            return text
        return Piece(event, make)

    return joined(store.assemble(path, ["[", *(piece(e, t) for e, t in items), "]"]))


def test_pieces_are_copied_from_the_old_file_only_while_their_keys_hold(tmp_path):
    first = PieceStore({"a": "ka", "b": "kb"}, "context", folder=tmp_path)
    calls = []
    data = made(first, "x.json", [("a", "«a»"), ("b", "b")], calls)
    assert data == "[«a»b]".encode() and calls == ["a", "b"]
    (tmp_path / "x.json").write_bytes(data)
    digests = {"x.json": output_digest(data)}

    def again(keys, context="context", digests=digests):
        calls.clear()
        store = PieceStore(keys, context, first.made, tmp_path, digests)
        out = made(store, "x.json", [("c", "c"), ("a", "new a"), ("b", "new b")], calls)
        return out, list(calls)

    assert again({"a": "ka", "b": "kb", "c": "kc"}) == ("[c«a»b]".encode(), ["c"])
    assert again({"a": "ka", "b": "kb2", "c": "kc"}) == ("[c«a»new b]".encode(), ["c", "b"])
    assert again({"a": "ka", "b": "kb"}, context="other")[1] == ["c", "a", "b"]
    assert again({"a": "ka", "b": "kb"}, digests={"x.json": "edited"})[1] == ["c", "a", "b"]
    (tmp_path / "x.json").write_bytes(data.replace(b"b", b"B"))  # edited since, same size
    assert again({"a": "ka", "b": "kb"})[1] == ["c", "a", "b"]


def test_adding_an_event_makes_only_its_pieces_and_the_exports_equal_a_clean_build(
        make_project, tmp_path, monkeypatch):
    root = make_project({"content/site.yaml": (
        "title: Test timeline\ndescription: A test.\nbase_url: https://example.org/t/\n")})
    build_site(root, jobs=1)
    (root / "content/events/new.yaml").write_text(
        "title: A new event\ndate: 2015-05-10\nstatus: planned\ntags: [parade]\n")
    as_json = count_calls(monkeypatch, exports, "_event")
    as_ics = count_calls(monkeypatch, ical, "vevent")
    build_site(root, jobs=1)
    assert [event.id for _, event in as_json] == ["new"]
    assert [event.id for _, event, _ in as_ics] == ["new"]
    site = snapshot(root / "site")
    clean = clean_build(root, tmp_path, "clean")
    for name in ("events.json", "timeline.json", "events.ics", "feed.xml"):
        assert site[name] == clean[name], name


def test_workers_share_out_the_exports_and_keep_every_files_pieces(
        make_project, tmp_path, monkeypatch):
    """In a large site each export file is a task of its own, so two workers may make them;
    the pieces of all of them are kept, so the next build again makes only the new event's."""
    events = {f"content/events/bulk/e{n:04d}.yaml":
              f"title: Event {n}\ndate: 2015-05-{n % 28 + 1:02d}\nstatus: happened\n"
              for n in range(450)}
    root = make_project({**events, "content/site.yaml": (
        "title: Test timeline\ndescription: A test.\nbase_url: https://example.org/t/\n")})
    build_site(root, jobs=2)
    kept = read_record(pages_path(root, root / "site")).pieces
    assert sorted(kept.files) == ["events.ics", "events.json", "feed.xml", "timeline.json"]
    made = tmp_path / "made.txt"  # appended to by whichever process makes a piece
    original = exports._event

    def noted(timeline, event):
        with open(made, "a", encoding="utf-8") as f:
            f.write(f"{event.id}\n")
        return original(timeline, event)

    monkeypatch.setattr(exports, "_event", noted)
    (root / "content/events/new.yaml").write_text(
        "title: A new event\ndate: 2015-05-10\nstatus: planned\ntags: [parade]\n")
    build_site(root, jobs=2)
    assert made.read_text() == "new\n"
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")  # every file
