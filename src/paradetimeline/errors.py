"""Diagnostics: where a problem is, what it is, and how to fix it.

Everything that reads content reports problems into a `Diagnostics` collector instead of
raising, so one run shows every problem. Only the edges (the CLI, `build_site`) decide
whether the collected errors stop the build, by raising `ContentError`.
"""

from __future__ import annotations

import difflib
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning"]


class Location(NamedTuple):
    """A place in a project file: path relative to the root with `/`, 1-based line and column.

    A named tuple rather than a dataclass: the model keeps one for nearly every value it
    read (190,000 at 10,000 events), and a tuple is a third of the memory."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Where(Mapping[str, Location]):
    """Where each field of one record was read: `where["places.1"]` is a Location.

    The model keeps one for every record and citation, and reads it only to report a
    problem. So it holds its keys as one string and the positions as one array of numbers,
    not a dict of tuples: at 10,000 events that is 25 MB less, pickled and in memory."""

    __slots__ = ("_keys", "_paths", "_positions")

    def __init__(self, locations: Mapping[str, Location] | None = None):
        locations = locations or {}
        paths = list(dict.fromkeys(loc.path for loc in locations.values()))
        numbers = array("I")
        for loc in locations.values():
            numbers.extend((paths.index(loc.path), loc.line, loc.column))
        self._keys = "\n".join(locations)
        self._paths = "\n".join(paths)
        self._positions = numbers.tobytes()

    def __getitem__(self, key: str) -> Location:
        keys = self._keys.split("\n")
        if key not in keys:
            raise KeyError(key)
        start = 3 * keys.index(key)
        path, line, column = array("I", self._positions)[start:start + 3]
        return Location(self._paths.split("\n")[path], line, column)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys.split("\n") if self._keys else ())

    def __len__(self) -> int:
        return self._keys.count("\n") + 1 if self._keys else 0

    def __repr__(self) -> str:
        return f"Where({dict(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_where, (self._keys, self._paths, self._positions))

    def parts(self) -> tuple[str, str, str]:
        """What it holds as text (see plain.py): its keys and its paths, each joined by
        newlines, and in hexadecimal the numbers (a path's, a line, a column) of each key
        (read back ten times as fast as a list of numbers)."""
        return self._keys, self._paths, self._positions.hex()

    @staticmethod
    def of_parts(keys: str, paths: str, numbers: str) -> Where:
        """The Where whose `parts` these are."""
        return _where(keys, paths, bytes.fromhex(numbers))


def _where(keys: str, paths: str, positions: bytes) -> Where:
    where = Where.__new__(Where)
    where._keys, where._paths, where._positions = keys, paths, positions
    return where


# Control characters (C0, DEL, C1), the line and paragraph separators, lone surrogates and
# the two noncharacters: none of them may reach a terminal as it is.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with each unprintable character written as an escape: ESC as '\\x1b', a line
    break as '\\n'. Messages quote content, and content is not to be trusted."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return _NAMED.get(match[0]) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    location: Location
    message: str
    hint: str | None = None

    def format(self) -> str:
        """The diagnostic as the terminal shows it; the text it quotes from content cannot
        move the cursor, clear the screen or start a new line."""
        text = f"{printable(str(self.location))}: {self.severity}: {printable(self.message)}"
        if self.hint:
            text += f"\n    hint: {printable(self.hint)}"
        return text

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (
            self.location.path,
            self.location.line,
            self.location.column,
            0 if self.severity == "error" else 1,
            self.message,
        )


@dataclass
class Diagnostics:
    """Collects problems from every stage; the only mutable object the loader passes around."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic("error", location, message, hint))

    def warning(self, location: Location, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic("warning", location, message, hint))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        """Sorted by file, line, column; each problem once even if two stages saw it."""
        unique = {(d.severity, d.location, d.message, d.hint): d for d in self.items}
        return sorted(unique.values(), key=Diagnostic.sort_key)


class ContentError(Exception):
    """The content has errors; carries every diagnostic so the CLI can print them all."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(summary(self.diagnostics, failed=True))


class UsageError(Exception):
    """The command line asked for something impossible (exit 2)."""


class OutputError(Exception):
    """The output could not be written (a folder that cannot be made, a full disk): exit 1,
    with the path and the reason; the previous output is left as it was."""


def summary(diagnostics: list[Diagnostic], *, failed: bool, verb: str = "Build") -> str:
    """One line: 'Build failed: 2 errors, 1 warning in 2 files.'"""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    files = len({d.location.path for d in diagnostics})
    outcome = "failed" if failed else "succeeded"
    return (
        f"{verb} {outcome}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
        f" in {plural(files, 'file')}."
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def did_you_mean(value: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean' hint when one choice is close to `value`, else None."""
    close = difflib.get_close_matches(value, sorted(set(choices)), n=1, cutoff=0.75)
    return f"did you mean '{close[0]}'?" if close else None
