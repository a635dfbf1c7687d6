"""articles: the three real seeds parse exactly so, and the rules behind that parse."""

from __future__ import annotations

import pytest
from conftest import MINIMAL_SEED, REPO

from paradetimeline.check.loader import load_timeline
from paradetimeline.dates import PartialDate
from paradetimeline.model import Caption, Source
from paradetimeline.read.articles import (
    date_line,
    find_quote,
    nearest_sentence,
    normalize,
    parse_article,
    split_sentences,
)

S000, S001, S003 = "000_e855b5d6b16dc860", "001_0f98aee22f1571cc", "003_966e67b1e78c5366"
BOILERPLATE = ("Like Us on Facebook", "Your support helps us", "Original url", "date 2025",
               "Read more", "Support Now", "(Photo :")


@pytest.fixture(scope="module")
def sources() -> dict[str, Source]:
    """The repository's seeds, parsed with their own metadata (boilerplate patterns)."""
    timeline, diagnostics = load_timeline(REPO, drafts=True)
    assert diagnostics.errors == []
    return timeline.sources


def test_the_three_seeds_are_all_read(sources: dict[str, Source]) -> None:
    assert sorted(sources) == [S000, S001, S003]


def test_seed_000_states_nothing_but_its_text(sources: dict[str, Source]) -> None:
    source = sources[S000]
    article = source.article
    assert (source.headline, source.byline, source.publisher, source.published, source.url) == (
        None, None, None, None, None)
    assert article.captions == (Caption("A boy places a flower on a sculpture depicting Chinese "
                                        "fighters during the World War II.", "Reuters"),)
    assert len(article.paragraphs) == 10 and len(article.sentences()) == 11
    assert article.paragraphs[0].sentences[0].text == (
        "Top leaders from China and Russia are set to attend events commemorating victory in "
        "World War II in both countries, Beijing announced on Friday.")
    assert article.paragraphs[-1].sentences[-1].text == (
        "Former President Hu Jintao was one of the guests invited to Russia's Victory Day "
        "parades in 2005 and 2010, with troops from the United States, Britain and France "
        "joining the march through Red Square for the first time.")
    assert article.removed == ("Like Us on Facebook",)


def test_seed_001_states_headline_byline_date_and_url(sources: dict[str, Source]) -> None:
    source = sources[S001]
    article = source.article
    assert source.headline == "China Invites Russian Troops to March in War Parade"
    assert (source.byline, source.publisher) == ("The Moscow Times", "The Moscow Times")
    assert source.published == PartialDate(2015, 5, 11)
    assert source.url == ("https://www.themoscowtimes.com/2015/05/11/"
                          "china-invites-russian-troops-to-march-in-war-parade-a46440")
    assert article.captions == (Caption("A Chinese infantry fighting vehicle"),)
    assert len(article.paragraphs) == 10 and len(article.sentences()) == 10
    assert article.paragraphs[0].sentences[0].text.startswith(
        "China has invited Russian troops to march in a parade in Beijing in September")
    assert article.paragraphs[-1].sentences[-1].text == (
        "Last month, U.S. President Barack Obama's top Asia adviser, Evan Medeiros, said that "
        "he had questions about whether a large military parade would really send a signal of "
        "reconciliation or promote healing, drawing a rebuke from China.")
    assert dict(source.origin) == {"headline": "article", "byline": "article",
                                   "published": "article", "url": "article",
                                   "publisher": "metadata"}


def test_seed_003_has_a_date_prefix_and_a_donation_banner(sources: dict[str, Source]) -> None:
    source = sources[S003]
    article = source.article
    assert (source.headline, source.byline, source.url) == (None, None, None)
    assert source.publisher == "The Independent"
    assert source.published == PartialDate(2025, 5, 6)
    assert article.captions == ()
    assert len(article.paragraphs) == 13 and len(article.sentences()) == 17
    assert article.paragraphs[0].sentences[0].text == (
        "China’s People’s Liberation Army is set to participate in Russia’s Victory Day parade "
        "in Moscow and Belarus’s parade in Minsk on Friday, the ministry of defence in Beijing "
        "said on Monday.")
    assert article.paragraphs[-1].sentences[-1].text == (
        '"Our national interests coincide," it quoted him as saying.')
    [banner] = article.removed
    assert banner.startswith("Your support helps us to tell the story Read more Support Now")
    assert banner.endswith("Your support makes all the difference. Read more")


