"""scaffold/source.py: `new source` copies an article under a safe id, reads it as the
build will, writes metadata that passes `check`, and warns about what stays unknown."""

from __future__ import annotations

import pytest
from conftest import BRIDGE_ARTICLE, run_cli

from paradetimeline.check.loader import load_timeline
from paradetimeline.cli import main
from paradetimeline.dates import PartialDate
from paradetimeline.scaffold.source import offered_publisher, safe_id


@pytest.fixture
def project(new_project):
    return new_project


def test_new_source_copies_the_article_and_says_what_it_read(project, tmp_path, capsys):
    article = tmp_path / "Bridge closes (final).txt"
    article.write_text(BRIDGE_ARTICLE, encoding="utf-8")
    code, out, err = run_cli(capsys, "new", "source", str(article), "--root", str(project))
    assert code == 0
    assert out == (
        "Created seeds/bridge-closes-final.txt and content/sources/bridge-closes-final.yaml\n"
        "  headline:  Old Bridge to close for six weeks of repairs\n"
        "  byline:    Jane Roe\n"
        "  publisher: unknown\n"
        "  published: 2024-09-12\n"
        "  url:       unknown\n"
        "  text:      3 paragraphs, 3 sentences, 1 caption\n"
        "Date phrases (4), resolved against the article's date:\n"
        "  p1-s1 \"on Monday, September 23\" -> 2024-09-23 [no year stated: the publication's year]\n"
        "  p1-s1 \"on Tuesday\" -> 2024-09-10 [the Tuesday on or before Thursday 12 September 2024 ('said')]\n"
        "  p3-s1 \"in 1925\" -> 1925 [the year is stated]\n"
        "  p3-s1 \"in 1998\" -> 1998 [the year is stated]\n"
        "Next: 'paradetimeline suggest bridge-closes-final' lists the commands that draft an "
        "event from each.\n")
    assert err == ("seeds/bridge-closes-final.txt:1:1: warning: the publisher is unknown\n"
                   "    hint: add 'publisher: ...' to content/sources/bridge-closes-final.yaml\n")
    assert (project / "seeds/bridge-closes-final.txt").read_bytes() == article.read_bytes()
    metadata = (project / "content/sources/bridge-closes-final.yaml").read_text()
    assert "# unknown: publisher: add 'publisher: ...'" in metadata
    assert "# unknown: url: add 'url: https://...'" in metadata
    timeline, diagnostics = load_timeline(project)
    assert not diagnostics.errors
    source = timeline.sources["bridge-closes-final"]
    assert (source.article.headline, source.published) == (
        "Old Bridge to close for six weeks of repairs", PartialDate(2024, 9, 12))
    assert [field for field, _ in source.notes] == ["url", "publisher"]


def test_an_article_that_states_nothing_is_warned_about_loudly(project, tmp_path, capsys):
    article = tmp_path / "plain.txt"
    article.write_text("The bridge closed on Tuesday, officials said.\n\nIt reopens soon.\n")
    code, out, err = run_cli(capsys, "new", "source", str(article), "--root", str(project))
    assert code == 0
    assert "  p1-s1 \"on Tuesday\" -> unresolved [past ('closed'); the article states no date]\n" in out
    assert err == (
        "seeds/plain.txt:1:1: warning: no date line found, so its relative dates ('on Tuesday') "
        "stay unresolved\n    hint: add 'published: YYYY-MM-DD' to content/sources/plain.yaml\n"
        "seeds/plain.txt:1:1: warning: no headline found\n"
        "    hint: add 'headline: ...' to content/sources/plain.yaml, or start the article with "
        "'# Headline'\n"
        "seeds/plain.txt:1:1: warning: the publisher is unknown\n"
        "    hint: add 'publisher: ...' to content/sources/plain.yaml\n")
    metadata = project / "content/sources/plain.yaml"
    assert "#   nothing: no headline, byline, date line or link" in metadata.read_text()
    # The published date given in the metadata resolves "on Tuesday" (Thursday's article).
    metadata.write_text(metadata.read_text() + "published: 2024-09-12\n")
    assert main(["mentions", "plain", "--root", str(project)]) == 0
    assert "p1-s1 \"on Tuesday\" -> 2024-09-10" in capsys.readouterr().out


