"""`paradetimeline new source FILE`: copy an article into seeds/ under a safe id, read it as
the build will, and write its metadata, saying what the text states and what stays unknown."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..check.phrases import Mentions, scan_article
from ..errors import Diagnostic, Location, UsageError
from ..model import Article
from ..read.articles import parse_article
from ..read.fields import ID_PATTERN
from ..read.yamlfile import forbidden_character
from .event import yaml_text

# A byline naming one of these (or an acronym such as AFP) names an outlet, not a writer.
OUTLET_WORDS = frozenset(
    "Times News Post Press Daily Herald Journal Tribune Gazette Telegraph Guardian Chronicle "
    "Observer Independent Reuters Agency Media Magazine Review Wire Radio TV Television "
    "Network Courier Standard Mail Express Monitor Insider Today Weekly Staff Desk".split())


@dataclass(frozen=True)
class NewSource:
    source_id: str
    seed: Path
    metadata: Path
    article: Article
    mentions: Mentions
    warnings: tuple[Diagnostic, ...]
    publisher: str | None  # offered from the byline


def new_source(root: Path, file: Path, source_id: str | None = None) -> NewSource:
    """Copy `file` to seeds/ID.txt and write content/sources/ID.yaml; refuse a file that is
    not UTF-8 text, an unsafe --id, or an id in use (FileExistsError)."""
    if not file.is_file():
        raise UsageError(f"'{file}' is not a file")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"'{file}' is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start}); save it as UTF-8 and try again") from exc
    found = forbidden_character(text.replace("\r", "").replace("\t", ""))
    if found is not None or not text.strip():
        raise UsageError(f"'{file}' holds {found[1] if found else 'no text'}; a seed is the "
                         "article's plain text")
    source_id = _checked_id(source_id) if source_id is not None else safe_id(file.stem)
    seed = root / "seeds" / f"{source_id}.txt"
    metadata = root / "content" / "sources" / f"{source_id}.yaml"
    for path in (seed, metadata):
        if path.exists():
            raise FileExistsError(path)
    article = parse_article(source_id, text)
    publisher = offered_publisher(article.byline)
    seed.parent.mkdir(parents=True, exist_ok=True)
    metadata.parent.mkdir(parents=True, exist_ok=True)
    seed.write_bytes(data)
    metadata.write_text(metadata_text(article, publisher), encoding="utf-8")
    return NewSource(source_id, seed, metadata, article, scan_article(article),
                     _warnings(article, publisher, f"seeds/{source_id}.txt",
                               f"content/sources/{source_id}.yaml"), publisher)


def safe_id(stem: str) -> str:
    """'Bridge closes (final).txt' -> 'bridge-closes-final': an id `check` accepts."""
    ascii_text = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    found = re.sub(r"[^a-z0-9_-]+", "-", ascii_text.lower()).strip("-_")[:80].rstrip("-_")
    return found or "source"


def _checked_id(source_id: str) -> str:
    if not ID_PATTERN.fullmatch(source_id) or len(source_id) > 100:
        raise UsageError(f"--id '{source_id}' is not an id: lowercase letters, digits, '-' and "
                         f"'_', starting with a letter or digit (such as '{safe_id(source_id)}')")
    return source_id


def offered_publisher(byline: str | None) -> str | None:
    """The byline, when it names an outlet ('The Moscow Times', 'AFP') rather than a writer."""
    if byline is None:
        return None
    words = byline.replace(",", " ").split()
    if byline.startswith("The ") or re.fullmatch(r"[A-Z]{2,6}", byline) or \
            OUTLET_WORDS.intersection(words):
        return byline
    return None


def metadata_text(article: Article, publisher: str | None) -> str:
    """The metadata file: what the text states as comments, the fields it leaves unknown
    as `# unknown:` comments, and a note on each."""
    stated = [("headline", article.headline), ("byline", article.byline),
              ("published", article.published.iso() if article.published else None),
              ("url", article.url)]
    lines = ["# Metadata for the seed of the same name, written by 'paradetimeline new source'.",
             "# What the article's text states wins; a field here fills only what it does not.",
             "# Read from the text:"]
    lines += [f"#   {name + ':':<11}{value}" for name, value in stated if value is not None]
    if all(value is None for _, value in stated):
        lines.append("#   nothing: no headline, byline, date line or link")
    unknown = [name for name, value in stated if value is None and name != "byline"]
    if publisher is None:
        unknown.insert(1, "publisher")
    lines += [f"# unknown: {name}: {UNKNOWN[name]}" for name in unknown]
    notes = []
    if publisher is not None:
        lines.append(f"publisher: {yaml_text(publisher)}   # offered from the byline: check it")
        notes.append(("publisher", "Named in the byline."))
    notes += [(name, NOTES[name]) for name in unknown]
    lines.append("notes:   # say where a field came from, or why it stays unknown")
    lines += [f"  {name}: {yaml_text(note)}" for name, note in notes]
    return "\n".join(lines) + "\n"


UNKNOWN = {
    "headline": "add 'headline: ...' if you know it",
    "publisher": "add 'publisher: ...' (and say in a note where it is named)",
    "published": "add 'published: YYYY-MM-DD'; until then its relative dates ('on Tuesday') "
                 "stay unresolved",
    "url": "add 'url: https://...' to link the original",
}
NOTES = {
    "headline": "The captured text has no headline.",
    "publisher": "The captured text names no publisher.",
    "published": "The captured text states no date.",
    "url": "The captured text has no link to the original.",
}


def _warnings(article: Article, publisher: str | None, seed: str, metadata: str
              ) -> tuple[Diagnostic, ...]:
    """Loud warnings for what a reader of the site will miss: the date, headline, publisher."""
    found = []
    if article.published is None:
        found.append(Diagnostic("warning", Location(seed), "no date line found, so its "
                                "relative dates ('on Tuesday') stay unresolved",
                                f"add 'published: YYYY-MM-DD' to {metadata}"))
    if article.headline is None:
        found.append(Diagnostic("warning", Location(seed), "no headline found",
                                f"add 'headline: ...' to {metadata}, or start the article with "
                                "'# Headline'"))
    if publisher is None:
        found.append(Diagnostic("warning", Location(seed), "the publisher is unknown",
                                f"add 'publisher: ...' to {metadata}"))
    return tuple(found)
