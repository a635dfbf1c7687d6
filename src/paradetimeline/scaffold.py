"""`paradetimeline new event`: write a valid, commented event file at the conventional path."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .dates import DateError, parse_edtf
from .errors import UsageError

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
sources: []
#  - source: 001_0f98aee22f1571cc     # a file stem in seeds/
#    quote: "A sentence copied word for word from the article."
draft: true                 # checked but not published; delete this line to publish
"""


def slugify(text: str) -> str:
    """'Xi Jinping attends the parade!' -> 'xi-jinping-attends-the-parade'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "event"


def yaml_text(text: str) -> str:
    """A single-line YAML scalar that is always read back as this exact text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_event(root: Path, date: str, title: str, status: str = "planned") -> Path:
    """Create the file; refuse a bad date or an existing file. Returns the new path."""
    try:
        parsed = parse_edtf(date)
    except DateError as exc:
        raise UsageError(f"--date: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")) from exc
    if not title.strip() or "\n" in title:
        raise UsageError("--title must be one non-empty line")
    name = f"{parsed.edtf().replace('/', '_').replace('..', 'open')}-{slugify(title)}"
    name = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    path = root / "content" / "events" / str(parsed.year) / f"{name}.yaml"
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE.format(title=yaml_text(title.strip()), date=parsed.edtf(),
                                    status=status), encoding="utf-8")
    return path
