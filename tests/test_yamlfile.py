"""yamlfile: plain text scalars with locations, and one clear error per unreadable file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from paradetimeline.errors import Diagnostics, Location
from paradetimeline.read import yamlfile
from paradetimeline.read.yamlfile import MAX_BYTES, Mapping, Scalar, Sequence, parse_yaml, read_yaml


def parse(text: str) -> tuple[Mapping | None, list[str]]:
    diagnostics = Diagnostics()
    root = parse_yaml(text, "f.yaml", diagnostics, empty_hint="say something")
    return root, [d.format() for d in diagnostics.sorted()]


def test_every_scalar_is_text_with_its_location() -> None:
    root, errors = parse("title: NO\ndate: 2015-05-09\nyear: 2015\ndraft: yes\nlist: [a, 'b']\n")
    assert errors == [] and root is not None
    assert [(k, v.value) for k, v in ((k, root.get(k)) for k in root.keys())  # noqa: SIM118 - Mapping is not a dict
            if isinstance(v, Scalar)] == [("title", "NO"), ("date", "2015-05-09"),
                                           ("year", "2015"), ("draft", "yes")]
    items = root.get("list")
    assert isinstance(items, Sequence)
    assert [(i.value, i.loc, i.quoted) for i in items.items if isinstance(i, Scalar)] == [
        ("a", Location("f.yaml", 5, 8), False), ("b", Location("f.yaml", 5, 11), True)]


def test_columns_count_characters_not_bytes() -> None:
    root, _ = parse("习近平: 习近平\nzh: x\n")
    assert root is not None
    assert root.get("zh").loc == Location("f.yaml", 2, 5)  # type: ignore[union-attr]
    assert root.items[0][1].loc == Location("f.yaml", 1, 6)
    _, errors = parse("习近平: 习近平 [x\nzh: 'x\n")
    assert errors[0].startswith("f.yaml:2:5: error: YAML syntax: the quoted text")


@pytest.mark.parametrize("text, expected", [
    ("", ["f.yaml:1:1: error: file is empty\n    hint: say something"]),
    ("# only\n  # comments\n", ["f.yaml:1:1: error: file holds only comments\n"
                                "    hint: say something"]),
    ("a: 1\n---\na: 2\n", ["f.yaml:1:1: error: file holds 2 YAML documents; expected one\n"
                           "    hint: remove the '---' separators or split the file"]),
    ("- a\n- b\n", ["f.yaml:1:1: error: expected a mapping of keys to values, found a list\n"
                    "    hint: write 'key: value' lines, without a leading '- '"]),
    ("just text\n", ["f.yaml:1:1: error: expected a mapping of keys to values, found "
                     "'just text'\n    hint: write 'key: value' lines"]),
    ("a: 1\nb: 2\na: 3\n", ["f.yaml:3:1: error: duplicate key 'a' (first at line 1)\n"
                            "    hint: YAML keeps only the last value; remove one of them"]),
    ("a:\n  b: 1\n  b: 2\n", ["f.yaml:3:3: error: duplicate key 'b' (first at line 2)\n"
                              "    hint: YAML keeps only the last value; remove one of them"]),
    ("? [a]\n: 1\n", ["f.yaml:1:3: error: a key must be plain text, not a list"]),
])
def test_files_that_are_not_one_mapping(text: str, expected: list[str]) -> None:
    assert parse(text)[1] == expected


@pytest.mark.parametrize("text, expected", [
    ("a: 1\n\tb: 2\n", "f.yaml:2:1: error: YAML syntax: a tab character cannot indent YAML\n"
                       "    hint: indent with spaces"),
    ("a: 'open\nb: 2\n", "f.yaml:1:4: error: YAML syntax: the quoted text that starts here is "
                         "never closed\n    hint: end it with a matching quote mark (')"),
    ('a: "open\nb: 2\nc: "x"\n', "f.yaml:1:4: error: YAML syntax: the quoted text that starts "
                                 "here is not closed on its line\n"
                                 "    hint: end it with a matching quote mark (\")"),
    ("a: [x, y\nb: 2\n", "f.yaml:1:4: error: YAML syntax: the '[' that starts here is not "
                         "closed\n    hint: end it with ']' on the same line, or put text that "
                         "starts with '[' in quotes"),
    ("a: Note: x\n", "f.yaml:1:8: error: YAML syntax: unexpected ':'\n"
                     "    hint: put a value that contains ': ' in quotes"),
    ("a: x\n  b: y\n", "f.yaml:2:4: error: YAML syntax: unexpected ':' (this line is indented "
                       "more than the line above)\n"
                       "    hint: keys of one mapping start in the same column"),
    ("a: *x\n", "f.yaml:1:4: error: YAML syntax: text that starts with '*' is read as a YAML "
                "alias\n    hint: put text that starts with '*' in quotes"),
    ("a: 1\n- b\n", "f.yaml:2:1: error: YAML syntax: a list item where a key was expected\n"
                    "    hint: indent list items under their key"),
])
def test_syntax_errors_are_one_located_sentence(text: str, expected: str) -> None:
    assert parse(text)[1] == [expected]


def test_a_multi_line_quote_that_is_closed_is_fine() -> None:
    root, errors = parse('a: "one\n  two"\nb: 2\n')
    assert errors == [] and root is not None
    assert root.get("a") == Scalar("one two", Location("f.yaml", 1, 4), quoted=True)


def test_an_alias_bomb_is_refused_fast() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for n in range(1, 10):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 10)}]")
    root, errors = parse("\n".join(lines) + "\n")
    assert root is None
    assert errors == ["f.yaml:1:1: error: file expands to more than 20,000 values\n"
                      "    hint: YAML aliases (*name) multiply content; write the values out"]


def test_small_aliases_are_allowed() -> None:
    root, errors = parse("a: &x [p, q]\nb: *x\n")
    assert errors == [] and isinstance(root.get("b"), Sequence)  # type: ignore[union-attr]


def test_an_oversized_file_is_not_even_decoded(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"\xff" * (MAX_BYTES + 1))
    diagnostics = Diagnostics()
    assert read_yaml(path, "big.yaml", diagnostics) is None
    assert [d.format() for d in diagnostics.items] == [
        "big.yaml:1:1: error: file is 1,000,001 bytes; the limit is 1,000,000\n"
        "    hint: split it into smaller files"]


@pytest.mark.parametrize("data, where", [
    (b"a: 1\nb: caf\xe9\n", "f.yaml:2:7: error: file is not UTF-8 (byte 0xe9)"),
    ("a: 习近平\nb: ".encode() + b"\xff\n", "f.yaml:2:4: error: file is not UTF-8 (byte 0xff)"),
    ("習: ".encode() + b"x\x80", "f.yaml:1:5: error: file is not UTF-8 (byte 0x80)"),
])
def test_non_utf8_is_reported_at_the_bad_byte(tmp_path: Path, data: bytes, where: str) -> None:
    """Columns count characters, as editors do, not bytes."""
    path = tmp_path / "f.yaml"
    path.write_bytes(data)
    diagnostics = Diagnostics()
    assert read_yaml(path, "f.yaml", diagnostics) is None
    assert [d.format() for d in diagnostics.items] == [
        where + "\n    hint: save the file as UTF-8"]


def test_a_utf8_bom_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes("\ufefftitle: x\n".encode())
    root = read_yaml(path, "f.yaml", Diagnostics())
    assert root is not None and root.keys() == ["title"]


def test_an_unreadable_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    diagnostics = Diagnostics()
    assert read_yaml(tmp_path / "dir.yaml", "dir.yaml", diagnostics) is None
    assert [d.format() for d in diagnostics.items] == [
        "dir.yaml:1:1: error: cannot read file: Is a directory"]


HINT = "    hint: remove it; only tabs and line breaks may appear in text"


@pytest.mark.parametrize("text, expected", [
    ('title: "Xi\\x01"\n', "f.yaml:1:11: error: text holds a control character (U+0001)"),
    ('title: "\\e[2J"\n', "f.yaml:1:9: error: text holds a control character (U+001B)"),
    ('title: "a\\0"\n', "f.yaml:1:10: error: text holds a control character (U+0000)"),
    ('title: "\\N \\x9b"\n', "f.yaml:1:9: error: text holds a control character (U+0085)"),
    ('title: "\\x7f"\n', "f.yaml:1:9: error: text holds a control character (U+007F)"),
    ('title: "\\ufffe"\n', "f.yaml:1:9: error: text holds an invalid character (U+FFFE)"),
    ('title: "\\uFFFF"\n', "f.yaml:1:9: error: text holds an invalid character (U+FFFF)"),
    ('title: "习近平 \\\\x01 \\\\\\b"\n', "f.yaml:1:21: error: text holds a control character (U+0008)"),
    ('a:\n  - "one\n    two \\v"\n', "f.yaml:3:9: error: text holds a control character (U+000B)"),
    ('"ti\\x1btle": x\n', "f.yaml:1:4: error: text holds a control character (U+001B)"),
])
def test_a_control_character_written_as_an_escape_is_refused_at_the_escape(
        text: str, expected: str) -> None:
    """Every value and key of every file: an escape is the only way YAML lets one in."""
    root, errors = parse(text)
    assert errors == [expected + "\n" + HINT]
    value = root.items[0][0] if text.startswith('"') else root.items[0][1]  # type: ignore[union-attr]
    assert "\ufffd" in str(value)  # nothing after the check sees the character itself


def test_a_lone_surrogate_is_refused_by_either_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml refuses "\\ud800" as a bad escape; PyYAML's own loader lets it through."""
    assert parse('title: "x\\ud800"\n')[1] == [
        "f.yaml:1:10: error: YAML syntax: invalid escape sequence in double-quoted text\n"
        "    hint: write a backslash as '\\\\', or put the text in single quotes"]
    monkeypatch.setattr(yamlfile, "_Loader", yaml.BaseLoader)
    assert parse('title: "x\\ud800"\n')[1] == [
        "f.yaml:1:10: error: text holds an invalid character (U+D800)\n" + HINT]