@pytest.mark.parametrize("seed", [S000, S001, S003])
def test_no_boilerplate_survives(sources: dict[str, Source], seed: str) -> None:
    article = sources[seed].article
    for paragraph in article.paragraphs:
        for phrase in BOILERPLATE:
            assert phrase not in paragraph.text, (paragraph.anchor, phrase)
        assert "https://" not in paragraph.text and "<" not in paragraph.text
        # Its sentences, one space apart, are the seed's own words: nothing lost, nothing added.
        assert paragraph.text in " ".join((REPO / "seeds" / f"{seed}.txt").read_text().split())


@pytest.mark.parametrize("seed", [S000, S001, S003])
def test_anchors_are_stable_and_ordered(sources: dict[str, Source], seed: str) -> None:
    article = sources[seed].article
    assert [p.anchor for p in article.paragraphs] == [
        f"p{n}" for n in range(1, len(article.paragraphs) + 1)]
    for paragraph in article.paragraphs:
        assert [s.anchor for s in paragraph.sentences] == [
            f"{paragraph.anchor}-s{n}" for n in range(1, len(paragraph.sentences) + 1)]


def test_without_its_metadata_the_banner_would_stay() -> None:
    """The per-source pattern in content/sources/ is what removes the banner."""
    text = (REPO / "seeds" / f"{S003}.txt").read_text(encoding="utf-8")
    article = parse_article(S003, text)
    assert article.removed == ()
    kept = [c.text for c in article.captions] + [p.text for p in article.paragraphs]
    assert any(text.startswith("Your support helps us to tell the story") for text in kept)


# -- the rules, on small articles ---------------------------------------------------------

def test_header_lines_and_footer_url() -> None:
    article = parse_article("a", "# Head\r\n\r\nBy Jane Roe\r\n\r\nSept. 3, 2015\r\n\r\n"
                                 "• A photo\r\n\r\nA photo (Photo : AP)\r\n\r\nBody text.\r\n\r\n"
                                 "Original url: <https://example.org/a>\r\n")
    assert (article.headline, article.byline, article.published, article.url) == (
        "Head", "Jane Roe", PartialDate(2015, 9, 3), "https://example.org/a")
    assert article.captions == (Caption("A photo", "AP"),)
    assert [p.text for p in article.paragraphs] == ["Body text."]


def test_nothing_is_invented() -> None:
    article = parse_article("a", "Just one paragraph.\n\nFebruary 30, 2015\n")
    assert (article.headline, article.byline, article.published, article.url) == (
        None, None, None, None)
    assert [p.text for p in article.paragraphs] == ["Just one paragraph.", "February 30, 2015"]


@pytest.mark.parametrize("line, day", [
    ("May 11, 2015", (2015, 5, 11)),
    ("Thursday, September 12, 2024", (2024, 9, 12)),
    ("Thursday 12 September 2024", (2024, 9, 12)),
    ("12 September 2024", (2024, 9, 12)),
    ("Updated: 2024-09-12", (2024, 9, 12)),
    ("Sept. 12, 2024", (2024, 9, 12)),
    ("2024-09-12", (2024, 9, 12)),
    ("2024-09-12T10:00:00Z", (2024, 9, 12)),
    ("Published on 3 Sept 2024, 14:05", (2024, 9, 3)),
    ("Updated: Thu, Sept. 12, 2024 at 10:32 am EDT", (2024, 9, 12)),
    ("February 30, 2015", None),
    ("Mayday 5, 2020", None),
    ("Published 10:32 AM", None),
    ("The parade was on May 9, 2015", None),
])
def test_the_usual_date_lines_are_read(line: str, day: tuple[int, int, int] | None) -> None:
    assert date_line(line) == (PartialDate(*day) if day else None)
    article = parse_article("a", f"# Head\n\n{line}\n\nBody text.\n")
    assert article.published == (PartialDate(*day) if day else None)


def test_a_plain_first_line_is_the_headline_and_a_plain_byline_is_read() -> None:
    article = parse_article("a", "Bridge to close for repairs\n\nBy Jane Roe\n\n"
                                 "12 September 2024\n\nA crane on the bridge\n\nThe bridge closes.\n")
    assert (article.headline, article.byline, article.published) == (
        "Bridge to close for repairs", "Jane Roe", PartialDate(2024, 9, 12))
    assert [c.text for c in article.captions] == ["A crane on the bridge"]
    assert [p.text for p in article.paragraphs] == ["The bridge closes."]


def test_a_first_line_that_is_a_sentence_or_a_bullet_is_no_headline() -> None:
    assert parse_article("a", "The bridge closes.\n\nMore.\n").headline is None
    assert parse_article("a", "• A crane\n\nThe bridge closes.\n").headline is None


