"""Seed text -> `Article`: metadata the text states, captions, and anchored sentences.

The seeds come as captured from the web, each in its own shape. These rules read what the
three shipped seeds (and articles like them) really contain:

- a leading `date YYYY-MM-DD` prefix (the capture date line of some scrapes);
- a Markdown `# Headline`, or else a first line that does not end like a sentence;
- a `By [Name](#)` or `By Name` byline;
- a date line in one of the usual forms: `May 11, 2015`, `Sept. 12, 2024`, `Thursday,
  September 12, 2024`, `12 September 2024`, `2024-09-12`, each maybe after `Published:`
  or `Updated:` and before a time of day;
- photo captions: a `• bullet` line, a line ending in `(Photo : Credit)`, or a short line
  without closing punctuation before the first paragraph;
- an `Original url:` footer followed by `<https://...>`;
- publisher boilerplate: built-in social prompts plus per-source patterns from metadata.

Nothing is guessed: a field the text does not state stays None.
"""

from __future__ import annotations

import datetime as dt
import re

from ..dates import PartialDate
from ..model import Article, Caption, Paragraph, Sentence, normalize

BUILTIN_BOILERPLATE = (
    r"Like Us on Facebook",
    r"Follow Us on Twitter",
    r"Share this article",
    r"Sign up for our newsletter",
)

_DATE_PREFIX = re.compile(r"^date (\d{4})-(\d{2})-(\d{2})\b\s*")
_HEADLINE = re.compile(r"^#\s+(.+)$")
_BYLINE = re.compile(r"^By\s+(?:\[(?P<linked>[^\]]+)\]\([^)]*\)|(?P<plain>.+))$")
_DATE_LABEL = re.compile(r"^(?:(?:Last )?(?:Published|Updated|Posted|Modified)(?: on)?:?\s*)?"
                         r"(?:(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)[a-z]*\.?,?\s+)?",
                         re.IGNORECASE)
_TIME = re.compile(r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?"
                   r"(?:\s*\(?[A-Z]{2,5}\)?|\s*[+-]\d{2}:?\d{2})?|T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)$",
                   re.IGNORECASE)
_DATE_FORMS = (  # (pattern, the order of its month, day and year groups)
    (re.compile(r"^([A-Z][a-z]+)\.? (\d{1,2}),? (\d{4})$"), "mdy"),
    (re.compile(r"^(\d{1,2}) ([A-Z][a-z]+)\.?,? (\d{4})$"), "dmy"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "ymd"),
)
_PHOTO_CREDIT = re.compile(r"^(?P<text>.*?)\s*\(Photo\s*:\s*(?P<credit>[^)]+)\)$")
_BULLET = re.compile(r"^[•*-]\s+(.+)$")
_URL_LABEL = re.compile(r"^Original url:\s*(?P<url><?https?://\S+?>?)?$", re.IGNORECASE)
_URL = re.compile(r"^<?(https?://[^\s>]+)>?$")

MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        [(), ("January", "Jan"), ("February", "Feb"), ("March", "Mar"), ("April", "Apr"),
         ("May",), ("June", "Jun"), ("July", "Jul"), ("August", "Aug"),
         ("September", "Sept", "Sep"), ("October", "Oct"), ("November", "Nov"),
         ("December", "Dec")]
    )
    for name in names
}