def test_tabs_and_line_breaks_stay_allowed() -> None:
    root, errors = parse('a: "x\\ty\\nz\\r"\nb: "\\x09\\u00e9\\L"\nc: |\n  one\ttwo\n')
    assert errors == [] and root is not None
    assert [v.value for _, v in root.items] == ["x\ty\nz\r", "\t\u00e9\u2028", "one\ttwo\n"]


@pytest.mark.parametrize("data, where", [
    (b"title: x\nsummary: a\x1b[2Jb\n", "f.yaml:2:11: error: text holds a control character (U+001B)"),
    ("a: 习\x85\n".encode(), "f.yaml:1:5: error: text holds a control character (U+0085)"),
    ("a: 1\n# \ufffe\n".encode(), "f.yaml:2:3: error: text holds an invalid character (U+FFFE)"),
])
def test_a_raw_control_character_is_reported_where_it_is(tmp_path: Path, data: bytes,
                                                          where: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(data)
    diagnostics = Diagnostics()
    assert read_yaml(path, "f.yaml", diagnostics) is None
    assert [d.format() for d in diagnostics.items] == [where + "\n" + HINT]


DEEP = "f.yaml:{}: error: values nest more than 100 levels deep\n" \
       "    hint: write the values out flat; no field needs more than a few levels"


def test_values_may_nest_a_hundred_levels_deep() -> None:
    root, errors = parse("a: " + "[" * 99 + "]" * 99 + "\n")
    assert errors == [] and root is not None


@pytest.mark.parametrize("levels", [101, 999, 100_000])
@pytest.mark.parametrize("loader", ["C", "Python"])
def test_values_nested_deeper_are_refused_where_the_limit_is_crossed(
        monkeypatch: pytest.MonkeyPatch, levels: int, loader: str) -> None:
    """Python's stack, PyYAML's composer and libyaml's own limit are never reached."""
    if loader == "Python":
        monkeypatch.setattr(yamlfile, "_Loader", yaml.BaseLoader)
    flow = "a: " + "[" * levels + "]" * levels + "\n"
    assert parse(flow) == (None, [DEEP.format("1:103")])
    mappings = "a: " + "{b: " * levels + "c" + "}" * levels + "\n"
    assert parse(mappings) == (None, [DEEP.format("1:400")])
    sequences = "a:\n" + "- " * levels + "x\n"
    assert parse(sequences) == (None, [DEEP.format("2:199")])


def test_values_nested_in_blocks_are_refused_too() -> None:
    text = "".join(" " * i + "k:\n" for i in range(120)) + " " * 120 + "v\n"
    assert parse(text) == (None, [DEEP.format("101:101")])


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    assert parse("a: &a [*a]\n") == (None, [DEEP.format("1:4")])
