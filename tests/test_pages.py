"""pages.py: the page plan, and the ids it keeps for itself."""

from __future__ import annotations

from paradetimeline.check.loader import load_timeline
from paradetimeline.check.references import LIST_PAGES, RESERVED_ID
from paradetimeline.render.pages import plan_pages
from paradetimeline.render.views import TimelineView


def test_the_loader_reserves_the_id_of_every_list_page(make_project):
    """A record named 'index' would overwrite FOLDER/index.html, so the loader refuses that
    id for each kind whose folder the plan gives a list page; and no record's page lands
    beside the site-wide pages at the top."""
    timeline, _ = load_timeline(make_project())
    plan = [page.path for page in plan_pages(timeline, TimelineView(timeline))]
    lists = {path.split("/")[0] for path in plan if path.endswith(f"/{RESERVED_ID}.html")}
    assert lists == set(LIST_PAGES.values())
    assert [path for path in plan if "/" not in path] == [
        "index.html", "compare.html", "about.html", "provenance.html", "404.html"]
