"""loader: a whole project read, checked and sorted, with every problem reported once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CITED, REPO

from paradetimeline.check.loader import load_timeline
from paradetimeline.errors import UsageError

EVENT = """\
title: {title}
date: {date}
status: happened
""" + CITED.replace("{", "{{").replace("}", "}}")


def problems(root: Path) -> list[str]:
    return [d.format() for d in load_timeline(root)[1].sorted()]


def test_the_repository_content_loads_cleanly() -> None:
    timeline, diagnostics = load_timeline(REPO)
    assert diagnostics.items == []
    assert len(timeline.events) >= 20
    assert [e.id for e in timeline.events] == [
        e.id for e in sorted(timeline.events, key=lambda e: e.sort_key())]


def test_the_minimal_project(make_project) -> None:  # type: ignore[no-untyped-def]
    timeline, diagnostics = load_timeline(make_project())
    assert diagnostics.items == []
    [event] = timeline.events
    assert (event.id, event.anniversary_label) == ("parade", "70th")
    assert [(c.source, c.anchors, c.match) for c in event.sources] == [("s1", ("p1-s1",), "exact")]
    assert [(c.year, c.label) for c in timeline.commemorations] == [(2015, "70th anniversary")]


def test_a_title_no_stays_the_text_no(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"content/events/parade.yaml": EVENT.format(title="NO", date="2015")})
    timeline, diagnostics = load_timeline(root)
    assert diagnostics.items == []
    assert timeline.events[0].title == "NO"
    assert timeline.events[0].date.display() == "2015"


def test_events_sort_by_date_precision_then_id(make_project) -> None:  # type: ignore[no-untyped-def]
    files = {f"content/events/{name}.yaml": EVENT.format(title=name, date=date) for name, date in [
        ("b-day", "2015-05-09"), ("a-day", "2015-05-09"), ("month", "2015-05"),
        ("year", "2015"), ("span", "2015-05-07/2015-05-10"), ("before", "../2015-05-08"),
        ("in-2014", "2014-12-31")]}
    timeline, diagnostics = load_timeline(make_project({"content/events/parade.yaml": None,
                                                        **files}))
    assert diagnostics.items == []
    assert [e.id for e in timeline.events] == [
        "in-2014", "year", "month", "span", "before", "a-day", "b-day"]


def test_drafts_are_checked_always_and_kept_on_request(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"content/events/later.yaml": EVENT.format(title="L", date="2016")
                         + "draft: true\npeople: [nobody]\n"})
    assert problems(root) == ["content/events/later.yaml:8:10: error: unknown person 'nobody'\n"
                              "    hint: define 'nobody' in content/people.yaml, or check the "
                              "spelling"]
    assert [e.id for e in load_timeline(root)[0].events] == ["parade"]
    assert [e.id for e in load_timeline(root, drafts=True)[0].events] == ["parade", "later"]


def test_events_in_subfolders_and_dotfiles(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({
        "content/events/2015/deep/later.yaml": EVENT.format(title="L", date="2016"),
        "content/events/.hidden.yaml": "not: [valid",
        "content/events/.git/x.yaml": "not: [valid",
        "content/events/notes.txt": "not yaml at all",
    })
    timeline, diagnostics = load_timeline(root)
    assert diagnostics.items == []
    assert [e.id for e in timeline.events] == ["parade", "later"]


def test_one_broken_definition_is_one_error(make_project) -> None:  # type: ignore[no-untyped-def]
    """Events that cite a broken person or seed are not reported a second time."""
    root = make_project({
        "content/people.yaml": "xi-jinping:\n  country: China\n",
        "seeds/s1.txt": b"\xff\xfe",
    })
    assert problems(root) == [
        "content/people.yaml:2:3: error: missing required key 'name'\n"
        "    hint: add a line 'name: ...'",
        "seeds/s1.txt:1:1: error: file is not UTF-8 (byte 0xff)\n"
        "    hint: save the file as UTF-8",
    ]


def test_a_symlink_inside_the_project_is_fine(make_project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    (root / "content/shared").mkdir()
    (root / "content/places.yaml").rename(root / "content/shared/places.yaml")
    (root / "content/places.yaml").symlink_to("shared/places.yaml")
    assert problems(root) == []


def test_a_dangling_symlink_is_reported(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"content/people.yaml": None})
    (root / "content/people.yaml").symlink_to("/nonexistent/people.yaml")
    assert problems(root) == [
        "content/people.yaml:1:1: error: symlink leads outside the project, to "
        "'/nonexistent/people.yaml'\n    hint: copy the file into the project instead"]


def test_a_symlinked_folder_leading_out_is_refused_file_by_file(make_project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Only the folder is a link here: each file in it is still found to lie outside."""
    root = make_project()
    outside = tmp_path / "elsewhere"
    (root / "content/sources").rename(outside)
    (root / "content/sources").symlink_to(outside)
    assert problems(root) == [
        f"content/sources/s1.yaml:1:1: error: symlink leads outside the project, to "
        f"'{outside.resolve().as_posix()}/s1.yaml'\n    hint: copy the file into the project instead"]


