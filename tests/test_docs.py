"""The README stays true to the code: every command documented, every example valid."""

from __future__ import annotations

import argparse
import re

import pytest
from conftest import REPO, write_project

from paradetimeline import build_site, check_project
from paradetimeline.cli import make_parser

README = (REPO / "README.md").read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_and_option_is_in_the_readme(name):
    assert f"paradetimeline {name}" in README
    for action in subcommands()[name]._actions:
        for option in action.option_strings:
            if option.startswith("--") and action.help != argparse.SUPPRESS:
                assert option in README, f"'{name} {option}' is not documented in README.md"


def test_quick_start_is_exactly_two_commands_and_ci_runs_the_second():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make site", "make test"]
    assert "make test" in (REPO / ".ci/run").read_text()


def readme_examples() -> dict[str, str]:
    found = re.findall(r"<!-- example: (\S+) -->\n```yaml\n(.*?)```", README, re.S)
    return dict(found)


def test_readme_has_one_example_of_each_content_file():
    kinds = {re.sub(r"/[^/]*$", "/", p) if "/sources/" in p or "/events/" in p else p
             for p in readme_examples()}
    assert kinds == {"content/site.yaml", "content/sources/", "content/people.yaml",
                     "content/places.yaml", "content/anniversaries.yaml", "content/coverage.yaml",
                     "content/tags.yaml", "content/events/2015/"}


def test_the_readme_examples_build_a_valid_site(tmp_path):
    root = write_project(tmp_path / "example", {
        **readme_examples(),
        "seeds/001_example.txt": (
            "Xi attended Moscow's Victory Day parade on Saturday marking 70 years since the "
            "end of the war in Europe.\n\nWestern leaders boycotted the Moscow parade over a crisis "
            "that began in 2014.\n"
        ),
    })
    (root / "templates").symlink_to(REPO / "templates")
    assert check_project(root, strict=True) == ()
    build_site(root)
    page = (root / "site/events/2015-05-09-moscow-victory-day-parade.html").read_text()
    assert "70th anniversary" in page
    assert "Xi Jinping" in page
