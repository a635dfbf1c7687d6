"""Typed values out of one YAML mapping: text, ids, dates, lists, with every problem
reported where it is (an unknown key, with "did you mean"; a missing field; a wrong type).
The readers in schema.py are made of these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from ..dates import DateError, EventDate, PartialDate, parse_edtf, parse_partial
from ..errors import Diagnostics, Location, did_you_mean
from .yamlfile import Mapping, Node, Scalar, Sequence, describe

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
ID_HINT = "ids use lowercase letters, digits, '-' and '_', and start with a letter or digit"
TRUE_WORDS, FALSE_WORDS = ("true",), ("false",)
YAML11_BOOLEANS = ("yes", "no", "on", "off", "y", "n", "True", "False", "TRUE", "FALSE",
                   "Yes", "No", "YES", "NO", "On", "Off", "ON", "OFF")
QUOTE_HINT = "put text that starts with '[', '{' or '- ', or that contains ': ', in quotes"
T = TypeVar("T")


def is_id(text: str) -> bool:
    """An id is a short slug: safe as a file name and a URL part on every system."""
    return bool(ID_PATTERN.fullmatch(text)) and len(text) <= 100


def id_hint(text: str) -> str:
    """How to fix an invalid id, with a suggestion when one is obvious."""
    if _is_path(text):
        return "an id is a name, not a path; " + ID_HINT
    suggestion = suggested_id(text)
    return f"{ID_HINT}: try '{suggestion}'" if suggestion else ID_HINT


def suggested_id(text: str) -> str | None:
    """The id an invalid one most likely means ('Xi Jinping' -> 'xi-jinping'), if any."""
    if _is_path(text):
        return None
    suggestion = re.sub(r"[^a-z0-9_-]", "", re.sub(r"\s+", "-", text.strip().lower()))
    return suggestion if is_id(suggestion) and suggestion != text else None


def _is_path(text: str) -> bool:
    return any(part in text for part in ("/", "\\", ".."))


class Fields:
    """Reads typed values out of one mapping, reporting problems with their location."""

    def __init__(self, mapping: Mapping, diagnostics: Diagnostics, allowed: tuple[str, ...],
                 hints: dict[str, str] | None = None):
        self.mapping = mapping
        self.diagnostics = diagnostics
        self.where: dict[str, Location] = {}
        self.misspelt: set[str] = set()  # allowed keys that an unknown key was close to
        for key, _ in mapping.items:
            if key.value in allowed:
                continue
            close = did_you_mean(key.value, allowed)
            if close:
                self.misspelt.add(close.split("'")[1])
            hint = (hints or {}).get(key.value) or close or f"allowed keys: {', '.join(allowed)}"
            self.diagnostics.error(key.loc, f"unknown key '{key.value}'", hint)

    def _node(self, key: str, required: bool) -> Node | None:
        """The value of `key`; a missing or blank value is None (an error when required)."""
        node = self.mapping.get(key)
        if node is None:
            if required and key not in self.misspelt:  # the misspelling was reported already
                self.diagnostics.error(self.mapping.loc, f"missing required key '{key}'",
                                       f"add a line '{key}: ...'")
            return None
        if isinstance(node, Scalar) and not node.value.strip():
            if required:
                self.diagnostics.error(node.loc, f"'{key}' is empty", f"give '{key}' a value")
            return None
        self.where[key] = node.loc
        return node

    def _scalar(self, key: str, node: Node, what: str) -> Scalar | None:
        if isinstance(node, Scalar):
            return node
        self.diagnostics.error(node.loc, f"'{key}' must be {what}, not {describe(node)}",
                               QUOTE_HINT if what == "text" else None)
        return None

    def text(self, key: str, required: bool = False) -> str | None:
        node = self._node(key, required)
        scalar = node and self._scalar(key, node, "text")
        return scalar.value.strip() if scalar else None

    def date(self, key: str, required: bool = False) -> EventDate | None:
        return self._convert(key, required, "a date", parse_edtf)

    def partial(self, key: str, required: bool = False) -> PartialDate | None:
        return self._convert(key, required, "a date", parse_partial)

    def _convert(self, key: str, required: bool, what: str,
                 parse: Callable[[str], T]) -> T | None:
        node = self._node(key, required)
        scalar = node and self._scalar(key, node, what)
        if not scalar:
            return None
        try:
            return parse(scalar.value.strip())
        except DateError as exc:
            self.diagnostics.error(scalar.loc, f"'{key}': {exc.message}", exc.hint)
            return None

    def boolean(self, key: str, default: bool = False) -> bool:
        node = self._node(key, False)
        scalar = node and self._scalar(key, node, "true or false")
        if not scalar:
            return default
        if scalar.value in TRUE_WORDS or scalar.value in FALSE_WORDS:
            return scalar.value in TRUE_WORDS
        hint = "write true or false in lowercase"
        if scalar.value in YAML11_BOOLEANS:
            hint += f"; '{scalar.value}' is only a yes/no word in old YAML, so it is not read as one"
        self.diagnostics.error(scalar.loc, f"'{key}' must be true or false, not '{scalar.value}'",
                               hint)
        return default

    def number(self, key: str, low: float, high: float) -> float | None:
        node = self._node(key, False)
        scalar = node and self._scalar(key, node, "a number")
        if not scalar:
            return None
        try:
            value = float(scalar.value)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:
            self.diagnostics.error(scalar.loc,
                                   f"'{key}' must be a number from {low:g} to {high:g}, "
                                   f"not '{scalar.value}'")
            return None
        return value

    def choice(self, key: str, choices: tuple[str, ...], required: bool = False) -> str | None:
        value = self.text(key, required)
        if value is not None and value not in choices:
            self.diagnostics.error(self.where[key], f"'{key}' must be one of "
                                   f"{', '.join(choices)}; not '{value}'",
                                   did_you_mean(value, choices))
            return None
        return value

    def ident(self, key: str, required: bool = False) -> str | None:
        value = self.text(key, required)
        if value is not None and not is_id(value):
            self.diagnostics.error(self.where[key], f"'{value}' is not a valid id", id_hint(value))
            return None
        return value

    def items(self, key: str) -> list[Node]:
        """A list value; a single scalar is read as a list of one."""
        node = self._node(key, False)
        if node is None:
            return []
        if isinstance(node, Sequence):
            return list(node.items)
        if isinstance(node, Scalar):
            return [node]
        self.diagnostics.error(node.loc, f"'{key}' must be a list, not {describe(node)}",
                               f"write '{key}: [a, b]', or one '- item' per line below '{key}:'")
        return []

    def idents(self, key: str) -> tuple[str, ...]:
        """A list of ids; each keeps its location as where['key.N']."""
        values: list[str] = []
        for node in self.items(key):
            if not isinstance(node, Scalar):
                self.diagnostics.error(node.loc, f"'{key}' items must be ids, not {describe(node)}")
            elif not is_id(node.value):
                self.diagnostics.error(node.loc, f"'{node.value}' is not a valid id",
                                       id_hint(node.value))
            elif node.value in values:
                self.diagnostics.error(node.loc, f"'{node.value}' is listed twice in '{key}'",
                                       "remove one of them")
            else:
                self.where[f"{key}.{len(values)}"] = node.loc
                values.append(node.value)
        return tuple(values)

    def mappings(self, key: str, example: str) -> list[Mapping]:
        """A list of mappings; `example` shows one item, for the hint."""
        out = []
        for node in self.items(key):
            if isinstance(node, Mapping):
                out.append(node)
            else:
                self.diagnostics.error(node.loc, f"'{key}' items must be mappings, "
                                       f"not {describe(node)}", f"write each item as {example}")
        return out


# -- one reader per file kind -------------------------------------------------------------
