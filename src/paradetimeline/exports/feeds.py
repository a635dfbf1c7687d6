"""feed.xml (Atom, RFC 4287), sitemap.xml and robots.txt.

Atom ids and links and sitemap locations must be absolute URLs, so the first two exist only
when the site has a base URL (site.yaml `base_url` or `--base-url`); without one they are
not emitted at all rather than emitted wrong. Their timestamps are the content timestamp
(see stamps.py), never the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import partial

from ..model import Event, Timeline
from ..render.filedata import Blocks, utf8_join
from .pieces import KeptPieces, Piece
from .stamps import rfc3339

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NOT_IN_SITEMAP = ("404.html",)  # and the embeds (embed.html, embed/<year>.html): noindex


def escape(text: str) -> str:
    """XML character data, as xml.sax.saxutils.escape makes it. (That module imports
    urllib.request, and with it http.client and email, on every build.)"""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """An XML attribute value with its quotes, as xml.sax.saxutils.quoteattr makes it."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


def atom_feed(timeline: Timeline, base: str, stamp: dt.datetime,
              store: KeptPieces | None = None) -> Blocks:
    """One entry per published event, latest first; every `updated` is the content stamp."""
    return (store or KeptPieces()).assemble("feed.xml", _feed_parts(timeline, base, stamp))


def _feed_parts(timeline: Timeline, base: str, stamp: dt.datetime) -> Iterator[str | Piece]:
    config, updated = timeline.config, rfc3339(stamp)
    yield _lines(
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang={quoteattr(config.language)}>',
        f"  <id>{escape(base)}</id>",
        f"  <title>{escape(config.title)}</title>",
        f"  <subtitle>{escape(config.description)}</subtitle>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(base + "feed.xml")}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(base + "index.html")}/>',
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(config.title)}</name></author>",
        "  <generator>paradetimeline</generator>",
    )
    if config.license:
        yield _lines(f"  <rights>{escape(config.license)}</rights>")
    for event in reversed(timeline.events):
        yield Piece(event.id, partial(_entry, event, base, updated))
    yield _lines("</feed>")


def _entry(event: Event, base: str, updated: str) -> str:
    url = f"{base}events/{event.id}.html"
    summary = f"{event.date.display()} ({event.status}). {event.summary or ''}".rstrip()
    return _lines(
        "  <entry>",
        f"    <id>{escape(url)}</id>",
        f"    <title>{escape(event.title)}</title>",
        f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
        f"    <updated>{updated}</updated>",
        f"    <summary>{escape(summary)}</summary>",
        *(f"    <category term={quoteattr(tag)}/>" for tag in event.tags),
        "  </entry>",
    )


def _lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


def sitemap_xml(base: str, pages: Iterable[str], stamp: dt.datetime) -> bytes:
    """Every HTML page but the 404 page and the embeds, in the order given, with the
    content date."""
    lastmod = stamp.astimezone(dt.UTC).date().isoformat()
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for path in pages:
        if path.endswith(".html") and path not in NOT_IN_SITEMAP and not path.startswith("embed"):
            lines.append(f"  <url><loc>{escape(base + path)}</loc>"
                         f"<lastmod>{lastmod}</lastmod></url>")
    lines.append("</urlset>")
    return utf8_join(line + "\n" for line in lines)


def robots_txt(base: str | None) -> str:
    """Allow everything; point at the sitemap when its absolute URL is known.

    Crawlers read robots.txt only at a host's root, so under a sub-path (GitHub project
    pages) it is inert, but harmless.
    """
    text = "User-agent: *\nDisallow:\n"
    return text + f"Sitemap: {base}sitemap.xml\n" if base else text
