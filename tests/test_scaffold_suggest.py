"""scaffold/suggest.py: `new event --from SOURCE#ANCHOR` drafts from a sentence, and
`suggest` lists each uncited date phrase with the command that drafts it; what they write
passes `check` as written."""

from __future__ import annotations

import shlex

import pytest
from conftest import BRIDGE_ARTICLE, run_cli

from paradetimeline.check.loader import load_timeline
from paradetimeline.cli import main

DRAFT = "content/events/2024/2024-09-23-the-old-bridge-will-close-to-traffic-on-monday-september-23.yaml"


@pytest.fixture
def project(new_project, tmp_path, capsys):
    root = new_project
    article = tmp_path / "closure.txt"
    article.write_text(BRIDGE_ARTICLE)
    assert main(["new", "source", str(article), "--root", str(root)]) == 0
    (root / "content/people.yaml").write_text("ana-lopez:\n  name: Ana Lopez\n")
    (root / "content/places.yaml").write_text("old-bridge:\n  name: Old Bridge\n  kind: building\n")
    capsys.readouterr()
    return root


def test_suggest_lists_each_uncited_phrase_with_the_command_that_drafts_it(project, capsys):
    code, out, err = run_cli(capsys, "suggest", "--root", str(project))
    assert (code, err) == (0, "")
    assert out == (
        "closure p1-s1 \"on Monday, September 23\" -> 2024-09-23 [no year stated: the publication's year]\n"
        "    paradetimeline new event --from closure#p1-s1\n"
        "closure p1-s1 \"on Tuesday\" -> 2024-09-10 [the Tuesday on or before Thursday 12 September 2024 ('said')]\n"
        "    paradetimeline new event --from closure#p1-s1 --date 2024-09-10\n"
        "closure p3-s1 \"in 1925\" -> 1925 [the year is stated]\n"
        "    paradetimeline new event --from closure#p3-s1\n"
        "closure p3-s1 \"in 1998\" -> 1998 [the year is stated]\n"
        "    paradetimeline new event --from closure#p3-s1 --date 1998\n")


def test_every_suggested_command_writes_a_draft_that_passes_check(project, capsys):
    out = run_cli(capsys, "suggest", "--root", str(project))[1]
    commands = [shlex.split(line)[1:] for line in out.splitlines() if line.startswith("    ")]
    for command in commands:
        assert run_cli(capsys, *command, "--root", str(project))[0] == 0, command
    assert run_cli(capsys, "check", "--root", str(project))[0] == 0
    timeline, _ = load_timeline(project, drafts=True)
    assert sorted(e.date.edtf() for e in timeline.events) == [
        "1925", "1998", "2024-09-10", "2024-09-23"]
    # once drafted, a phrase is no longer suggested; the article has no other
    code, out, err = run_cli(capsys, "suggest", "--root", str(project))
    assert (code, out, err) == (0, "", "Every date phrase of the articles is cited by an event.\n")


def test_a_draft_from_a_sentence_quotes_it_dates_it_and_names_who_and_where(project, capsys):
    code, out, _ = run_cli(capsys, "new", "event", "--from", "clos#p1-s1", "--root", str(project))
    assert code == 0
    assert out == (f"Created {DRAFT}, a draft quoting closure p1-s1: write its title and status, "
                   "then delete 'draft: true' to publish it\n")
    text = (project / DRAFT).read_text()
    assert ("# Drafted from closure, p1-s1, by 'new event --from':\n"
            "#   The Old Bridge will close to traffic on Monday, September 23, the city council said on Tuesday.\n"
            "# Its date is that of \"on Monday, September 23\", resolved against the article's date.\n"
            "# Other date phrases in it: \"on Tuesday\" -> 2024-09-10.\n"
            "# The quote leaves out the part of the sentence that dates something else.\n") in text
    assert 'title: "The Old Bridge will close to traffic on Monday, September 23"\n' in text
    assert "places: [old-bridge]" in text and "people: []" in text
    assert '    quote: "The Old Bridge will close to traffic on Monday, September 23"\n' in text
    (project / DRAFT).write_text(text.replace("draft: true", "draft: false"))
    timeline, diagnostics = load_timeline(project)
    assert not diagnostics.errors
    (event,) = timeline.events
    assert (event.date.edtf(), event.places, event.sources[0].anchors) == (
        "2024-09-23", ("old-bridge",), ("p1-s1",))
    assert not [d for d in diagnostics.items if "outside the event's date" in d.message]


def test_a_person_is_found_by_name_or_surname(project, capsys):
    (project / "content/people.yaml").write_text(
        "ana-lopez:\n  name: Ana Lopez\njane-roe:\n  name: Jane Roe\n")
    assert run_cli(capsys, "new", "event", "--from", "closure#p2-s1", "--date", "2024-09-12",
               "--root", str(project))[0] == 0
    (draft,) = (project / "content/events/2024").glob("*.yaml")
    assert "people: [ana-lopez]" in draft.read_text()
    assert run_cli(capsys, "check", "--root", str(project))[0] == 0


@pytest.mark.parametrize("args, message", [
    (["--from", "closure#p2-s1"], "closure#p2-s1 has no date phrase that resolves to one date; "
                                  "give the event's date with --date"),
    (["--from", "closure#p9-s1"], "closure has no sentence 'p9-s1' (its sentences are p1-s1 to "
                                  "p3-s…; 'paradetimeline mentions closure' lists the dated ones)"),
    (["--from", "nope#p1-s1"], "source 'nope' is unknown (sources: closure)"),
    (["--from", "closure"], "--from 'closure' must be SOURCE#ANCHOR, such as 001#p4-s1 "
                            "(paradetimeline suggest lists them)"),
    (["--date", "2024"], "--title is needed (or --from SOURCE#ANCHOR)"),
    (["--title", "T"], "--date is needed (or --from SOURCE#ANCHOR, to take the sentence's)"),
])
def test_what_cannot_be_drafted_is_a_usage_error(project, capsys, args, message):
    code, out, err = run_cli(capsys, "new", "event", *args, "--root", str(project))
    assert (code, out, err) == (2, "", f"paradetimeline: error: {message}\n")
    assert not (project / "content/events/2024").exists()


def test_an_empty_draft_names_the_project_s_own_source(project, capsys):
    assert run_cli(capsys, "new", "event", "--date", "2024-09", "--title", "Repairs begin",
               "--root", str(project))[0] == 0
    text = (project / "content/events/2024/2024-09-repairs-begin.yaml").read_text()
    assert "#  - source: closure" in text
    assert "victory" not in text.lower() and "001_" not in text


def test_suggest_without_sources_says_how_to_add_one(tmp_path, capsys):
    assert main(["init", str(tmp_path / "p")]) == 0
    capsys.readouterr()
    assert run_cli(capsys, "suggest", "--root", str(tmp_path / "p")) == (
        0, "", "No sources yet: add an article with 'paradetimeline new source FILE'.\n")


def test_a_date_no_phrase_of_the_sentence_gives_keeps_the_whole_sentence(project, capsys):
    assert run_cli(capsys, "new", "event", "--from", "closure#p1-s1", "--date", "2024-10",
                   "--root", str(project))[0] == 0
    (draft,) = (project / "content/events/2024").glob("*.yaml")
    text = draft.read_text()
    assert "date: 2024-10 " in text and "Its date is that of" not in text
    assert ('    quote: "The Old Bridge will close to traffic on Monday, September 23, the city '
            'council said on Tuesday."\n') in text
