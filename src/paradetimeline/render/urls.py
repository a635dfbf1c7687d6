"""Page URLs for the exports: absolute under the site's base URL when one is known.

Feeds, sitemaps, calendars and Open Graph need absolute URLs to be useful; the site itself
links relatively (README.md, "Publishing"), so the HTML pages never depend on this.
"""

from __future__ import annotations

from ..model import Timeline


def site_url(timeline: Timeline, path: str) -> str:
    """A page's URL: absolute under the base URL when known, else relative to the root."""
    base = timeline.config.base_url
    return f"{base}{path}" if base else path


def absolute_url(timeline: Timeline, path: str) -> str | None:
    """A page's absolute URL, or None when the site has no base URL."""
    base = timeline.config.base_url
    return f"{base}{path}" if base else None
