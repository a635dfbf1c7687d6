"""render/renderer.py: golden pages for a tiny project, escaping, sanitizing, template errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CITED, REPO

from paradetimeline import ContentError, build_site
from paradetimeline.check.loader import load_timeline
from paradetimeline.render.renderer import sentence_label, text_fragment
from paradetimeline.write.files import render_site

GOLDEN = Path(__file__).parent / "golden" / "minimal"


def test_minimal_project_matches_golden_files(make_project, update_golden):
    """Every file of the tiny project's site, byte for byte. Refresh: pytest --update-golden."""
    root = make_project()
    timeline, diagnostics = load_timeline(root)
    assert not diagnostics.items
    files = {p: b for p, b in render_site(timeline, root / "templates").items()
             if not p.startswith("static/")}
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for relpath, data in files.items():
            (GOLDEN / relpath).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / relpath).write_bytes(data)
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_bytes()
              for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(golden)
    for relpath, data in files.items():
        assert data == golden[relpath], f"{relpath} differs; if intended: pytest --update-golden"


def event_page(make_project, **fields: str) -> str:
    lines = ["title: " + fields.pop("title", "A title"), "date: 2015-05-09",
             "status: " + fields.pop("status", "happened")]
    lines += [f"{k}: {v}" for k, v in fields.items()]
    root = make_project({"content/events/parade.yaml": "\n".join(lines) + "\n" + CITED})
    build_site(root)
    return (root / "site/events/parade.html").read_text(encoding="utf-8")


def test_titles_are_escaped_and_jinja_in_content_is_never_evaluated(make_project):
    page = event_page(make_project, title="'<script>alert(1)</script> {{ 7 * 7 }}'")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7 * 7 }}" in page
    assert "49" not in page


def test_markdown_body_is_rendered_and_sanitized(make_project):
    body = ("|\n  **bold** and [a link](https://example.org) <script>alert(1)</script>\n"
            "  [bad](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n  - one\n  - two")
    page = event_page(make_project, body=body)
    assert "<strong>bold</strong>" in page
    assert '<a href="https://example.org" rel="noopener noreferrer">a link</a>' in page
    assert "<li>one</li>" in page
    for bad in ("<script>alert", "javascript:", "onerror", "<img"):
        assert bad not in page