def parse_article(article_id: str, text: str, boilerplate: tuple[str, ...] = ()) -> Article:
    """Parse one seed. `boilerplate` holds the per-source regular expressions to remove."""
    blocks = _blocks(text)
    published: PartialDate | None = None
    headline = byline = url = None
    captions: list[Caption] = []
    removed: list[str] = []
    body: list[str] = []
    patterns = [re.compile(p, re.DOTALL) for p in (*boilerplate, *BUILTIN_BOILERPLATE)]

    for index, block in enumerate(blocks):
        first = index == 0
        if first and (match := _DATE_PREFIX.match(block)):
            published = PartialDate(int(match[1]), int(match[2]), int(match[3]))
            block = block[match.end():]
        block, cut = _remove_boilerplate(block, patterns)
        removed.extend(cut)
        if not block:
            continue
        if body:
            if (label := _URL_LABEL.match(block)) is not None:
                url = _url(label["url"] or "") or url
                continue
            if (link := _URL.match(block)) and url is None:
                url = link[1]
                continue
            body.append(block)
            continue
        # Before the first paragraph: headline, byline, date line and captions.
        if (match := _HEADLINE.match(block)) and headline is None:
            headline = match[1].strip()
        elif (match := _BYLINE.match(block)) and byline is None:
            byline = (match["linked"] or match["plain"]).strip()
        elif (date := date_line(block)) and published is None:
            published = date
        elif first and headline is None and _plain_headline(block):
            headline = block
        elif (match := _BULLET.match(block)):
            _add_caption(captions, match[1], None)
        elif (match := _PHOTO_CREDIT.match(block)):
            _add_caption(captions, match["text"], match["credit"].strip())
        elif not _ends_like_prose(block):
            _add_caption(captions, block, None)
        else:
            body.append(block)

    paragraphs = tuple(_paragraph(n, block) for n, block in enumerate(body, start=1))
    return Article(article_id, headline, byline, published, url, tuple(captions), paragraphs,
                   tuple(removed))


def _blocks(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.strip()]


def _remove_boilerplate(block: str, patterns: list[re.Pattern[str]]) -> tuple[str, list[str]]:
    removed: list[str] = []
    for pattern in patterns:
        for match in pattern.finditer(block):
            if match.group(0).strip():
                removed.append(match.group(0).strip())
        block = pattern.sub(" ", block)
    return " ".join(block.split()), removed


def date_line(block: str) -> PartialDate | None:
    """The day a date line states ('Updated: Thursday, Sept. 12, 2024 at 10:32 am'), or
    None if the block is not one."""
    text = _TIME.sub("", _DATE_LABEL.sub("", block.strip(), count=1), count=1)
    for pattern, order in _DATE_FORMS:
        if (match := pattern.match(text)) is None:
            continue
        parts = dict(zip(order, match.groups()))
        month = MONTH_NUMBERS.get(parts["m"].capitalize()) if not parts["m"].isdigit() \
            else int(parts["m"])
        if month is None:
            return None
        try:
            dt.date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            return None
        return PartialDate(int(parts["y"]), month, int(parts["d"]))
    return None


def _url(text: str) -> str | None:
    match = _URL.match(text.strip())
    return match[1] if match else None


def _add_caption(captions: list[Caption], text: str, credit: str | None) -> None:
    """Add a caption; the same text seen twice (bullet, then credited) is one caption."""
    text = text.strip()
    for i, existing in enumerate(captions):
        if existing.text == text:
            captions[i] = Caption(text, credit or existing.credit)
            return
    captions.append(Caption(text, credit))


def _plain_headline(block: str) -> bool:
    """A plain-text capture's first line is its headline when it is short and does not end
    like a sentence (nor is a bullet or a credited photo caption)."""
    return (not _ends_like_prose(block) and len(block.split()) <= MAX_HEADLINE_WORDS
            and not _BULLET.match(block) and not _PHOTO_CREDIT.match(block))


MAX_HEADLINE_WORDS = 25


def _ends_like_prose(block: str) -> bool:
    return block.rstrip()[-1:] in ".!?\"'”’)"


