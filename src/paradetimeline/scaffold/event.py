"""`paradetimeline new event`: write a valid, commented event file at the conventional path."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .dates import DateError, parse_edtf
from .errors import UsageError
from .read.yamlfile import forbidden_character

TEMPLATE = """\
# A new event. The file name is the event's id; keep it lowercase with '-' between words.
# Fields are documented in the README ("content/events/**/*.yaml"). Check it with:
#   paradetimeline check
title: {title}
date: {date:<22}# YYYY, YYYY-MM, YYYY-MM-DD, or an interval START/END ('..' = open)
status: {status:<20}# happened | planned | announced | expected | reported
# commemorates: victory-day-1945   # an id from content/anniversaries.yaml; ordinal is computed
places: []                  # ids from content/places.yaml
people: []                  # ids from content/people.yaml
tags: []                    # e.g. [parade, troops]
summary: >-
  One line for the timeline.
body: |
  Markdown. Raw HTML is removed when the site is built.
sources: []                 # a published event needs at least one, so: replace [] with
#  - source: 001_0f98aee22f1571cc     # a file stem in seeds/
#    quote: "A sentence copied word for word from the article."
draft: true                 # checked but not published; to publish, quote a source, then delete this line
"""


def slugify(text: str) -> str:
    """'Xi Jinping attends the parade!' -> 'xi-jinping-attends-the-parade'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "event"


# What a double-quoted YAML scalar cannot hold as it is: its quote and escape characters,
# and the characters YAML reads as a line break or whitespace to fold.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\u2028": "\\L", "\u2029": "\\P"}


def yaml_text(text: str) -> str:
    """A single-line YAML scalar that is always read back as this exact text."""
    return '"' + "".join(_ESCAPES.get(char, char) for char in text) + '"'


def check_title(title: str) -> str:
    """The title as the event file will hold it, or UsageError if `check` would refuse it."""
    found = forbidden_character(title)
    if found is not None:
        raise UsageError(f"--title holds {found[1]}; remove it")
    title = title.strip()
    if not title or any(char in title for char in "\n\r\u2028\u2029"):
        raise UsageError("--title must be one non-empty line")
    return title


def new_event(root: Path, date: str, title: str, status: str = "planned") -> Path:
    """Create the file; refuse a bad date or an existing file. Returns the new path."""
    try:
        parsed = parse_edtf(date)
    except DateError as exc:
        raise UsageError(f"--date: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")) from exc
    title = check_title(title)
    name = f"{parsed.edtf().replace('/', '_').replace('..', 'open')}-{slugify(title)}"
    name = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    path = root / "content" / "events" / str(parsed.year) / f"{name}.yaml"
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE.format(title=yaml_text(title), date=parsed.edtf(),
                                    status=status), encoding="utf-8")
    return path
