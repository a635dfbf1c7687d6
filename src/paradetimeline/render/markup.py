"""Markdown from content -> safe HTML.

Content is untrusted. Python-Markdown passes raw HTML (<script>, on*= attributes,
javascript: links, <iframe>) straight through, so its output always goes through nh3,
a maintained allow-list sanitizer, before it reaches a template.
"""

from __future__ import annotations

import markdown
import nh3

from ..plain import TextCache, digest

ALLOWED_TAGS = {
    "p", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "br", "hr",
    "h2", "h3", "h4", "abbr", "cite", "q", "sub", "sup",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "q": {"cite"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Python-Markdown tries each inline pattern on every run of text, and most of a short
# body's conversion time goes there. These patterns cannot match a document that holds
# none of their strings (after Markdown's own clean-up: tabs become spaces, "\r\n" "\n"),
# so such a document is converted without them: the same HTML, about a third faster.
# A pattern not named here is always tried; tests/test_markup.py checks the table against
# the installed Markdown.
PATTERN_NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",),
    "reference": ("[",), "link": ("[",), "short_reference": ("[",),
    "image_link": ("!",), "image_reference": ("!",), "short_image_ref": ("!",),
    "autolink": ("<",), "automail": ("<",), "html": ("<",), "entity": ("&",),
    "linebreak": ("  \n", "  \r", "\t"),
}

# One converter per set of patterns left out, each reset between documents: building a
# Markdown instance costs more than converting a short body with it. Made when first
# needed: at most 128, one for each subset of the seven kinds of strings above.
_CONVERTERS: dict[frozenset[str], markdown.Markdown] = {}


def converter(text: str) -> markdown.Markdown:
    """A Markdown converter without the inline patterns that cannot match `text`."""
    unused = frozenset(name for name, needs in PATTERN_NEEDS.items()
                       if not any(s in text for s in needs))
    found = _CONVERTERS.get(unused)
    if found is None:
        found = _CONVERTERS[unused] = markdown.Markdown(output_format="html")
        for name in unused:
            found.inlinePatterns.deregister(name, strict=False)
    return found


def render_markdown(text: str, store: TextCache | None = None) -> str:
    """Render Markdown, then keep only an allow-list of tags, attributes and URL schemes.

    Raw HTML tags in the source are removed (their text kept); script and style content
    is dropped whole. With `store`, a text rendered before is not rendered again.
    """
    key = digest(text)
    if store is not None:
        found = store.get("markdown", key)
        if found is not None:
            return found
    html = converter(text).reset().convert(text)
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer").strip()
    if store is not None:
        store.put("markdown", key, html)
    return html
