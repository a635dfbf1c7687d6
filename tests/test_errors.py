"""errors: how a problem looks to the user, in what order, and the one-line summary."""

from __future__ import annotations

import pickle

import pytest

from paradetimeline import cli
from paradetimeline.errors import (
    ContentError,
    Diagnostic,
    Diagnostics,
    Location,
    Where,
    did_you_mean,
    printable,
    summary,
)


def test_a_diagnostic_prints_like_a_compiler() -> None:
    diagnostic = Diagnostic("error", Location("content/events/x.yaml", 7, 3),
                            "unknown person 'xi-jinpin'", "did you mean 'xi-jinping'?")
    assert diagnostic.format() == ("content/events/x.yaml:7:3: error: unknown person 'xi-jinpin'\n"
                                   "    hint: did you mean 'xi-jinping'?")
    assert Diagnostic("warning", Location("a.yaml"), "hm").format() == "a.yaml:1:1: warning: hm"


def test_a_diagnostic_escapes_control_characters_it_quotes() -> None:
    """A diagnostic is one line: quoted content cannot clear the screen or break the line."""
    diagnostic = Diagnostic("error", Location("content/events/\x1b[2J.yaml", 2, 8),
                            "unknown key 'ti\x1b[2Jtle'", "did you mean\n'title'?\r\t\x85")
    assert diagnostic.format() == (
        "content/events/\\x1b[2J.yaml:2:8: error: unknown key 'ti\\x1b[2Jtle'\n"
        "    hint: did you mean\\n'title'?\\r\\t\\x85")


def test_check_never_prints_a_control_character(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    """Neither from a value (where it is refused) nor from a file name (escaped)."""
    root = make_project({
        "content/events/parade.yaml": 'title: "Xi\\e[2J"\ndate: 2015\nstatus: happened\n',
        "content/events/\x1b[2J.yaml": "title: x\n",
    })
    assert cli.main(["check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert err.splitlines()[:2] == [
        "content/events/\\x1b[2J.yaml:1:1: error: '\\x1b[2J' is not a valid event id (the file "
        "name is the id)",
        "    hint: ids use lowercase letters, digits, '-' and '_', and start with a letter or "
        "digit: try '2j'"]
    assert "content/events/parade.yaml:1:11: error: text holds a control character (U+001B)\n" \
           "    hint: remove it; only tabs and line breaks may appear in text\n" in err


@pytest.mark.parametrize("text, shown", [
    ("\x00\x01\x1f\x7f", "\\x00\\x01\\x1f\\x7f"),
    ("\x80\x9b\x9f", "\\x80\\x9b\\x9f"),
    ("\u2028\u2029\ud800\ufffe\uffff", "\\u2028\\u2029\\ud800\\ufffe\\uffff"),
    ("Xi 习近平, café \\x1b \u00a0 \U0001f600", "Xi 习近平, café \\x1b \u00a0 \U0001f600"),
])
def test_printable_escapes_only_what_a_terminal_would_act_on(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_sorted_by_file_line_column_then_errors_first_and_each_once() -> None:
    d = Diagnostics()
    d.warning(Location("b.yaml", 1, 1), "w")
    d.error(Location("a.yaml", 10, 1), "late")
    d.error(Location("a.yaml", 2, 5), "col 5")
    d.error(Location("a.yaml", 2, 1), "col 1")
    d.warning(Location("a.yaml", 2, 1), "also col 1")
    d.error(Location("a.yaml", 2, 5), "col 5")
    assert [(str(x.location), x.severity, x.message) for x in d.sorted()] == [
        ("a.yaml:2:1", "error", "col 1"),
        ("a.yaml:2:1", "warning", "also col 1"),
        ("a.yaml:2:5", "error", "col 5"),
        ("a.yaml:10:1", "error", "late"),
        ("b.yaml:1:1", "warning", "w"),
    ]
    assert (len(d.errors), len(d.warnings)) == (4, 2)  # sorted() drops the repeat


def test_summary_counts_errors_warnings_and_files() -> None:
    d = Diagnostics()
    d.error(Location("a.yaml"), "x")
    d.error(Location("a.yaml", 2), "y")
    assert summary(d.sorted(), failed=True, verb="Check") == (
        "Check failed: 2 errors, 0 warnings in 1 file.")
    d.warning(Location("b.yaml"), "z")
    assert summary(d.sorted(), failed=True) == "Build failed: 2 errors, 1 warning in 2 files."
    assert summary([], failed=False) == "Build succeeded: 0 errors, 0 warnings in 0 files."


def test_content_error_carries_every_diagnostic() -> None:
    found = [Diagnostic("error", Location("a.yaml"), "x"),
             Diagnostic("warning", Location("b.yaml"), "y")]
    error = ContentError(found)
    assert error.diagnostics == found
    assert str(error) == "Build failed: 1 error, 1 warning in 2 files."


def test_did_you_mean_only_when_close() -> None:
    assert did_you_mean("xi-jinpin", ["putin", "xi-jinping"]) == "did you mean 'xi-jinping'?"
    assert did_you_mean("sorce", ["source", "quote"]) == "did you mean 'source'?"
    assert did_you_mean("colour", ["title", "date"]) is None
    assert did_you_mean("x", []) is None


def test_where_is_a_mapping_of_field_to_location_that_survives_pickling() -> None:
    locations = {"title": Location("content/events/a.yaml", 1, 8),
                 "places.0": Location("content/events/a.yaml", 70000, 123456),
                 "anniversary": Location("content/site.yaml", 4, 3)}
    where = Where(locations)
    assert dict(where) == locations and where == locations
    assert list(where) == ["title", "places.0", "anniversary"] and len(where) == 3
    assert where["places.0"] == Location("content/events/a.yaml", 70000, 123456)
    assert where.get("anniversary") == Location("content/site.yaml", 4, 3)
    assert where.get("tags") is None and "tags" not in where
    with pytest.raises(KeyError):
        where["tags"]
    assert dict(pickle.loads(pickle.dumps(where))) == locations
    assert dict(Where()) == {} and len(Where()) == 0 and Where().get("title") is None
