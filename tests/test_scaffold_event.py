"""scaffold: `new event` never writes a file that `check` refuses, whatever the title."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from paradetimeline import check_project, cli
from paradetimeline.check.loader import load_timeline
from paradetimeline.errors import UsageError
from paradetimeline.read.yamlfile import forbidden_character
from paradetimeline.scaffold.event import new_event

# Characters that mean something to YAML, or that YAML reads as a break or as whitespace.
YAMLISH = "\"'\\:#-*&!|>%@`{}[],? \t\n\r\x1b\x85\u2028\u2029\ufeff\u00a0é习"
TITLES = st.one_of(st.text(), st.text(alphabet=YAMLISH),
                   st.text(alphabet=st.characters(exclude_categories=())))


def one_line(title: str) -> bool:
    return bool(title.strip()) and not any(char in title for char in "\n\r\u2028\u2029")


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TITLES)
@example(title='Xi says "no": 100% \\o/ # not a comment')
@example(title="- a list item? * a star, & an anchor, ! a tag, | > { [")
@example(title="'single' `tick` @at, ~ null")
@example(title="  习近平 visits Moscow\t")
@example(title="\ufeffa BOM, a\u00a0no-break space and a tab\tinside")
@example(title="x" * 5000)
@example(title="\x1b[2J")
@example(title="one\u2028two")
def test_a_new_event_passes_check_with_exactly_its_title(make_project, title: str) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    try:
        path = new_event(root, "2025-05-09", title)
    except UsageError:
        assert forbidden_character(title) is not None or not one_line(title)
        return
    try:
        check_project(root)
        timeline, _ = load_timeline(root, drafts=True)
        assert [e.title for e in timeline.events if e.id == path.stem] == [title.strip()]
    finally:
        path.unlink()


@pytest.mark.parametrize("title, message", [
    ("\x1b[2J", "--title holds a control character (U+001B); remove it"),
    ("a\x00b", "--title holds a control character (U+0000); remove it"),
    ("a\x85b", "--title holds a control character (U+0085); remove it"),
    ("a\ud800b", "--title holds an invalid character (U+D800); remove it"),
    ("a\uffff", "--title holds an invalid character (U+FFFF); remove it"),
    ("one\ntwo", "--title must be one non-empty line"),
    ("one\u2029two", "--title must be one non-empty line"),
    (" \t ", "--title must be one non-empty line"),
])
def test_a_title_check_would_refuse_is_a_usage_error(make_project, capsys, title: str,  # type: ignore[no-untyped-def]
                                                     message: str) -> None:
    """The message names the character, never echoes it; nothing is written."""
    root = make_project()
    code = cli.main(["new", "event", "--root", str(root), "--date", "2025", "--title", title])
    assert (code, capsys.readouterr().err) == (2, f"paradetimeline: error: {message}\n")
    assert not (root / "content/events/2025").exists()