def test_a_template_error_names_the_template_file_and_line(make_project, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    about = templates / "about.html"
    lines = about.read_text().splitlines()
    lines.insert(4, "{{ no_such_thing.attribute }}")
    about.write_text("\n".join(lines) + "\n")
    root = make_project()
    (root / "templates").unlink()
    (root / "templates").symlink_to(templates)
    with pytest.raises(ContentError) as error:
        build_site(root)
    (diagnostic,) = error.value.diagnostics
    assert str(diagnostic.location) == "templates/about.html:5:1"
    assert diagnostic.message == "template error: 'no_such_thing' is undefined"
    assert not (root / "site").exists()


def test_a_template_syntax_error_names_the_file_and_line(make_project, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / "tag.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{% if %}\n")
    root = make_project()
    (root / "templates").unlink()
    (root / "templates").symlink_to(templates)
    with pytest.raises(ContentError) as error:
        build_site(root)
    (diagnostic,) = [d for d in error.value.diagnostics if d.severity == "error"]
    assert str(diagnostic.location) == "templates/tag.html:3:1"
    assert diagnostic.message.startswith("template syntax: ")


def own_templates(make_project, tmp_path, name: str, edit) -> Path:  # type: ignore[no-untyped-def]
    """A project whose templates are a copy of the repository's with `name` edited."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / name).write_text(edit((templates / name).read_text()))
    root = make_project()
    (root / "templates").unlink()
    (root / "templates").symlink_to(templates)
    return root


def test_an_exception_in_a_template_is_a_located_error(make_project, tmp_path, capsys):
    from paradetimeline.cli import main

    def divide(text: str) -> str:
        lines = text.splitlines()
        lines.insert(4, "{{ 1 // 0 }}")
        return "\n".join(lines) + "\n"

    root = own_templates(make_project, tmp_path, "about.html", divide)
    assert main(["build", "--root", str(root)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "templates/about.html:5:1: error: template error: ZeroDivisionError: integer division "
        "or modulo by zero")
    assert not (root / "site").exists()


def test_text_fragment_links_to_the_start_and_end_of_a_long_quote():
    assert text_fragment("Xi attended") == "#:~:text=Xi%20attended"
    assert text_fragment("one two three four five six seven eight nine, ten") == (
        "#:~:text=one%20two%20three%20four,seven%20eight%20nine%2C%20ten")


def test_sentence_labels_name_the_paragraph_and_sentences_in_words():
    assert sentence_label("p4-s1") == "paragraph 4, sentence 1"
    assert sentence_label(("p3-s1", "p3-s2")) == "paragraph 3, sentences 1–2"


def large_project(make_project, count: int = 450):
    events = {
        f"content/events/bulk/e{n:04d}.yaml": (
            f"title: Event {n}\ndate: 2015-05-{n % 28 + 1:02d}\nstatus: happened\n"
            f"tags: [parade, t{n % 7}]\ncommemorates: victory-day-1945\nplaces: [red-square]\n"
            f"body: |\n  Body *{n}* with [a link](https://example.org/{n}).\n" + CITED
        )
        for n in range(count)
    }
    return make_project(events)


@pytest.mark.parametrize("body, message, workers", [
    ("{% if %}\n", "template syntax: ", 0),  # found by the check, before any page
    ("{{ 1 // 0 }}\n{% endblock %}\n", "template error: ZeroDivisionError: integer division or modulo by zero", 1),
])
def test_a_template_error_in_a_large_site_is_reported_like_any_other(
        make_project, tmp_path, monkeypatch, body, message, workers):
    """An error in a template only some pages use, reached late in a large build whose
    pages are rendered by forked workers: the worker's error reaches the user whole. A
    syntax error is the check's, and stops the build before any page is rendered."""
    import paradetimeline.write.files as files
    from paradetimeline.workers import in_workers

    monkeypatch.setattr(files, "PARALLEL_MIN_PAGES", 10)
    pools = []
    monkeypatch.setattr(files, "in_workers", lambda *work: pools.append(work) or in_workers(*work))
    root = large_project(make_project)
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / "tag.html").write_text("{% extends 'base.html' %}\n{% block main %}\n" + body)
    (root / "templates").unlink()
    (root / "templates").symlink_to(templates)
    with pytest.raises(ContentError) as error:
        build_site(root, jobs=2)
    (diagnostic,) = [d for d in error.value.diagnostics if d.severity == "error"]
    assert str(diagnostic.location) == "templates/tag.html:3:1"
    assert diagnostic.message.startswith(message)
    assert not (root / "site").exists()
    assert len(pools) == workers  # the pages were rendered by workers


DRAFT = """\
title: A draft about the boycott
date: 2015-05-10
status: happened
draft: true
sources:
  - source: s1
    quote: "Western leaders boycotted the Moscow parade on Sunday."
"""


def test_drafts_are_checked_always_and_published_only_with_drafts(make_project, tmp_path):
    from conftest import MINIMAL_SEED

    seed = MINIMAL_SEED.replace("over Russia's role in the Ukraine crisis.", "on Sunday.")
    root = make_project({"content/events/boycott.yaml": DRAFT, "seeds/s1.txt": seed})
    result = build_site(root, tmp_path / "public")
    assert result.diagnostics == ()  # 'on Sunday' is quoted by the draft: not 'uncited'
    assert not (tmp_path / "public/events/boycott.html").exists()
    assert "A draft about the boycott" not in (tmp_path / "public/index.html").read_text()
    assert build_site(root, tmp_path / "preview", drafts=True).events == 2
    assert "A draft about the boycott" in (tmp_path / "preview/index.html").read_text()
    broken = make_project({"content/events/boycott.yaml": DRAFT.replace("boycotted", "ignored"),
                           "seeds/s1.txt": seed})
    with pytest.raises(ContentError):
        build_site(broken, tmp_path / "again")  # a draft's errors still fail the build


