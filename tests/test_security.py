"""A hostile corpus: script in every text field content can reach. No script from content
may survive into any page, while legitimate Markdown still renders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from paradetimeline import build_site

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'><svg onload=alert(3)>{{ 7*7 }}'

HOSTILE_SEED = f"""\
# Headline {XSS}

By [Evil <b>Times</b>](javascript:alert(4))

May 11, 2015

Xi attended the parade on Saturday. It was {XSS} quoted here.

Nothing else happened that day.
"""


def yaml_text(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid double-quoted YAML scalar


HOSTILE_FILES = {
    "content/site.yaml": f"""\
        title: {yaml_text("Site " + XSS)}
        description: {yaml_text("About " + XSS)}
        license: {yaml_text(XSS)}
        commemorations:
          - year: 2015
            anniversary: victory-day-1945
        compare:
          - tag: parade
            label: {yaml_text("Parades " + XSS)}
        """,
    "seeds/s1.txt": HOSTILE_SEED,
    "content/sources/s1.yaml": f"""\
        publisher: {yaml_text("Pub " + XSS)}
        notes:
          url: {yaml_text("Unknown " + XSS)}
        """,
    "content/people.yaml": f"""\
        xi-jinping:
          name: {yaml_text("Xi " + XSS)}
          native_names: {{zh: {yaml_text(XSS)}}}
          country: {yaml_text("China " + XSS)}
          roles:
            - title: {yaml_text("President " + XSS)}
          description: {yaml_text(XSS)}
        """,
    "content/places.yaml": f"""\
        red-square:
          name: {yaml_text("Red " + XSS)}
          kind: square
          city: {yaml_text(XSS)}
          country: {yaml_text(XSS)}
          lat: 55.75
          lon: 37.62
        """,
    "content/anniversaries.yaml": f"""\
        victory-day-1945:
          title: {yaml_text("Victory " + XSS)}
          date: 1945-05-09
          description: {yaml_text(XSS)}
        """,
    "content/coverage.yaml": """\
        other_dates:
          - source: s1
            anchor: p1-s1
            phrase: on Saturday
            event: hostile
            reason: test
        """,
    "content/events/hostile.yaml": f"""\
        title: {yaml_text("Title " + XSS)}
        date: 2015-05-09
        status: happened
        commemorates: victory-day-1945
        places: [red-square]
        people: [xi-jinping]
        tags: [parade]
        summary: {yaml_text("Summary " + XSS)}
        body: |
          **Bold** and *emphasis*, [a real link](https://example.org/a?b=1&c=2), and a list:

          - one
          - two

          <script>alert(5)</script> <iframe src="https://evil.example"></iframe>
          <a href="javascript:alert(6)">js</a> [md js](javascript:alert(7))
          [data](data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==)
          <div onclick="alert(9)">div</div> <object data="x"></object> <embed src="x">
          <style>body {{ display: none }}</style> {{{{ 7*7 }}}} {{% raw %}}
        sources:
          - source: s1
            quote: {yaml_text("It was " + XSS + " quoted here.")}
          - source: s1
            quote: "Xi attended the parade on Saturday."
        """,
}


class Audit(HTMLParser):
    """Collects everything in a page that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script: str | None = None
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.svg_depth = 0  # inside the time axis, which the templates draw as SVG

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "svg" and (self.svg_depth or named.get("class") == "axis-svg"):
            self.svg_depth += 1
        elif tag == "base" and set(named) == {"target"}:  # embed.html: links open a new tab
            pass
        elif tag in ("iframe", "object", "embed", "img", "svg", "style", "form", "base"):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= attribute on <{tag}>")
            if name in ("href", "src", "cite", "action", "formaction", "data") and value:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "script":
            self.in_script = ""
            self.scripts.append((named, ""))

    def handle_data(self, data: str) -> None:
        if self.in_script is not None:
            self.in_script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self.svg_depth:
            self.svg_depth -= 1
        if tag == "script" and self.in_script is not None:
            attrs, _ = self.scripts[-1]
            self.scripts[-1] = (attrs, self.in_script)
            self.in_script = None


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    from conftest import REPO, write_project

    root = write_project(tmp_path_factory.mktemp("hostile"), HOSTILE_FILES)
    (root / "templates").symlink_to(REPO / "templates")
    build_site(root, base_url="https://example.org/x/")
    return root / "site"


def test_no_script_from_content_survives_in_any_page(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        audit = Audit()
        audit.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(hostile_site).as_posix()
        assert audit.problems == [], name
        for attrs, text in audit.scripts:
            if attrs.get("type") == "application/ld+json":
                json.loads(text)  # data, not code, and still well-formed
                assert "</" not in text and "<script" not in text.lower(), name
            else:
                assert attrs.get("src", "").endswith("static/filter.js") and not text.strip(), name


def test_content_is_shown_as_text_and_jinja_in_it_is_not_evaluated(hostile_site):
    page = (hostile_site / "events/hostile.html").read_text(encoding="utf-8")
    assert "Title &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert "{{ 7*7 }}" in page and "49" not in page


def test_legitimate_markdown_still_renders(hostile_site):
    page = (hostile_site / "events/hostile.html").read_text(encoding="utf-8")
    assert "<strong>Bold</strong> and <em>emphasis</em>" in page
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">a real link</a>' in page
    assert "<li>one</li>" in page and "<li>two</li>" in page


def test_exports_keep_hostile_text_as_data(hostile_site):
    data = json.loads((hostile_site / "events.json").read_text(encoding="utf-8"))
    assert data["events"][0]["title"] == "Title " + XSS
    feed = (hostile_site / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in feed


# -- templates/: code, but what they read stays in the project --------------------------------

def own_templates(make_project) -> Path:  # type: ignore[no-untyped-def]
    """A project whose templates/ is a copy of the repository's, to change."""
    from conftest import REPO

    root = make_project()
    (root / "templates").unlink()
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    from paradetimeline.cli import main

    code = main(list(argv))
    return code, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("target", ["/proc/self/environ", "/dev/zero"])
def test_a_static_file_linked_out_of_the_project_is_an_error(make_project, capsys, command,
                                                             target):
    root = own_templates(make_project)
    (root / "templates/static/env.txt").symlink_to(target)
    code, err = run(capsys, command, "--root", str(root))
    assert code == 1
    assert err[:2] == [
        f"templates/static/env.txt:1:1: error: symlink leads outside the project, to '{target}'",
        "    hint: copy the file into the project instead"]
    assert not (root / "site").exists()


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_template_linked_out_of_the_project_is_an_error(make_project, tmp_path, capsys,
                                                          command):
    root = own_templates(make_project)
    outside = tmp_path / "elsewhere/about.html"
    outside.parent.mkdir()
    (root / "templates/about.html").rename(outside)
    (root / "templates/about.html").symlink_to(outside)
    code, err = run(capsys, command, "--root", str(root))
    assert code == 1
    assert err[:2] == [
        f"templates/about.html:1:1: error: symlink leads outside the project, to '{outside}'",
        "    hint: copy the file into the project instead"]
    assert not (root / "site").exists()


def test_links_within_the_project_or_the_theme_are_followed(make_project, tmp_path):
    """A project may point templates/ at a shared theme (the tests' projects point it at
    the repository's), and a file in it may lead into the project or the theme."""
    root = make_project({"content/logo.txt": "logo\n"})
    theme = tmp_path / "theme"
    shutil.copytree(root / "templates", theme)
    (root / "templates").unlink()
    (root / "templates").symlink_to(theme)
    (theme / "static/logo.txt").symlink_to(root / "content/logo.txt")
    (theme / "static/same.css").symlink_to("style.css")
    build_site(root)
    assert (root / "site/static/logo.txt").read_text() == "logo\n"
    assert (root / "site/static/same.css").read_bytes() == (theme / "static/style.css").read_bytes()


@pytest.mark.parametrize("name", ["about.html", "static/env.txt"])
def test_the_renderer_refuses_a_link_out_by_itself(make_project, tmp_path, name):
    """Whoever calls the renderer without the check gets the same error."""
    from paradetimeline.check.loader import load_timeline
    from paradetimeline.render.renderer import TemplateError
    from paradetimeline.write.files import render_site

    root = own_templates(make_project)
    (root / "templates" / name).unlink(missing_ok=True)
    (root / "templates" / name).symlink_to("/etc/hostname")
    timeline, _ = load_timeline(root)
    with pytest.raises(TemplateError) as error:
        render_site(timeline, root / "templates")
    assert error.value.diagnostic.format() == (
        f"templates/{name}:1:1: error: symlink leads outside the project, to '/etc/hostname'\n"
        "    hint: copy the file into the project instead")


@pytest.mark.parametrize("name", ["static/pipe", "about.html"])
def test_a_fifo_in_the_templates_is_an_error_never_a_hang(make_project, name):
    root = own_templates(make_project)
    (root / "templates" / name).unlink(missing_ok=True)
    os.mkfifo(root / "templates" / name)
    done = subprocess.run([sys.executable, "-m", "paradetimeline", "build", "--root", str(root)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines()[:2] == [
        f"templates/{name}:1:1: error: not a regular file (a FIFO)",
        "    hint: remove it, or put a regular file in its place"]
