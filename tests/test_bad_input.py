"""The bad-input corpus: projects that must fail (or pass) with exactly these messages.

Each folder in tests/bad_input/ is one case, named after the rule it tests:

    files/        files written over the minimal project (tests/conftest.py MINIMAL_FILES)
    remove.txt    optional: project paths to delete, one a line
    links.txt     optional: 'path -> target' symlinks to create in the project
    outside/      optional: files written next to the project folder, for links to reach
    expected.txt  'exit: N', then the exact stderr of `paradetimeline check --root PROJECT`

A few inputs are too large to commit; GENERATED builds them. After a deliberate change,
`pytest tests/test_bad_input.py --update-golden` rewrites expected.txt; read the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import MINIMAL_FILES, write_project
from hypothesis import given, settings
from hypothesis import strategies as st

from paradetimeline import cli
from paradetimeline.api import check_project
from paradetimeline.errors import ContentError

CORPUS = Path(__file__).parent / "bad_input"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())

GENERATED = {
    "oversized-file": {"content/people.yaml": "# padding\n" * 110_000},
    "oversized-event-file": {"content/events/long-read.yaml": "# padding\n" * 110_000},
}


def make_case(case: Path, make_project) -> Path:  # type: ignore[no-untyped-def]
    """The minimal project with the case's files, removals and symlinks applied."""
    root: Path = make_project(GENERATED.get(case.name, {}))
    if (case / "files").is_dir():
        shutil.copytree(case / "files", root, dirs_exist_ok=True)
    if (case / "outside").is_dir():
        shutil.copytree(case / "outside", root.parent, dirs_exist_ok=True)
    for line in _lines(case / "remove.txt"):
        (root / line).unlink()
    for line in _lines(case / "links.txt"):
        link, target = (part.strip() for part in line.split("->"))
        (root / link).unlink(missing_ok=True)
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        (root / link).symlink_to(target)
    return root


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def run_check(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = cli.main(["check", "--root", str(root)])
    return f"exit: {code}\n" + capsys.readouterr().err


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name: str, make_project, capsys, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    case = CORPUS / name
    actual = run_check(make_case(case, make_project), capsys)
    expected_path = case / "expected.txt"
    if update_golden:
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.is_file(), f"{name}: no expected.txt (run with --update-golden)"
    assert actual == expected_path.read_text(encoding="utf-8")
    assert "Traceback" not in actual and "internal error" not in actual


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_minimal_project_passes(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    """The corpus is only meaningful if the project it starts from is clean."""
    assert run_check(make_project(), capsys) == "exit: 0\n"


YAMLISH = st.text(alphabet=st.sampled_from(list("abtitle:date2015-09/.~?\"'[]{}-#&*!|>\t\n ,é\x00")),
                  max_size=120)


@settings(max_examples=60, deadline=None)
@given(text=YAMLISH)
def test_no_event_text_crashes_check(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    """Whatever an event file holds, check answers with diagnostics, never an internal error."""
    root = tmp_path_factory.mktemp("fuzz")
    write_project(root, {**MINIMAL_FILES, "content/events/parade.yaml": ""})
    (root / "content/events/parade.yaml").write_text(text, encoding="utf-8")
    try:
        check_project(root)
    except ContentError as exc:
        assert all(d.location.path and d.message for d in exc.diagnostics)
