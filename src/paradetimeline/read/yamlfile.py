"""Read a YAML file into plain nodes that remember their line and column.

No YAML 1.1 guessing: every scalar is text ('NO' stays 'NO', '2015' stays '2015'); the
schema in `read/schema.py` converts it where it expects a date or a number. Duplicate keys,
several documents, empty files, oversized files, alias bombs, values nested too deep and
characters no page may hold are reported, not crashed on.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import Diagnostics, Location
from .yamlerrors import syntax_error

MAX_BYTES = 1_000_000
MAX_NODES = 20_000  # after alias expansion; a hand-written file is far below this
MAX_DEPTH = 100  # an event nests three levels deep; far deeper, Python's stack gives out

# What no page, feed or calendar can hold: the C0 and C1 controls but tab, line feed and
# carriage return; lone surrogates; the two noncharacters XML forbids. The YAML reader
# refuses them raw, but a double-quoted escape ("\e", "\x01", "\ud800") writes them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
CHARACTER_HINT = "remove it; only tabs and line breaks may appear in text"

_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(frozen=True)
class Scalar:
    value: str
    loc: Location
    quoted: bool = False


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]
    loc: Location


@dataclass(frozen=True)
class Mapping:
    items: tuple[tuple[Scalar, Node], ...]
    loc: Location

    def get(self, key: str) -> Node | None:
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def keys(self) -> list[str]:
        return [k.value for k, _ in self.items]


Node = Scalar | Sequence | Mapping


def describe(node: Node) -> str:
    """What a node is, in the words of an error message."""
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    return f"'{node.value}'" if node.value else "an empty value"


def forbidden_character(text: str) -> tuple[int, str] | None:
    """(index, description) of the first character of `text` that no output may hold."""
    match = _FORBIDDEN.search(text)
    if match is None:
        return None
    char = match[0]
    what = "a control character" if unicodedata.category(char) == "Cc" else "an invalid character"
    return match.start(), f"{what} (U+{ord(char):04X})"


def read_yaml(path: Path, relpath: str, diagnostics: Diagnostics, *,
              empty_hint: str | None = None) -> Mapping | None:
    """Read one file as a mapping, or report why it cannot be and return None.

    `empty_hint` says what the file should hold, for the 'file is empty' message.
    """
    data = read_bytes(path, relpath, diagnostics, MAX_BYTES)
    text = None if data is None else decode_utf8(data, relpath, diagnostics)
    if text is None:
        return None
    return parse_yaml(text, relpath, diagnostics, empty_hint=empty_hint)


def read_bytes(path: Path, relpath: str, diagnostics: Diagnostics, limit: int) -> bytes | None:
    """A file's bytes, or None after reporting why they cannot be read (size, permissions)."""
    start = Location(relpath, 1, 1)
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError as exc:
        diagnostics.error(start, f"cannot read file: {exc.strerror or exc}")
        return None
    try:  # os calls, not open(): a third of the system calls, and 10,000 files add up
        size = os.fstat(descriptor).st_size
        if size > limit:
            diagnostics.error(start, f"file is {size:,} bytes; the limit is {limit:,}",
                              "split it into smaller files")
            return None
        data = os.read(descriptor, size + 1)
        if len(data) <= size:
            return data  # the whole file, in one read
        chunks = [data]  # it grew since fstat: read on to its end
        while chunk := os.read(descriptor, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        diagnostics.error(start, f"cannot read file: {exc.strerror or exc}")
        return None
    finally:
        os.close(descriptor)


def decode_utf8(data: bytes, relpath: str, diagnostics: Diagnostics) -> str | None:
    """Decode UTF-8 (a BOM is allowed), reporting the first bad byte's line and column.

    Text holding a control character is refused too, at its line and column: YAML files
    and seeds alike are read here, and neither may pass one on to a page."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        diagnostics.error(Location(relpath, line, column),
                          f"file is not UTF-8 (byte 0x{data[exc.start]:02x})",
                          "save the file as UTF-8")
        return None
    found = forbidden_character(text)
    if found is not None:
        diagnostics.error(_location(relpath, text, found[0]), f"text holds {found[1]}",
                          CHARACTER_HINT)
        return None
    return text


def _location(relpath: str, text: str, index: int) -> Location:
    """Where `text[index]` is: its line and column, counted from 1."""
    line_start = text.rfind("\n", 0, index) + 1
    return Location(relpath, text.count("\n", 0, index) + 1, index - line_start + 1)


def parse_yaml(text: str, relpath: str, diagnostics: Diagnostics, *,
               empty_hint: str | None = None) -> Mapping | None:
    """Parse YAML text into located nodes; report every reason it is not one mapping."""
    start = Location(relpath, 1, 1)
    try:
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except RecursionError:  # PyYAML's own composer recurses once per level
        diagnostics.error(_too_deep(text, relpath) or start, *DEPTH_ERROR)
        return None
    except yaml.MarkedYAMLError as exc:
        deep = _too_deep(text, relpath) if "nesting depth" in str(exc.problem) else None
        if deep is not None:  # libyaml stops at 1,000 levels, and says no more
            diagnostics.error(deep, *DEPTH_ERROR)
        else:
            diagnostics.error(*syntax_error(exc, text, relpath))
        return None
    except yaml.YAMLError as exc:  # unmarked errors are rare; keep the first line
        diagnostics.error(start, f"YAML syntax: {str(exc).splitlines()[0]}")
        return None
    documents = [d for d in documents if d is not None]
    if not documents:
        what = "file is empty" if not _has_comments(text) else "file holds only comments"
        diagnostics.error(start, what, empty_hint)
        return None
    if len(documents) > 1:
        diagnostics.error(start, f"file holds {len(documents)} YAML documents; expected one",
                          "remove the '---' separators or split the file")
        return None
    try:
        root = _Converter(text, relpath, diagnostics).node(documents[0])
    except _TooLarge:
        diagnostics.error(start, f"file expands to more than {MAX_NODES:,} values",
                          "YAML aliases (*name) multiply content; write the values out")
        return None
    except _TooDeep as exc:
        diagnostics.error(exc.loc, *DEPTH_ERROR)
        return None
    if not isinstance(root, Mapping):
        hint = ("write 'key: value' lines, without a leading '- '" if isinstance(root, Sequence)
                else "write 'key: value' lines")
        diagnostics.error(start, f"expected a mapping of keys to values, found {describe(root)}",
                          hint)
        return None
    return root


def _has_comments(text: str) -> bool:
    return any(line.lstrip().startswith("#") for line in text.splitlines())


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    def __init__(self, loc: Location):
        self.loc = loc


DEPTH_ERROR = (f"values nest more than {MAX_DEPTH} levels deep",
               "write the values out flat; no field needs more than a few levels")


class _Converter:
    """PyYAML's nodes -> located nodes, for one file: counts the values (aliases multiply
    them) and the levels, and reports the characters no output may hold."""

    def __init__(self, text: str, relpath: str, diagnostics: Diagnostics):
        self.text = text
        self.relpath = relpath
        self.diagnostics = diagnostics
        self.budget = MAX_NODES

    def node(self, node: yaml.Node, depth: int = 0) -> Node:
        self.budget -= 1
        if self.budget < 0:
            raise _TooLarge
        loc = self.loc(node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, loc)
        if depth == MAX_DEPTH:
            raise _TooDeep(loc)
        if isinstance(node, yaml.SequenceNode):
            return Sequence(tuple(self.node(n, depth + 1) for n in node.value), loc)
        assert isinstance(node, yaml.MappingNode)
        return self.mapping(node, loc, depth)

    def scalar(self, node: yaml.ScalarNode, loc: Location) -> Scalar:
        value = node.value
        # Only an escape writes a forbidden character: the reader refuses them raw.
        if node.style == '"' and (found := forbidden_character(value)) is not None:
            self.diagnostics.error(self.escape_loc(node), f"text holds {found[1]}",
                                   CHARACTER_HINT)
            value = _FORBIDDEN.sub("\ufffd", value)
        return Scalar(value, loc, quoted=node.style in ("'", '"', "|", ">"))

    def mapping(self, node: yaml.MappingNode, loc: Location, depth: int) -> Mapping:
        items: list[tuple[Scalar, Node]] = []
        seen: dict[str, Location] = {}
        for key_node, value_node in node.value:
            key = self.node(key_node, depth + 1)
            if not isinstance(key, Scalar):
                self.diagnostics.error(key.loc, f"a key must be plain text, not {describe(key)}")
                continue
            if key.value in seen:
                first = seen[key.value]
                self.diagnostics.error(key.loc, f"duplicate key '{key.value}' (first at line "
                                       f"{first.line})",
                                       "YAML keeps only the last value; remove one of them")
                continue
            seen[key.value] = key.loc
            items.append((key, self.node(value_node, depth + 1)))
        return Mapping(tuple(items), loc)

    def loc(self, mark: yaml.Mark) -> Location:
        return Location(self.relpath, mark.line + 1, mark.column + 1)

    def escape_loc(self, node: yaml.ScalarNode) -> Location:
        """Where, in a double-quoted scalar, the first escape that writes a forbidden
        character is (the scalar's start if none is found)."""
        start = node.start_mark.index
        for match in _ESCAPE.finditer(self.text, start, node.end_mark.index):
            if _FORBIDDEN.match(_unescape(match[1])):
                return _location(self.relpath, self.text, match.start())
        return self.loc(node.start_mark)


_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
# The one-letter escapes that write a forbidden character.
_NAMED_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "v": "\v", "f": "\f", "e": "\x1b", "N": "\x85"}


def _unescape(escape: str) -> str:
    """The character a YAML escape (without its backslash) writes; '' for one it cannot."""
    if len(escape) == 1:
        return _NAMED_ESCAPES.get(escape, "")
    code = int(escape[1:], 16)
    return chr(code) if code <= 0x10FFFF else ""


def _too_deep(text: str, relpath: str) -> Location | None:
    """Where values first nest more than MAX_DEPTH levels deep, if they do.

    Read from the pure-Python parser's events: it keeps its own stack, so it does not
    recurse as composers do, and it has no limit of its own, as libyaml has."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.BaseLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                mark = event.start_mark
                if depth > MAX_DEPTH and mark is not None:
                    return Location(relpath, mark.line + 1, mark.column + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return None
