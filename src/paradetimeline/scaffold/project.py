"""`paradetimeline init [DIR]`: a new, story-neutral project that passes `check --strict`
and builds, with the default theme (no templates/ of its own) and a Pages workflow."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..errors import UsageError
from .event import check_title, yaml_text

SITE = """\
# The site's settings; paradetimeline's README describes every field ("content/site.yaml").
title: {title}
description: "A sourced timeline: every event quotes the article that states it."
language: en               # the pages' language tag
# base_url: https://USER.github.io/REPO/   # where the site is published: absolute links in
                                           # feeds and the sitemap (the Pages workflow sets it)
license: "Quoted sentences belong to their publishers."
full_text: false           # true republishes each article's full text on its source page
# Eras, if the story marks anniversaries: each year is shown as the Nth anniversary of an
# event of content/anniversaries.yaml, with a page of its own.
# commemorations:
#   - year: 2025
#     anniversary: ANNIVERSARY-ID
# Rows of a Compare page, one column per era (only with commemorations):
# compare:
#   - tag: TAG
#     label: LABEL
"""

PEOPLE = """\
# People the events name, keyed by id; replace {} with entries like:
# jane-roe:
#   name: Jane Roe
#   country: Freedonia              # optional
#   roles:                          # as the articles state them; dates optional
#     - title: Mayor
#       from: 2021
#   note: The country is the curator's, from the council's website.   # where what
#                                   # no article states (country, native_names) comes from
{}
"""

PLACES = """\
# Places the events name, keyed by id; replace {} with entries like:
# old-bridge:
#   name: Old Bridge
#   kind: building      # square | city | country | building | venue | region
#   city: Springfield
#   lat: 51.5
#   lon: -0.1
#   note: The city and coordinates are the curator's, from a map.   # shown on its page
{}
"""

ANNIVERSARIES = """\
# Reference events that commemorations count from, keyed by id; replace {} with:
# bridge-opened:
#   title: The bridge opens
#   date: 1925-06-01
{}
"""

SEEDS_README = """\
One article per file, as plain text: `paradetimeline new source FILE` copies one here and
writes its metadata. The first lines may hold a `# Headline` (or a plain first line), a
`By Name` byline and a date line (`12 September 2024`, `Sept. 12, 2024`, `2024-09-12`);
then one paragraph per block, blank lines between. Never edit a seed once events quote it.
"""

GITIGNORE = """\
/site/
/_site/
.venv/
__pycache__/
"""

REQUIREMENTS = """\
# The tool that builds this site, for the Pages workflow. If paradetimeline is not on the
# package index you use, put here where you install it from (a path, or git+https://...).
paradetimeline=={version}
"""

WORKFLOW = """\
# Builds the site and deploys it to GitHub Pages on every push to main.
# Settings -> Pages -> Source: "GitHub Actions". The base URL comes from the Pages setup.
name: Deploy to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - id: pages
        uses: actions/configure-pages@v5
      - name: Build the site (add --strict to fail on warnings too)
        run: |
          python -m pip install -r requirements.txt
          paradetimeline build --out _site --base-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: _site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""

README = """\
# {title}

A sourced timeline built with paradetimeline {version}: every event quotes, word for word,
the sentence of a news article that states it, and every quote is checked at each build.

```sh
paradetimeline new source ~/articles/story.txt     # copy an article into seeds/
paradetimeline suggest                             # the dates it names, and how to draft each
paradetimeline new event --from story#p2-s1        # a draft quoting that sentence
paradetimeline check                               # every problem, with file:line:column
paradetimeline serve                               # preview at http://127.0.0.1:8000/
paradetimeline build                               # the site, into site/
```

A draft (`draft: true`) is checked but not published: edit its title and status, then
delete that line. Layout:

- `seeds/`: the articles as captured, one plain-text file each (see `seeds/README.md`);
- `content/site.yaml`: title, description, eras and compare rows;
- `content/sources/`: each article's metadata (what its text does not state);
- `content/events/`: one event per file; the file name is its id;
- `content/people.yaml`, `content/places.yaml`, `content/anniversaries.yaml`: who and where;
- `templates/` (optional): a file here replaces the default theme's file of that name.

To publish on GitHub Pages, push to GitHub and set Settings -> Pages -> Source to "GitHub
Actions": `.github/workflows/pages.yml` builds and deploys the site, installing the tool
named in `requirements.txt`.
"""


def init_project(folder: Path, title: str | None = None) -> list[Path]:
    """Write the project into `folder` (made if missing; refused unless empty, or holding
    nothing but a new repository's `.git`). Returns the files written."""
    if folder.exists() and (not folder.is_dir() or any(p.name != ".git" for p in folder.iterdir())):
        raise UsageError(f"'{folder}' is not an empty folder; give a new one, such as "
                         "'paradetimeline init my-timeline'")
    title = check_title(title if title is not None else _title_of(folder))
    files = {
        "content/site.yaml": SITE.format(title=yaml_text(title)),
        "content/people.yaml": PEOPLE,
        "content/places.yaml": PLACES,
        "content/anniversaries.yaml": ANNIVERSARIES,
        "content/events/.gitkeep": "",
        "content/sources/.gitkeep": "",
        "seeds/README.md": SEEDS_README,
        ".gitignore": GITIGNORE,
        "requirements.txt": REQUIREMENTS.format(version=__version__),
        ".github/workflows/pages.yml": WORKFLOW,
        "README.md": README.format(title=title, version=__version__),
    }
    written = []
    for relpath, text in files.items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _title_of(folder: Path) -> str:
    """'bridge-story' -> 'Bridge story': a title to start from."""
    words = folder.resolve().name.replace("-", " ").replace("_", " ").split()
    return " ".join(words).capitalize() if words else "A sourced timeline"
