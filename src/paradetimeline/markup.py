"""Markdown from content -> safe HTML.

Content is untrusted. Python-Markdown passes raw HTML (<script>, on*= attributes,
javascript: links, <iframe>) straight through, so its output always goes through nh3,
a maintained allow-list sanitizer, before it reaches a template.
"""

from __future__ import annotations

import markdown
import nh3

from .filecache import ResultCache, digest

ALLOWED_TAGS = {
    "p", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "br", "hr",
    "h2", "h3", "h4", "abbr", "cite", "q", "sub", "sup",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "q": {"cite"}}
URL_SCHEMES = {"http", "https", "mailto"}

# One converter, reset between documents: building a Markdown instance costs more than
# converting a short body with it.
_MARKDOWN = markdown.Markdown(output_format="html")


def render_markdown(text: str, results: ResultCache | None = None) -> str:
    """Render Markdown, then keep only an allow-list of tags, attributes and URL schemes.

    Raw HTML tags in the source are removed (their text kept); script and style content
    is dropped whole. With `results`, a text rendered before is not rendered again.
    """
    key = ("markdown", digest(text)) if results is not None else None
    if key is not None:
        found = results.get(key)
        if found is not None:
            return found
    html = _MARKDOWN.reset().convert(text)
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer").strip()
    if key is not None:
        results.put(key, html)
    return html