def test_a_symlinked_folder_inside_the_project_is_fine(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    (root / "content/sources").rename(root / "content/shared")
    (root / "content/sources").symlink_to("shared")
    assert problems(root) == []


def test_a_chain_of_symlinks_is_followed_to_its_end(make_project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"content/people.yaml": None})
    (tmp_path / "people.yaml").write_text("xi-jinping:\n  name: Xi Jinping\n")
    (root / "content/hop.yaml").symlink_to(tmp_path / "people.yaml")
    (root / "content/people.yaml").symlink_to("hop.yaml")
    assert problems(root) == [
        "content/people.yaml:1:1: error: symlink leads outside the project, to 'hop.yaml'\n"
        "    hint: copy the file into the project instead"]


def test_a_missing_root_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a folder"):
        load_timeline(tmp_path / "nope")


def test_metadata_and_article_disagree(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"content/sources/s1.yaml": "publisher: T\nheadline: Other\n"})
    timeline, diagnostics = load_timeline(root)
    assert [d.format() for d in diagnostics.sorted()] == [
        "content/sources/s1.yaml:2:11: warning: 'headline' 'Other' differs from what the "
        "article states; the article's value is used"]
    assert timeline.sources["s1"].headline == "A Test Headline"


def test_a_publisher_the_article_does_not_name_is_the_curators(make_project) -> None:  # type: ignore[no-untyped-def]
    """The minimal seed's byline is 'Test Times': a publisher it names is the article's."""
    named = load_timeline(make_project())[0].sources["s1"]
    assert named.publisher_stated and named.label == "Test Times, 11 May 2015"
    root = make_project({"content/sources/s1.yaml": "publisher: Other Times\n"})
    timeline, diagnostics = load_timeline(root)
    assert [d.format() for d in diagnostics.sorted()] == [
        "content/sources/s1.yaml:1:12: warning: the article does not name 'Other Times'; it is "
        "shown as named by the curator\n"
        "    hint: say where the name comes from in 'publisher:' under 'notes:'"]
    source = timeline.sources["s1"]
    assert not source.publisher_stated
    assert source.label == "Other Times (named by the curator), 11 May 2015"
    noted = make_project({"content/sources/s1.yaml": (
        "publisher: Other Times\nnotes:\n  publisher: Its masthead, in the capture.\n")})
    assert load_timeline(noted)[1].sorted() == []


QUOTE = "Xi attended Moscow's Victory Day parade on Saturday marking 70 years since the end of the war in Europe."


def _bulk_event(n: int) -> str:
    """Event n of a bulk corpus: every seventh has a bad status, every eleventh an unknown
    person, every thirteenth a quote the article does not hold."""
    person = "xi-jinpin" if n % 11 == 0 else "xi-jinping"
    quote = "Xi stayed at home." if n % 13 == 0 else QUOTE
    return (f"title: Event {n}\ndate: 2015-05-{n % 28 + 1:02d}\n"
            f"status: {'happened' if n % 7 else 'unknown-status'}\npeople: [{person}]\n"
            f"sources:\n  - source: s1\n    quote: \"{quote}\"\n")


def test_many_event_files_are_checked_the_same_in_parallel(make_project, monkeypatch):
    """Past PARALLEL_MIN_FILES unparsed event files, forked workers parse and check them;
    the timeline and every diagnostic are the same as in order, and what they kept (the
    parses, the checks, the quotes they looked up) serves the next build."""
    import hashlib
    import multiprocessing

    from paradetimeline.check.loader import PARALLEL_MIN_FILES
    from paradetimeline.plain import MemoryCache

    pools = []
    real = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context",
                        lambda method: pools.append(method) or real(method))

    count = PARALLEL_MIN_FILES + 20
    root = make_project({f"content/events/bulk/e{n:04d}.yaml": _bulk_event(n)
                         for n in range(count)})
    digests = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in root.rglob("*") if p.is_file()}
    in_order = load_timeline(root, drafts=True, cache=MemoryCache(), jobs=1)
    results = MemoryCache()
    in_parallel = load_timeline(root, drafts=True, cache=results, jobs=2, digests=digests)
    assert pools == ["fork"]  # only the parallel load started processes
    assert in_parallel[0] == in_order[0]
    assert in_parallel[1].sorted() == in_order[1].sorted()
    bulk = [n for n in range(count) if n % 7]  # the others do not parse to an event
    messages = [d.message for d in in_order[1].errors]
    assert messages.count("unknown person 'xi-jinpin'") == sum(1 for n in bulk if n % 11 == 0)
    assert messages.count("quote not found in source 's1'") == sum(1 for n in bulk if n % 13 == 0)
    assert len(messages) == (count - len(bulk) + sum(1 for n in bulk if n % 11 == 0)
                             + sum(1 for n in bulk if n % 13 == 0))
    assert in_parallel[0].events[1].sources[0].anchors  # the quote was found
    steps = [step for step, _ in results.made]
    assert steps.count("event") == count + 1 and steps.count("checked") == count + 1
    assert steps.count("quote") == 2  # where the quote was found, and the one not found
    pools.clear()
    again = load_timeline(root, drafts=True, cache=results, jobs=2, digests=digests)
    assert pools == [] and again[0] == in_order[0] and len(again[0].events) == len(bulk) + 1
    assert again[1].sorted() == in_order[1].sorted()