@pytest.mark.parametrize("full_text", [False, True])
def test_source_pages_republish_the_full_text_only_when_the_site_opts_in(make_project, full_text):
    from conftest import MINIMAL_SITE

    root = make_project({"content/site.yaml": MINIMAL_SITE + f"full_text: {str(full_text).lower()}\n"})
    build_site(root)
    page = (root / "site/sources/s1.html").read_text(encoding="utf-8")
    cited = "Xi attended Moscow&#39;s Victory Day parade on Saturday"
    uncited = "Western leaders boycotted the Moscow parade"
    assert cited in page
    assert (uncited in page) is full_text


def test_declared_tags_show_their_labels_and_descriptions(make_project, tmp_path):
    root = make_project({"content/tags.yaml": "parade:\n  label: Military parades\n"
                                              "  description: Troops on the march.\n"})
    out = build_site(root, tmp_path / "site").out
    tag_page = (out / "tags/parade.html").read_text()
    assert "<title>Tag: Military parades ·" in tag_page
    assert '<h1>Events tagged <span class="tag">Military parades</span></h1>\n<p>Troops on the march.</p>' in tag_page
    assert '<a class="tag" href="../tags/parade.html">Military parades</a>' in (
        out / "events/parade.html").read_text()
    assert '<a href="../tags/parade.html">Military parades</a>' in (out / "tags/index.html").read_text()


@pytest.mark.parametrize("quote, shown", [
    ("Xi attended Moscow's Victory Day parade on Saturday marking 70 years since the end of the war in Europe.",
     "Xi attended Moscow&#39;s Victory Day parade on Saturday marking 70 years since the end of the war in Europe."),
    ("Victory Day parade on Saturday", "…Victory Day parade on Saturday…"),
    ("parade on Saturday marking 70 years since the end of the war in Europe",  # a period is no word
     "…parade on Saturday marking 70 years since the end of the war in Europe"),
    ("Xi attended Moscow's Victory Day parade", "Xi attended Moscow&#39;s Victory Day parade…"),
])
def test_a_quote_cut_from_its_sentence_is_shown_with_an_ellipsis(make_project, tmp_path, quote, shown):
    event = (REPO / "tests/bad_input/quote-not-in-source/files/content/events/parade.yaml").read_text()
    event = event.rsplit("quote: ", 1)[0] + f'quote: "{quote}"\n'
    root = make_project({"content/events/parade.yaml": event})
    out = build_site(root, tmp_path / "site").out
    assert f"<p>{shown}</p></blockquote>" in (out / "events/parade.html").read_text()
    assert f'"quote": "{quote}"' in (out / "events.json").read_text()  # the data stays verbatim


def test_an_event_page_says_how_its_date_was_found(make_project):
    """By the date phrase its quote holds, resolved; and by the curator's note, labelled."""
    note = "As the parade: the same article dates it."
    root = make_project({"content/events/note.yaml": f"title: A noted event\ndate: 2015-05-09\n"
                         f"date_note: \"{note}\"\nstatus: happened\n" + CITED})
    timeline, diagnostics = load_timeline(root)
    assert not diagnostics.items
    page = render_site(timeline, root / "templates")["events/note.html"].decode()
    assert ('<li>“on Saturday” in <a href="../sources/s1.html#p1-s1">Test Times, 11 May 2015, '
            "paragraph 1, sentence 1</a>: the Saturday on or before Monday 11 May 2015 "
            "(&#39;attended&#39;) → 9 May 2015</li>") in page
    assert f'<p class="date-note"><span class="curator">Curator’s note:</span> {note}</p>' in page


