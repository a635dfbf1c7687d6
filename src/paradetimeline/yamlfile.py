"""Read a YAML file into plain nodes that remember their line and column.

No YAML 1.1 guessing: every scalar is text ('NO' stays 'NO', '2015' stays '2015'); the
schema in `records.py` converts it where it expects a date or a number. Duplicate keys,
several documents, empty files, oversized files and alias bombs are reported, not crashed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

import yaml

from .errors import Diagnostics, Location

MAX_BYTES = 1_000_000
MAX_NODES = 20_000  # after alias expansion; a hand-written file is far below this

_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(frozen=True)
class Scalar:
    value: str
    loc: Location
    quoted: bool = False


@dataclass(frozen=True)
class Sequence:
    items: tuple["Node", ...]
    loc: Location


@dataclass(frozen=True)
class Mapping:
    items: tuple[tuple[Scalar, "Node"], ...]
    loc: Location

    def get(self, key: str) -> "Node | None":
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def keys(self) -> list[str]:
        return [k.value for k, _ in self.items]


Node = Union[Scalar, Sequence, Mapping]


def describe(node: Node) -> str:
    """What a node is, in the words of an error message."""
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    return f"'{node.value}'" if node.value else "an empty value"


def read_yaml(path: Path, relpath: str, diagnostics: Diagnostics) -> Mapping | None:
    """Read one file as a mapping, or report why it cannot be and return None."""
    start = Location(relpath, 1, 1)
    size = path.stat().st_size
    if size > MAX_BYTES:
        diagnostics.error(start, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}",
                          "split it into smaller files")
        return None
    text = decode_utf8(path.read_bytes(), relpath, diagnostics)
    if text is None:
        return None
    return parse_yaml(text, relpath, diagnostics)


def decode_utf8(data: bytes, relpath: str, diagnostics: Diagnostics) -> str | None:
    """Decode UTF-8 (a BOM is allowed), reporting the first bad byte's line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        diagnostics.error(Location(relpath, line, column),
                          f"file is not UTF-8 (byte 0x{data[exc.start]:02x})",
                          "save the file as UTF-8")
        return None


def parse_yaml(text: str, relpath: str, diagnostics: Diagnostics) -> Mapping | None:
    start = Location(relpath, 1, 1)
    try:
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        diagnostics.error(*_syntax_error(exc, relpath))
        return None
    except yaml.YAMLError as exc:  # unmarked errors are rare; keep the first line
        diagnostics.error(start, f"YAML error: {str(exc).splitlines()[0]}")
        return None
    documents = [d for d in documents if d is not None]
    if not documents:
        diagnostics.error(start, "file is empty", "an event file needs at least 'title' and 'date'")
        return None
    if len(documents) > 1:
        diagnostics.error(start, f"file holds {len(documents)} YAML documents; expected one",
                          "remove the '---' separators or split the file")
        return None
    budget = [MAX_NODES]
    try:
        root = _convert(documents[0], relpath, budget, diagnostics)
    except _TooLarge:
        diagnostics.error(start, f"file expands to more than {MAX_NODES:,} values",
                          "YAML aliases (*name) multiply content; write the values out")
        return None
    if not isinstance(root, Mapping):
        diagnostics.error(start, f"expected a mapping of keys to values, found {describe(root)}")
        return None
    return root


class _TooLarge(Exception):
    pass


def _loc(relpath: str, node: yaml.Node) -> Location:
    mark = node.start_mark
    return Location(relpath, mark.line + 1, mark.column + 1)


def _convert(node: yaml.Node, relpath: str, budget: list[int], diagnostics: Diagnostics) -> Node:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    loc = _loc(relpath, node)
    if isinstance(node, yaml.ScalarNode):
        return Scalar(node.value, loc, quoted=node.style in ("'", '"', "|", ">"))
    if isinstance(node, yaml.SequenceNode):
        return Sequence(tuple(_convert(n, relpath, budget, diagnostics) for n in node.value), loc)
    items: list[tuple[Scalar, Node]] = []
    seen: dict[str, Location] = {}
    for key_node, value_node in node.value:
        key = _convert(key_node, relpath, budget, diagnostics)
        if not isinstance(key, Scalar):
            diagnostics.error(key.loc, f"a key must be plain text, not {describe(key)}")
            continue
        if key.value in seen:
            first = seen[key.value]
            diagnostics.error(key.loc, f"duplicate key '{key.value}' (first at line {first.line})",
                              "YAML keeps only the last value; remove one of them")
            continue
        seen[key.value] = key.loc
        items.append((key, _convert(value_node, relpath, budget, diagnostics)))
    return Mapping(tuple(items), loc)


def _syntax_error(exc: yaml.MarkedYAMLError, relpath: str) -> tuple[Location, str, str | None]:
    mark = exc.problem_mark or exc.context_mark
    loc = Location(relpath, mark.line + 1, mark.column + 1) if mark else Location(relpath)
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    hint = None
    if "'\\t'" in problem or "\t" in problem:
        problem = "a tab character cannot indent YAML"
        hint = "indent with spaces"
    elif "could not find expected ':'" in problem or "mapping values are not allowed" in problem:
        hint = "check the indentation and that each key ends with ': '"
    elif "found unexpected end of stream" in problem or "found unexpected end" in problem:
        hint = "a quoted string is not closed"
    elif exc.context and "quoted scalar" in exc.context:
        hint = "a quoted string is not closed"
    return loc, f"YAML syntax: {problem}", hint