def test_many_seeds_are_parsed_the_same_in_parallel(make_project, monkeypatch):
    """Past PARALLEL_MIN_SEEDS seeds not parsed before, forked workers parse them and find
    their date phrases; the timeline, the diagnostics and the mentions are the same as in
    one process, and coverage then has no article left to scan."""
    import multiprocessing

    from paradetimeline.check import mentions, phrases
    from paradetimeline.check.loader import PARALLEL_MIN_SEEDS
    from paradetimeline.plain import MemoryCache

    pools = []
    real = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context",
                        lambda method: pools.append(method) or real(method))
    seeds = {f"seeds/bulk{n:03d}.txt": f"# Headline {n}\n\nMay 11, 2015\n\nThe parade was on "
             f"Saturday, and {n} veterans marched in 1945.\n" for n in range(PARALLEL_MIN_SEEDS + 5)}
    root = make_project(seeds)
    in_order = load_timeline(root, drafts=True, cache=MemoryCache(), jobs=1)
    results = MemoryCache()
    in_parallel = load_timeline(root, drafts=True, cache=results, jobs=2)
    assert pools == ["fork"]
    assert in_parallel[0] == in_order[0] and len(in_order[0].sources) == len(seeds) + 1
    assert in_parallel[1].sorted() == in_order[1].sorted()
    assert [d.message for d in in_order[1].warnings] == ["no metadata for this seed"] * len(seeds)
    steps = [step for step, _ in results.made]
    assert steps.count("article") == steps.count("mentions") == len(seeds) + 1
    pools.clear()
    found = mentions.mentions_by_source(in_parallel[0], 2, results)
    assert pools == []  # nothing left to scan
    assert found == mentions.mentions_by_source(in_order[0], 1)
    assert mentions.format_mention(found["bulk007"][0]) == mentions.format_mention(
        phrases.find_mentions(in_order[0].sources["bulk007"].article)[0])


def test_a_file_whose_digest_is_known_and_kept_is_not_read(make_project, monkeypatch):
    import hashlib

    import paradetimeline.check.loader as loader
    import paradetimeline.check.parses as parses
    from paradetimeline.plain import MemoryCache

    root = make_project()
    results = MemoryCache()
    first = load_timeline(root, cache=results)
    event = "content/events/parade.yaml"
    sha = hashlib.sha256((root / event).read_bytes()).hexdigest()
    read = []
    real = loader.read_bytes
    for module in (loader, parses):
        monkeypatch.setattr(module, "read_bytes",
                            lambda path, *a: read.append(path.name) or real(path, *a))
    again = load_timeline(root, cache=results, digests={event: sha})
    assert again[0] == first[0] and "parade.yaml" not in read
    load_timeline(root, cache=results, digests={event: "0" * 64})  # not kept: read it
    assert "parade.yaml" in read


