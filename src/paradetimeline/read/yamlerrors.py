"""A YAML syntax error, explained: PyYAML's multi-line report turned into one located
sentence and a hint that says what to do (an unclosed quote, a tab, a colon in a value).
"""

from __future__ import annotations

import yaml

from ..errors import Location


def syntax_error(exc: yaml.MarkedYAMLError, text: str,
                  relpath: str) -> tuple[Location, str, str | None]:
    """PyYAML's multi-line report -> one located sentence and a hint that says what to do."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line, mark.column) if mark else (0, 0)
    context = exc.context or ""
    problem = (exc.problem or context or "invalid YAML").strip().splitlines()[0]
    here = _char_at(text, line, column)

    def at(found: yaml.Mark | None, message: str, hint: str | None) -> tuple[Location, str, str | None]:
        spot = found or mark
        loc = Location(relpath, spot.line + 1, spot.column + 1) if spot else Location(relpath)
        return loc, f"YAML syntax: {message}", hint

    if here == "\t" or "tab" in problem:
        tab = _tab_on_line(text, line)
        return (Location(relpath, line + 1, tab + 1), "YAML syntax: a tab character cannot "
                "indent YAML", "indent with spaces")
    if "escape" in problem or "hexdecimal" in problem or "hexadecimal" in problem:
        return (Location(relpath, line + 1, _backslash_before(text, line, column) + 1),
                "YAML syntax: invalid escape sequence in double-quoted text",
                "write a backslash as '\\\\', or put the text in single quotes")
    if "quoted scalar" in context:
        return at(exc.context_mark, "the quoted text that starts here is never closed",
                  _close_hint(text, exc.context_mark))
    if "flow sequence" in context or "flow mapping" in context:
        opener = "[" if "sequence" in context else "{"
        closer = "]" if opener == "[" else "}"
        return at(exc.context_mark, f"the '{opener}' that starts here is not closed",
                  f"end it with '{closer}' on the same line, or put text that starts with "
                  f"'{opener}' in quotes")
    if "mapping values are not allowed" in problem:
        if _indented_more(text, line):
            return at(None, "unexpected ':' (this line is indented more than the line above)",
                      "keys of one mapping start in the same column")
        return at(None, "unexpected ':'", "put a value that contains ': ' in quotes")
    if "alias" in problem or "alias" in context or "anchor" in context:
        sign = "&" if "anchor" in context else "*"
        return at(exc.context_mark if context else None,
                  f"text that starts with '{sign}' is read as a YAML "
                  f"{'anchor' if sign == '&' else 'alias'}",
                  f"put text that starts with '{sign}' in quotes")
    if "expected key" in problem or "block end" in problem:
        opened = _runaway_quote(text, line)
        if opened is not None:
            return at(opened, "the quoted text that starts here is not closed on its line",
                      _close_hint(text, opened))
        if here == "-":
            return at(None, "a list item where a key was expected",
                      "indent list items under their key")
        return at(None, "this line does not fit the indentation above",
                  "keys of one mapping start in the same column; check the lines above")
    return at(None, problem, None)


def _close_hint(text: str, mark: yaml.Mark | None) -> str:
    quote = _char_at(text, mark.line, mark.column) if mark else ""
    return f"end it with a matching quote mark ({quote})" if quote else "close the quote"


def _backslash_before(text: str, line: int, column: int) -> int:
    """The column of the backslash that starts the escape at or before `column`."""
    lines = text.split("\n")
    found = lines[line].rfind("\\", 0, column + 1) if 0 <= line < len(lines) else -1
    return column if found < 0 else found


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _indented_more(text: str, line: int) -> bool:
    """Whether a line's key starts right of the previous line's key ('- ' counts as indent)."""
    lines = [t for t in text.split("\n")[: line + 1] if t.strip() and not t.lstrip().startswith("#")]
    if len(lines) < 2:
        return False
    column = [len(t) - len(t.lstrip(" -")) for t in lines[-2:]]
    return column[1] > column[0]


def _tab_on_line(text: str, line: int) -> int:
    lines = text.split("\n")
    return max(lines[line].find("\t"), 0) if 0 <= line < len(lines) else 0


def _runaway_quote(text: str, error_line: int) -> yaml.Mark | None:
    """The start of a quoted value that runs on over lines up to the error, if any.

    A quote left open swallows the lines below it until the next quote mark, and the parser
    only notices further down; pointing at the opening quote is what helps.
    """
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.BaseLoader):
            if token.start_mark.line > error_line:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                last = token
    except yaml.YAMLError:
        pass
    if last and last.start_mark.line < last.end_mark.line == error_line:
        mark: yaml.Mark = last.start_mark
        return mark
    return None