def test_a_byline_naming_an_outlet_is_offered_as_the_publisher(project, tmp_path, capsys):
    article = tmp_path / "mt.txt"
    article.write_text("# Head\n\nBy [The Moscow Times](#)\n\nMay 11, 2015\n\nBody text here.\n")
    code, out, err = run_cli(capsys, "new", "source", str(article), "--root", str(project))
    assert code == 0 and err == ""
    assert "  publisher: The Moscow Times (offered from the byline)\n" in out
    metadata = (project / "content/sources/mt.yaml").read_text()
    assert 'publisher: "The Moscow Times"   # offered from the byline: check it\n' in metadata
    timeline, diagnostics = load_timeline(project)
    assert not diagnostics.items
    assert timeline.sources["mt"].publisher == "The Moscow Times"


@pytest.mark.parametrize("byline, offered", [
    ("The Moscow Times", "The Moscow Times"), ("AFP", "AFP"), ("Reuters", "Reuters"),
    ("Daily Planet Staff", "Daily Planet Staff"), ("Jane Roe", None), ("Jane Roe and John Doe", None),
    (None, None),
])
def test_offered_publisher(byline, offered):
    assert offered_publisher(byline) == offered


@pytest.mark.parametrize("stem, found", [
    ("Bridge closes (final)", "bridge-closes-final"), ("001_0f98", "001_0f98"),
    ("Éclair à Paris", "eclair-a-paris"), ("习近平", "source"), ("--x--", "x"),
])
def test_safe_id(stem, found):
    assert safe_id(stem) == found


def test_an_id_in_use_is_refused_and_nothing_is_overwritten(project, tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text(BRIDGE_ARTICLE)
    assert run_cli(capsys, "new", "source", str(article), "--root", str(project))[0] == 0
    before = (project / "content/sources/a.yaml").read_text()
    article.write_text("Another text.\n")
    code, out, err = run_cli(capsys, "new", "source", str(article), "--root", str(project))
    assert (code, out) == (1, "")
    assert err == ("paradetimeline: error: seeds/a.txt already exists; choose another --id\n")
    assert (project / "content/sources/a.yaml").read_text() == before
    assert (project / "seeds/a.txt").read_text() == BRIDGE_ARTICLE


@pytest.mark.parametrize("data, message", [
    (b"caf\xe9\n", "is not UTF-8 text (byte 0xe9 at offset 3); save it as UTF-8 and try again"),
    (b"a\x1b[2J b\n", "holds a control character (U+001B); a seed is the article's plain text"),
    (b"  \n\n", "holds no text; a seed is the article's plain text"),
])
def test_a_file_that_is_not_an_article_is_refused(project, tmp_path, capsys, data, message):
    article = tmp_path / "bad.txt"
    article.write_bytes(data)
    code, _, err = run_cli(capsys, "new", "source", str(article), "--root", str(project))
    assert (code, err) == (2, f"paradetimeline: error: '{article}' {message}\n")
    assert not (project / "seeds/bad.txt").exists()


def test_a_bad_id_or_a_missing_file_is_a_usage_error(project, tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text(BRIDGE_ARTICLE)
    code, _, err = run_cli(capsys, "new", "source", str(article), "--id", "Bad Id", "--root", str(project))
    assert (code, err) == (2, "paradetimeline: error: --id 'Bad Id' is not an id: lowercase "
                              "letters, digits, '-' and '_', starting with a letter or digit "
                              "(such as 'bad-id')\n")
    code, _, err = run_cli(capsys, "new", "source", str(tmp_path / "gone.txt"), "--root", str(project))
    assert (code, err) == (2, f"paradetimeline: error: '{tmp_path / 'gone.txt'}' is not a file\n")
