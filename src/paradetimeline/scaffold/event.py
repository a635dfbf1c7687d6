"""`paradetimeline new event`: write a valid, commented draft event at the conventional path,
empty or drafted from one sentence of an article (`--from SOURCE#p4-s1`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..dates import DateError, EventDate, parse_edtf
from ..errors import UsageError
from ..model import Timeline
from ..read.yamlfile import forbidden_character

HEADER = """\
# A new event. The file name is the event's id; keep it lowercase with '-' between words.
# Every field is described in paradetimeline's README ("content/events/**/*.yaml").
# Check it with:  paradetimeline check
"""

FIELDS = """\
title: {title}
date: {date:<22}# YYYY, YYYY-MM, YYYY-MM-DD, or an interval START/END ('..' = open)
# date_note: How the date was found, where no quoted date phrase gives it.
status: {status:<20}# happened | planned | announced | expected | reported
{commemorates}places: {places:<20}# ids from content/places.yaml
people: {people:<20}# ids from content/people.yaml
tags: []                    # ids, e.g. [closure]; declared in content/tags.yaml if it exists
# summary: One line for the timeline.
# body: |
#   Markdown. Raw HTML is removed when the site is built.
"""

NO_SOURCES = """\
sources: []                 # a published event needs at least one, so: replace [] with
#  - source: {source:<24}# a file stem in seeds/
#    quote: "A sentence copied word for word from the article."
draft: true                 # checked but not published; to publish, quote a source, then delete this line
"""

SOURCES = """\
sources:
  - source: {source}
    quote: {quote}
draft: true                 # checked but not published; to publish, check every field, then delete this line
"""


@dataclass(frozen=True)
class Sentence:
    """The sentence an event is drafted from, and what the draft takes from it."""

    source: str
    anchor: str
    text: str
    quote: str  # the text, or the part of it that holds the date phrase and no other
    date: EventDate | None  # its first date phrase that resolves to one date
    phrase: str | None  # that phrase
    other_phrases: tuple[str, ...]  # its other date phrases, resolved ('in May -> 2015-05')
    people: tuple[str, ...]  # the ids of the known people it names
    places: tuple[str, ...]


def new_event(root: Path, date: str | None, title: str | None, status: str = "planned",
              timeline: Timeline | None = None, sentence: Sentence | None = None) -> Path:
    """Create the file; refuse a bad date or an existing file. Returns the new path.
    `timeline` gives the comments the project's own ids; `sentence`, what to draft from."""
    if date is not None:
        try:
            parsed = parse_edtf(date)
        except DateError as exc:
            raise UsageError(f"--date: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")) from exc
    elif sentence is not None and sentence.date is not None:
        parsed = sentence.date
    else:
        raise UsageError(f"{sentence.source}#{sentence.anchor} has no date phrase that resolves to "
                         "one date; give the event's date with --date" if sentence else
                         "--date is needed (or --from SOURCE#ANCHOR, to take the sentence's)")
    if title is None:
        if sentence is None:
            raise UsageError("--title is needed (or --from SOURCE#ANCHOR)")
        title = opening_words(sentence.quote)
    title = check_title(title)
    name = f"{parsed.edtf().replace('/', '_').replace('..', 'open')}-{slugify(title)}"
    name = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    path = root / "content" / "events" / str(parsed.year) / f"{name}.yaml"
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(event_text(title, parsed, status, timeline, sentence), encoding="utf-8")
    return path


def event_text(title: str, date: EventDate, status: str, timeline: Timeline | None,
               sentence: Sentence | None) -> str:
    anniversaries = sorted(timeline.anniversaries) if timeline else []
    commemorates = (f"# commemorates: {anniversaries[0]}   # an id from content/anniversaries.yaml "
                    f"({', '.join(anniversaries[:5])}{', ...' if len(anniversaries) > 5 else ''}); "
                    "the ordinal is computed\n") if anniversaries else ""
    fields = FIELDS.format(
        title=yaml_text(title), date=date.edtf(), status=status, commemorates=commemorates,
        places=_list(sentence.places if sentence else ()),
        people=_list(sentence.people if sentence else ()))
    if sentence is None:
        known = sorted(timeline.sources) if timeline else []
        return HEADER + fields + NO_SOURCES.format(source=known[0] if known else "SEED-ID")
    said = [f"# Drafted from {sentence.source}, {sentence.anchor}, by 'new event --from':",
            f"#   {sentence.text}"]
    if sentence.phrase is not None and sentence.date == date:
        said.append(f"# Its date is that of \"{sentence.phrase}\", resolved against the "
                    "article's date.")
    if sentence.other_phrases:
        said.append("# Other date phrases in it: " + "; ".join(sentence.other_phrases) + ".")
    if sentence.quote != sentence.text:
        said.append("# The quote leaves out the part of the sentence that dates something else.")
    said.append("# Its people and places are those the sentence names; title and status are "
                "yours to write.")
    return (HEADER + "\n".join(said) + "\n" + fields
            + SOURCES.format(source=sentence.source, quote=yaml_text(sentence.quote)))


def _list(ids: tuple[str, ...]) -> str:
    return f"[{', '.join(ids)}]"


def opening_words(text: str, limit: int = 80) -> str:
    """A draft's title from its sentence: the sentence, or its first words up to `limit`
    characters with an ellipsis, without the closing stop."""
    text = text.rstrip(" .")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


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
