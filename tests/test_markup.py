"""markup.py: Markdown converted without the inline patterns a text cannot use gives the
same HTML as Python-Markdown with all of them."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from paradetimeline.render.markup import PATTERN_NEEDS, converter, render_markdown

ROOT = Path(__file__).resolve().parent.parent
STOCK = markdown.Markdown(output_format="html")


def stock(text: str) -> str:
    return STOCK.reset().convert(text)


def ours(text: str) -> str:
    return converter(text).reset().convert(text)


def test_every_pattern_named_is_one_markdown_has():
    """A pattern renamed or dropped by a new Python-Markdown shows here, not as a table
    entry that silently no longer leaves anything out."""
    assert [name for name in PATTERN_NEEDS if name not in STOCK.inlinePatterns] == []


def test_a_plain_text_is_converted_without_the_patterns_it_cannot_use():
    used = converter("Troops *marched* past the tribune.").inlinePatterns
    assert "link" not in used and "backtick" not in used and "html" not in used
    assert "em_strong" in used  # not in the table: always tried


def test_a_text_with_a_link_keeps_the_link_patterns():
    used = converter("See [the programme](https://example.org/p).").inlinePatterns
    assert "link" in used and "reference" in used and "short_reference" in used
    assert "backtick" not in used


@pytest.mark.parametrize(("text", "expected"), [
    ("a `code` span", "<code>code</code>"),
    ("an escaped \\*star\\*", "*star*"),
    ("a [link](https://example.org/)", '<a href="https://example.org/">link</a>'),
    ("a [ref][r]\n\n[r]: https://example.org/r", '<a href="https://example.org/r">ref</a>'),
    ("a [short] ref\n\n[short]: https://example.org/s", '<a href="https://example.org/s">'),
    ("an ![image](https://example.org/i.png)", '<img alt="image"'),
    ("an ![image ref][i]\n\n[i]: https://example.org/i.png", '<img alt="image ref"'),
    ("an <https://example.org/auto> link", '<a href="https://example.org/auto">'),
    ("mail <press@example.org>", "<a href="),
    ("some <b>inline</b> html", "<b>inline</b>"),
    ("an &amp; entity", "&amp;"),
    ("a hard  \nbreak", "<br>"),
    ("a hard  \r\nbreak with Windows line ends", "<br>"),
    ("a tab\t\nbefore the line end", "<br>"),
])
def test_each_pattern_still_applies_where_its_strings_occur(text, expected):
    assert expected in ours(text)
    assert ours(text) == stock(text)


MARKDOWNISH = st.lists(
    st.sampled_from([*"ab !*_`\\[]()<>&#;:/.@-=+>\t\r\n",
                     "  \n", "http://x.org", "&amp;", "![", "](", "**", "\n\n",
                     "    ", "1. ", "- ", "> ", "<b>", "</b>", "[r]: http://r.org"]),
    max_size=40)


@settings(max_examples=400, deadline=None)
@given(MARKDOWNISH.map("".join))
@example("a!\n[b](c)")
@example("x \t\ny")
def test_any_text_converts_as_stock_markdown_does(text):
    assert ours(text) == stock(text)


def bodies() -> list[str]:
    found = []
    for path in sorted((ROOT / "content").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            found += [v for k, v in data.items() if k in ("body", "summary") and isinstance(v, str)]
    return found


def test_the_project_content_converts_as_stock_markdown_does():
    texts = bodies()
    assert len(texts) > 20
    assert [ours(t) for t in texts] == [stock(t) for t in texts]


def test_rendered_markdown_is_sanitized():
    html = render_markdown('Hi <script>alert(1)</script>[x](javascript:alert(1)) *there*')
    assert html == '<p>Hi <a rel="noopener noreferrer">x</a> <em>there</em></p>'