def test_ids_that_would_overwrite_a_list_page_are_reserved(make_project) -> None:  # type: ignore[no-untyped-def]
    from conftest import MINIMAL_FILES, MINIMAL_SEED

    root = make_project({
        "content/people.yaml": MINIMAL_FILES["content/people.yaml"] + "index:\n  name: X\n",
        "content/places.yaml": "index:\n  name: Y\n  kind: city\n"
                               + MINIMAL_FILES["content/places.yaml"],
        "seeds/index.txt": MINIMAL_SEED,
        "content/events/parade.yaml": MINIMAL_FILES["content/events/parade.yaml"].replace(
            "tags: [parade]", "tags: [parade, index]"),
    })
    assert problems(root) == [
        "content/events/parade.yaml:7:16: error: 'index' is reserved for the list of tags; "
        "choose another id",
        "content/people.yaml:5:1: error: 'index' is reserved for the list of people; "
        "choose another id",
        "content/places.yaml:1:1: error: 'index' is reserved for the list of places; "
        "choose another id",
        "seeds/index.txt:1:1: error: 'index' is reserved for the list of sources; "
        "choose another id\n    hint: the file name is the id"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    from paradetimeline.cli import main

    code = main(list(argv))
    return code, capsys.readouterr().err.splitlines()


LOOP = "    hint: point the symlink at a file"


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_symlink_loop_is_a_located_error(make_project, capsys, command) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    events = root / "content/events"
    (events / "a.yaml").symlink_to("b.yaml")
    (events / "b.yaml").symlink_to("a.yaml")
    (events / "round").symlink_to("round")
    (events / "2015").mkdir()
    (events / "2015/back").symlink_to("..")
    code, err = run(capsys, command, "--root", str(root))
    assert code == 1
    assert err[:-1] == [
        "content/events/2015/back:1:1: error: symlink loop: it leads back to 'content/events'",
        "    hint: remove it",
        "content/events/a.yaml:1:1: error: symlink loop: it leads back to itself", LOOP,
        "content/events/b.yaml:1:1: error: symlink loop: it leads back to itself", LOOP,
        "content/events/round:1:1: error: symlink loop: it leads back to itself", LOOP]


def test_a_symlink_loop_in_a_record_file_is_a_located_error(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"content/people.yaml": None})
    (root / "content/people.yaml").symlink_to("people.yaml")
    assert problems(root) == [f"content/people.yaml:1:1: error: symlink loop: it leads back to "
                              f"itself\n{LOOP}"]


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_file_that_cannot_be_read_is_the_same_error_in_check_and_build(make_project, capsys, command) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"content/places.yaml": None, "content/events/parade.yaml": None})
    (root / "content/events").mkdir()
    (root / "content/events/moved.yaml").symlink_to("elsewhere.yaml")
    (root / "content/places.yaml").mkdir()
    code, err = run(capsys, command, "--root", str(root))
    assert code == 1
    assert err[:-1] == [
        "content/events/moved.yaml:1:1: error: cannot read file: No such file or directory",
        "content/places.yaml:1:1: error: not a regular file (a folder)",
        "    hint: put a YAML file in its place"]
    assert not (root / "site").exists()


def test_a_symlinked_event_folder_is_an_error_if_it_leads_out_else_skipped(make_project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Symlinked folders are not followed, as the build's fingerprint does not follow them."""
    root = make_project({"content/shared/later.yaml": EVENT.format(title="L", date="2016")})
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "far.yaml").write_text(EVENT.format(title="F", date="2016"))
    (root / "content/events/far").symlink_to(outside)
    (root / "content/events/near").symlink_to("../shared")
    timeline, diagnostics = load_timeline(root)
    assert [d.format() for d in diagnostics.sorted()] == [
        f"content/events/far:1:1: error: symlink leads outside the project, to '{outside}'\n"
        "    hint: copy the folder into the project instead",
        "content/events/near:1:1: warning: skipped: symlinked folders are not read\n"
        "    hint: move the folder here, or link its files one by one"]
    assert [e.id for e in timeline.events] == ["parade"]


def test_event_files_of_another_suffix_or_kind_are_skipped_with_a_warning(make_project) -> None:  # type: ignore[no-untyped-def]
    later = EVENT.format(title="L", date="2016")
    root = make_project({"content/events/a.YAML": later, "content/events/b.Yml": later,
                         "content/events/c.yml": later, "content/events/notes.txt": "notes"})
    os.mkfifo(root / "content/events/pipe.yaml")
    timeline, diagnostics = load_timeline(root)
    assert [d.format() for d in diagnostics.sorted()] == [
        "content/events/a.YAML:1:1: warning: skipped: event files end in '.yaml'\n"
        "    hint: rename it to a.yaml",
        "content/events/b.Yml:1:1: warning: skipped: event files end in '.yaml'\n"
        "    hint: rename it to b.yaml",
        "content/events/pipe.yaml:1:1: warning: skipped: not a regular file (a FIFO)\n"
        "    hint: only regular files are read; remove it"]
    assert [e.id for e in timeline.events] == ["parade", "c"]


def test_a_fifo_never_hangs_the_build(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    os.mkfifo(root / "content/events/pipe.yaml")
    os.mkfifo(root / "content/hop")
    (root / "content/people.yaml").unlink()
    (root / "content/people.yaml").symlink_to("hop")
    done = subprocess.run([sys.executable, "-m", "paradetimeline", "build", "--root", str(root)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines()[:4] == [
        "content/events/pipe.yaml:1:1: warning: skipped: not a regular file (a FIFO)",
        "    hint: only regular files are read; remove it",
        "content/people.yaml:1:1: error: not a regular file (a FIFO)",
        "    hint: put a YAML file in its place"]