# -- sentences ----------------------------------------------------------------------------

ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Dr St Sr Jr Gen Lt Col Sgt Capt Gov Sen Rep Prof Rev No vs etc "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
_BOUNDARY = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z])""")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences without breaking 'Sept. 3' or 'U.S. President'."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        word = re.search(r"(\S+?)[.!?]?[\"'”’)\]]*$", text[start:match.start() + 1])
        token = word.group(1) if word else ""
        if token in ABBREVIATIONS or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?", token):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _paragraph(number: int, text: str) -> Paragraph:
    anchor = f"p{number}"
    sentences = tuple(
        Sentence(f"{anchor}-s{i}", s) for i, s in enumerate(split_sentences(text), start=1)
    )
    return Paragraph(anchor, sentences)


# -- quotes -------------------------------------------------------------------------------

def find_quote(article: Article, quote: str) -> tuple[tuple[str, ...], str] | None:
    """The sentence anchors a quote spans and how it matched ('exact' or 'normalized').

    A quote must lie inside one paragraph. Fuzzy matches never count.
    """
    wanted = normalize(quote)
    if not wanted:
        return None
    for paragraph, normalized, joined in zip(article.paragraphs, article.normalized,
                                             article.normalized_paragraphs):
        at = joined.find(wanted)
        if at < 0:
            continue
        anchors, offset = [], 0
        for sentence, norm in zip(paragraph.sentences, normalized):
            if offset < at + len(wanted) and at < offset + len(norm):
                anchors.append(sentence.anchor)
            offset += len(norm) + 1
        how = "exact" if quote in paragraph.text else "normalized"
        return tuple(anchors), how
    return None


def nearest_sentence(article: Article, quote: str) -> str | None:
    """The sentence most like a quote that did not match, for the error's hint, with the
    words in which they differ when they are few."""
    import difflib

    wanted = normalize(quote)
    best, best_ratio = None, 0.0
    for sentence in article.sentences():
        ratio = difflib.SequenceMatcher(None, wanted, normalize(sentence.text)).ratio()
        if ratio > best_ratio:
            best, best_ratio = sentence, ratio
    if best is None or best_ratio < 0.4:
        return None
    differs = difference(quote, best.text)
    return f"{best.anchor}{', which ' + differs if differs else ''}: \"{best.text}\""


def difference(quote: str, sentence: str) -> str | None:
    """'has "Saturday" where the quote has "Sunday"': how a quote differs from the sentence
    it nearly matches, if in at most two places (words the quote leaves off at either end
    are no difference: a quote may be part of a sentence)."""
    import difflib

    theirs, ours = normalize(sentence).split(), normalize(quote).split()
    changes = [op for op in difflib.SequenceMatcher(None, theirs, ours, autojunk=False).get_opcodes()
               if op[0] != "equal"]
    if changes and changes[0][0] == "delete" and changes[0][1] == 0:
        changes = changes[1:]
    if changes and changes[-1][0] == "delete" and changes[-1][2] == len(theirs):
        changes = changes[:-1]
    if not changes or len(changes) > 2:
        return None
    said = []
    for _, a1, a2, b1, b2 in changes:
        if b1 < b2 and a2 - a1 > b2 - b1:  # where the quote stops or starts short of the
            if b2 == len(ours):              # sentence, only as many of its words differ
                a2 = a1 + (b2 - b1)
            elif b1 == 0:
                a1 = a2 - (b2 - b1)
        article, quoted = " ".join(theirs[a1:a2]), " ".join(ours[b1:b2])
        if not quoted:
            said.append(f'"{article}", which the quote leaves out')
        elif not article:
            said.append(f'no "{quoted}", which the quote adds')
        else:
            said.append(f'"{article}" where the quote has "{quoted}"{_characters(article, quoted)}')
    return "has " + ", and ".join(said)


def _characters(article: str, quoted: str) -> str:
    """' (EN DASH, not HYPHEN-MINUS)' when two words differ in one character that is not a
    letter or digit, which no eye tells apart."""
    import unicodedata

    if len(article) != len(quoted):
        return ""
    pairs = [(a, q) for a, q in zip(article, quoted) if a != q]
    if len(pairs) != 1 or pairs[0][0].isalnum() or pairs[0][1].isalnum():
        return ""
    a, q = pairs[0]
    return f" ({unicodedata.name(a, repr(a))}, not {unicodedata.name(q, repr(q))})"


def across_paragraphs(article: Article, quote: str) -> tuple[str, str] | None:
    """The first and last paragraph anchors of a quote that runs from one paragraph into
    the next, which `find_quote` never matches."""
    wanted = normalize(quote)
    joined = article.normalized_paragraphs
    for first in range(len(joined)):
        text = joined[first]
        for last in range(first + 1, len(joined)):
            text += " " + joined[last]
            if wanted in text:
                return article.paragraphs[first].anchor, article.paragraphs[last].anchor
            if len(text) > len(wanted) + len(joined[first]):
                break
    return None