def test_with_a_base_url_pages_name_their_canonical_address_and_the_feed(make_project, tmp_path):
    root = make_project()
    out = tmp_path / "out"
    build_site(root, out, base_url="https://example.org/tl/")
    event = (out / "events/parade.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/tl/events/parade.html">' in event
    assert ('<link rel="alternate" type="application/atom+xml" title="Test timeline" '
            'href="../feed.xml">') in event
    missing = (out / "404.html").read_text(encoding="utf-8")
    assert 'rel="canonical"' not in missing
    # GitHub Pages serves 404.html at any depth, so its links cannot be relative
    assert 'href="https://example.org/tl/static/style.css"' in missing
    assert '<a href="https://example.org/tl/index.html">timeline</a>' in missing


def test_without_a_base_url_there_is_no_canonical_link_and_no_feed(make_project):
    root = make_project()
    build_site(root)
    index = (root / "site/index.html").read_text(encoding="utf-8")
    assert 'rel="canonical"' not in index and "feed.xml" not in index
    assert '<a href="events.ics" type="text/calendar">Calendar (iCalendar)</a>' in index
    assert '<a href="timeline.json" type="application/json">TimelineJS file</a>' in index


def test_a_status_other_than_happened_says_as_of_which_article(make_project):
    page = event_page(make_project, status="planned")
    assert ('<span class="status status-planned">planned</span> <span class="as-of">as of '
            '<time datetime="2015-05-11">11 May 2015</time></span>') in page
    assert "as of" not in event_page(make_project, status="happened").split("<main")[1]


def test_a_city_page_lists_the_events_at_the_places_inside_it(make_project):
    root = make_project({"content/places.yaml": (
        "red-square: {name: Red Square, kind: square, city: Moscow, country: Russia, note: N.}\n"
        "moscow: {name: Moscow, kind: city, country: Russia, note: N.}\n")})
    build_site(root)
    moscow = (root / "site/places/moscow.html").read_text(encoding="utf-8")
    assert '<div><dt>Includes</dt><dd><a href="../places/red-square.html">Red Square</a> <span class="note">(the curator’s)</span></dd></div>' in moscow
    assert "<p class=\"note\">Including the events at Red Square.</p>" in moscow
    assert '<a href="../events/parade.html">Xi attends the parade</a>' in moscow
    square = (root / "site/places/red-square.html").read_text(encoding="utf-8")
    assert '<div><dt>In</dt><dd><a href="../places/moscow.html">Moscow</a> <span class="note">(the curator’s)</span></dd></div>' in square


def test_the_embed_is_compact_opens_links_in_a_new_tab_and_says_where_it_is_from(make_project):
    root = make_project()
    build_site(root)
    embed = (root / "site/embed.html").read_text(encoding="utf-8")
    assert '<base target="_blank">' in embed
    assert '<meta name="robots" content="noindex">' in embed
    assert 'class="site-header"' not in embed and "<nav" not in embed
    assert '<h2 class="item-title"><a href="events/parade.html">Xi attends the parade</a></h2>' in embed
    assert 'Sources: <a href="sources/s1.html">Test Times, 11 May 2015</a>' in embed
    assert ('<p>From <a href="index.html">Test timeline</a>, a timeline in which every event '
            'quotes the article that states it.') in embed
    era = (root / "site/embed/2015.html").read_text(encoding="utf-8")
    assert '<h1><a href="../commemorations/2015.html">2015: the 70th anniversary</a></h1>' in era
    assert '<link rel="stylesheet" href="../static/style.css">' in era


def test_an_embed_shows_the_newest_of_many_events_and_links_to_the_rest(make_project, monkeypatch):
    import paradetimeline.render.views as views

    monkeypatch.setattr(views, "EMBED_MOST", 1)
    root = make_project({"content/events/later.yaml":
                         "title: A later event\ndate: 2015-05-10\nstatus: happened\n" + CITED})
    build_site(root)
    embed = (root / "site/embed.html").read_text(encoding="utf-8")
    assert "A later event" in embed and "Xi attends the parade" not in embed
    assert ('<p class="note">The newest 1 of 2 events: <a href="index.html">all of them on the '
            'timeline</a>.</p>') in embed


def test_the_about_page_gives_the_embed_snippet_with_the_address_when_known(make_project, tmp_path):
    root = make_project()
    out = tmp_path / "out"
    build_site(root, out, base_url="https://example.org/tl/")
    about = (out / "about.html").read_text(encoding="utf-8")
    assert ('&lt;iframe src="https://example.org/tl/embed.html" title="Test timeline: a sourced '
            'timeline" width="100%" height="600"') in about
    assert "embed.html" not in (out / "sitemap.xml").read_text(encoding="utf-8")