@pytest.mark.parametrize("text, sentences", [
    ("The parade is on Sept. 3. It will be big.", ["The parade is on Sept. 3.", "It will be big."]),
    ("Last month, U.S. President Barack Obama spoke. He left.",
     ["Last month, U.S. President Barack Obama spoke.", "He left."]),
    ("Mr Putin arrived. Mr. Putin spoke. Dr. Li agreed.",
     ["Mr Putin arrived.", "Mr. Putin spoke.", "Dr. Li agreed."]),
    ('He said: "We will come." Then he left.', ['He said: "We will come."', "Then he left."]),
    ('"Our national interests coincide," it quoted him as saying.',
     ['"Our national interests coincide," it quoted him as saying.']),
    ("It was “truly strategic.” Beijing agreed.", ["It was “truly strategic.”", "Beijing agreed."]),
    ("About 1.95 million died. Many more fled.", ["About 1.95 million died.", "Many more fled."]),
    ("On Oct. 1, China marks National Day.", ["On Oct. 1, China marks National Day."]),
    ("Is it over? Yes! It is.", ["Is it over?", "Yes!", "It is."]),
    ("Troops from the U.K. and the U.S. marched.", ["Troops from the U.K. and the U.S. marched."]),
    ("no closing stop", ["no closing stop"]),
    ("", []),
])
def test_sentence_splitting(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


# -- quotes -------------------------------------------------------------------------------

def test_quotes_match_exactly_or_after_normalizing(sources: dict[str, Source]) -> None:
    article = sources[S003].article
    assert find_quote(article, "Chinese leader Xi Jinping is also expected to visit Moscow") == (
        ("p6-s1",), "exact")
    assert find_quote(article, "China's  People's Liberation Army") == (("p1-s1",), "normalized")
    assert find_quote(article, "during his official visit. \"During the talks") is None
    assert find_quote(article, "honour guard to Russia. However, this will be") == (
        ("p9-s1", "p9-s2"), "exact")
    assert find_quote(article, "  ") is None


def test_a_fuzzy_match_never_counts_but_is_offered_as_a_hint(sources: dict[str, Source]) -> None:
    article = sources[S001].article
    quote = "Xi attended Moscow's Victory Day parade on Sunday"
    assert find_quote(article, quote) is None
    assert nearest_sentence(article, quote) == (
        "p4-s1, which has \"Saturday\" where the quote has \"Sunday\": \"Xi attended Moscow's "
        "Victory Day parade on Saturday marking 70 years since "
        "the end of the war in Europe.\"")
    assert nearest_sentence(article, "zzzz qqqq") is None


def test_normalize() -> None:
    assert normalize("“It’s”\u00a0 here\n") == "\"It's\" here"


# -- what a seed may hold -----------------------------------------------------------------

@pytest.mark.parametrize("raw, where", [
    ("\x1b]0;pwned\x07", "seeds/s1.txt:9:9: error: text holds a control character (U+001B)"),
    ("\x00", "seeds/s1.txt:9:9: error: text holds a control character (U+0000)"),
    ("\x9b2J", "seeds/s1.txt:9:9: error: text holds a control character (U+009B)"),
    ("\ufffe", "seeds/s1.txt:9:9: error: text holds an invalid character (U+FFFE)"),
])
def test_a_seed_with_a_control_character_is_refused_where_it_is(make_project, raw: str,  # type: ignore[no-untyped-def]
                                                                where: str) -> None:
    """A seed's text reaches pages and feeds, so it is held to the rule for YAML text; its
    citations are not reported again as unknown."""
    seed = MINIMAL_SEED.replace("Western leaders", f"Western {raw}leaders")
    timeline, diagnostics = load_timeline(make_project({"seeds/s1.txt": seed}), drafts=True)
    assert [d.format() for d in diagnostics.sorted()] == [
        where + "\n    hint: remove it; only tabs and line breaks may appear in text"]
    assert "s1" not in timeline.sources


def test_a_seed_may_hold_tabs_and_any_line_ending(make_project) -> None:  # type: ignore[no-untyped-def]
    seed = MINIMAL_SEED.replace("\n", "\r\n").replace("Western leaders", "Western\tleaders")
    timeline, diagnostics = load_timeline(make_project({"seeds/s1.txt": seed.encode()}))
    assert diagnostics.items == []
    assert timeline.sources["s1"].article.paragraphs[-1].text.startswith("Western leaders")
