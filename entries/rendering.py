"""Markdown → sanitized HTML, word counts, and input normalisation.

The Markdown library passes raw HTML through, so its output is never trusted: nh3 (the
Rust `ammonia` sanitizer) keeps only an allow-list of tags and attributes, only http(s)
and mailto URLs, and stamps every link with rel="noopener noreferrer nofollow".
Images are not shown: a remote image in a private journal is a tracking pixel, and the
Content Security Policy would block it anyway. A Markdown image becomes a link to it, with
its description as the text, rather than vanishing.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from html import unescape
from typing import Any
from xml.etree import ElementTree

import markdown
import nh3
from django.utils.html import linebreaks, strip_tags
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

logger = logging.getLogger(__name__)


class _ImagesAsLinks(Treeprocessor):
    """`![the lake](https://…/lake.jpg)` → a link "the lake" (the URL when there is no text).
    nh3 then checks the link like any other (http(s) and mailto only)."""

    def run(self, root: ElementTree.Element) -> None:
        for image in root.iter("img"):
            source, text, title = image.get("src", ""), image.get("alt", ""), image.get("title")
            image.tag = "a"
            image.attrib.clear()
            image.set("href", source)
            if title:
                image.set("title", title)
            image.text = text or source


class _ImagesAsLinksExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # Python-Markdown's name
        # After the inline patterns (priority 20) have made the images.
        md.treeprocessors.register(_ImagesAsLinks(md), "images_as_links", 5)


class _SuffixSearch:
    """`pattern.search(block)` for a block parser that keeps handing back the rest of a block.

    Python-Markdown's header and rule processors test a block by searching all of it for
    one of their lines; when another processor takes the block's first line or two (a
    header, a rule), the rest comes back as a new block and is searched again from its
    start. What the last search found (or that it found nothing) still holds for the rest
    of it, so the search starts where that match was.
    """

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.last = ""
        self.found: int | None = None  # where the match in `last` starts; None: no match

    def search(self, block: str) -> re.Match[str] | None:
        last, offset = self.last, len(self.last) - len(block)
        match: re.Match[str] | None
        # A rest starts at a line of the block it came from, so `^` reads it alike.
        if last and offset >= 0 and (offset == 0 or last[offset - 1] == "\n") and last.endswith(block):
            if self.found is None:
                match = None
            elif self.found >= offset - 1:  # the match (or the newline it starts with) is in the rest
                match = self.pattern.search(block, max(0, self.found - offset))
            else:
                match = self.pattern.search(block)
        else:
            match = self.pattern.search(block)
        self.last, self.found = block, (match.start() if match else None)
        return match


class _LinearBlockParsing(Extension):
    """Block parsing in time linear in the lines of a block, as Python-Markdown's is not.

    A block (lines without a blank one between) of 25,000 lines that each make a header or
    a rule ("---", "a" then "=", "- " then "-", "#") took 25 to 65 s: each line parsed read
    the whole rest of the block again, in the table processor's test (every line split and
    stripped, where a table is known from its first two), the header and rule processors'
    searches (`_SuffixSearch`) and the underlined header's split of the whole rest. Each
    replacement gives the result the original gives.
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # Python-Markdown's name
        processors = md.parser.blockprocessors
        table = processors["table"]
        table.test = self._table_test(table.test)
        hash_header = processors["hashheader"]
        headers = _SuffixSearch(hash_header.RE)
        hash_header.test = lambda parent, block: headers.search(block) is not None
        rule = processors["hr"]
        rules = _SuffixSearch(rule.SEARCH_RE)
        rule.test = self._rule_test(rule, rules)
        processors["setextheader"].run = self._setext_run

    @staticmethod
    def _table_test(test: Callable[[ElementTree.Element, str], bool]) -> Callable[[ElementTree.Element, str], bool]:
        def table_test(parent: ElementTree.Element, block: str) -> bool:
            first = block.split("\n", 1)[0].strip(" ")
            if first.startswith("|") or first.endswith("|"):
                return test(parent, block)  # a one-column table reads every row: as it was
            # Otherwise only the header and separator rows decide.
            return test(parent, "\n".join(block.split("\n", 2)[:2]))

        return table_test

    @staticmethod
    def _rule_test(rule: Any, rules: _SuffixSearch) -> Callable[[ElementTree.Element, str], bool]:
        def rule_test(parent: ElementTree.Element, block: str) -> bool:
            match = rules.search(block)
            if match is None:
                return False
            rule.match = match  # what HRProcessor.run reads, as its own test leaves it
            return True

        return rule_test

    @staticmethod
    def _setext_run(parent: ElementTree.Element, blocks: list[str]) -> None:
        # SetextHeaderProcessor.run, with the rest of the block cut off once instead of
        # split into lines and joined again.
        lines = blocks.pop(0).split("\n", 2)
        header = ElementTree.SubElement(parent, "h1" if lines[1].startswith("=") else "h2")
        header.text = lines[0].strip()
        if len(lines) > 2:
            blocks.insert(0, lines[2])


# A line that starts a list item able to interrupt a paragraph (CommonMark 0.31, 5.2 and
# 5.3): a bullet (`-`, `+`, `*`) or an ordered item numbered 1 (`1.`, `1)`), at most three
# spaces in, with text after it. "in\n2024. was" and an empty item ("foo\n* ") stay text.
# Python-Markdown tabs are spaces by the time blocks are parsed. `\n` first: never a
# block's own first line.
_INTERRUPTING_ITEM = re.compile(r"\n[ ]{0,3}(?:[-+*]|0{0,8}1[.)])[ ]+\S")
# The same at the start of a line with no indentation: what ends a list of the other kind.
_OTHER_BULLET_LIST = re.compile(r"\n[-+*][ ]+\S")
_OTHER_ORDERED_LIST = re.compile(r"\n0{0,8}1[.)][ ]+\S")
# "* * *" and "- - -" are rules, never items (Python-Markdown's rule processor takes most
# of them before a paragraph is made; this also covers the widely spaced ones it does not).
_THEMATIC_BREAK = re.compile(r"[ ]{0,3}([-*_])(?:[ ]*\1){2,}[ ]*$")


def _interrupting_line(block: str, start: int, pattern: re.Pattern[str] = _INTERRUPTING_ITEM) -> int | None:
    """Where the first line after `start` that `pattern` finds (and is not a rule) begins."""
    while (match := pattern.search(block, start)) is not None:
        line = match.start() + 1
        end = block.find("\n", line)
        end = len(block) if end < 0 else end
        if not _THEMATIC_BREAK.match(block, line, end):
            return line
        start = end
    return None


def _cut_at(blocks: list[str], line: int | None) -> None:
    """The first block ends before `line`; the rest is parsed as a block of its own next."""
    if line is not None:
        block = blocks[0]
        blocks[0:1] = [block[: line - 1], block[line:]]


def _cut_lists(blocks: list[str], ends: re.Pattern[str], then: re.Pattern[str]) -> None:
    """The first block (a list) cut where a list of the other kind starts, and that one where
    one of the first kind starts again, and so on, all in one pass. Cut one at a time, each
    rest was searched whole again by the header and rule tests (an item's own parsing in
    between made `_SuffixSearch` forget the block): "1. a" and "- b" alternating over
    200 KB took minutes."""
    block, pieces, start = blocks[0], [], 0
    while (line := _interrupting_line(block, start, ends)) is not None:
        pieces.append(block[start : line - 1])
        start, ends, then = line, then, ends
    if pieces:
        blocks[0:1] = [*pieces, block[start:]]


class _ListsInterruptParagraphs(Extension):
    """A list may start on the line after a paragraph's, as in CommonMark and GitHub.

    Python-Markdown wants a blank line before a list, so what people type in a journal,
    "Shopping:" then "- milk" and "- eggs" on the next lines, rendered as one paragraph
    with the dashes in it, where every other app (and the Today page's "- lists" hint) makes
    a list. No maintained extension does this: mdx-breakless-lists (last release 2020)
    inserts blank lines in the source, inside fenced code too, and before "2024." as well.
    Here the blocks are cut where a list starts, before the usual processors read them:

    * a paragraph ends before its first line that starts an interrupting item
      (`_INTERRUPTING_ITEM`), and the rest is parsed as a block of its own;
    * a block quote's lazy lines (without `>`) end at such a line, so the list follows the
      quote rather than going into it;
    * an ordered list ends at a bullet item at the start of a line, a bullet list at an
      item numbered 1 (with sane_lists they are not one list, and were one item's text);
    * an ordered item may also be written `1)`, as CommonMark allows (Python-Markdown
      knew only `1.`).

    Code is untouched: fenced code has been set aside before blocks are parsed, and an
    indented code block never reaches these processors. Each cut searches a block once
    from where the last search stopped, and what is cut off is a list that its processor
    takes whole: time stays linear in the document.
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # Python-Markdown's name
        processors = md.parser.blockprocessors
        paragraph = processors["paragraph"]
        paragraph.run = self._cutting(paragraph.run, lambda blocks: _cut_at(blocks, _interrupting_line(blocks[0], 0)))
        quote = processors["quote"]
        quote.run = self._cutting(quote.run, lambda blocks: _cut_at(blocks, self._quote_end(quote.RE, blocks[0])))
        ordered, bullets = processors["olist"], processors["ulist"]
        ordered.run = self._cutting(
            ordered.run, lambda blocks: _cut_lists(blocks, _OTHER_BULLET_LIST, _OTHER_ORDERED_LIST)
        )
        bullets.run = self._cutting(
            bullets.run, lambda blocks: _cut_lists(blocks, _OTHER_ORDERED_LIST, _OTHER_BULLET_LIST)
        )
        # `1)` as well as `1.`, in the processors' own patterns (sane_lists' included).
        up_to, twice = md.tab_length - 1, md.tab_length * 2 - 1
        ordered.RE = re.compile(rf"^[ ]{{0,{up_to}}}\d+[.)][ ]+(.*)")
        ordered.CHILD_RE = re.compile(rf"^[ ]{{0,{up_to}}}((\d+[.)]))[ ]+(.*)")
        for processor in (ordered, bullets):
            processor.INDENT_RE = re.compile(rf"^[ ]{{{up_to + 1},{twice}}}((\d+[.)])|[*+-])[ ]+.*")

    @staticmethod
    def _cutting(
        run: Callable[[ElementTree.Element, list[str]], Any], cut: Callable[[list[str]], None]
    ) -> Callable[[ElementTree.Element, list[str]], Any]:
        """The processor's `run`, with its first block cut (`cut`) before it reads it."""

        def cutting_run(parent: ElementTree.Element, blocks: list[str]) -> Any:
            cut(blocks)
            return run(parent, blocks)

        return cutting_run

    @staticmethod
    def _quote_end(quote: re.Pattern[str], block: str) -> int | None:
        start = quote.search(block)  # the quote's first line; the lines before it are a paragraph
        return None if start is None else _interrupting_line(block, start.end())


MARKDOWN_EXTENSIONS = [
    "fenced_code",
    "tables",
    "sane_lists",
    "nl2br",
    _ImagesAsLinksExtension(),
    _LinearBlockParsing(),
    _ListsInterruptParagraphs(),
]

# The search headline marks matches with these two control characters (entries.search),
# so they must never occur in stored text; other C0 controls are stripped with them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters that show nothing: zero-width space, non-joiner and joiner, direction marks,
# word joiner, BOM, soft hyphen, bidi embeddings and isolates. Inside a text they do work
# (a joiner builds 👨‍👩‍👧, a mark orders mixed-direction text); at the edges of a name they
# only made a title or a tag that looks empty ("\u200b" was accepted, though a blank one is
# not) or two tags that look the same ("x" and "\u200bx").
_EDGES = re.compile(
    r"^[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]+|[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]+$"
)
_WORD = re.compile(r"\w[\w'’-]*")


def clean_text(value: str) -> str:
    """Normalise newlines, drop control characters (they have no place in a journal), NFC.

    NFC: "é" typed as one character or as "e" and a combining accent (a file written on
    a Mac, some keyboards) looks the same and is the same text, but full-text search
    compares code points: one spelling never found the other. Search queries are NFC too.
    """
    return unicodedata.normalize("NFC", _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")))


def clean_line(value: str) -> str:
    """A name (a title, a tag): `clean_text`, without whitespace or invisible characters at its edges."""
    return _EDGES.sub("", clean_text(value))


# Python-Markdown finds where a link's text ends (`]`) and where its address ends (`)`)
# by scanning forward a character at a time from each `[` and `(`, and one that closes
# nowhere scans to the end of its paragraph: each of 20,000 `[` did (Python-Markdown
# issue 798, open), and a 20,000-character entry, or its preview, held a web process for
# three minutes. A document gets this many characters of such scans; past them, the
# brackets left are plain text. Real writing, links included, scans a few times its own
# length; the budget costs about a third of a second at the most.
LINK_SCAN_BUDGET = 1_000_000
_Text = tuple[str, int, bool]  # the text between [], where the scan ended, found
_Link = tuple[str, str | None, int, bool]  # address, title, where the scan ended, found
_LINK_PATTERNS = ("reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref")


class _BoundedLinkScans(Extension):
    """Puts the link and image patterns' forward scans on one budget per document."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)  # so that md.reset() calls reset()
        self.left = LINK_SCAN_BUDGET
        for name in _LINK_PATTERNS:
            processor = md.inlinePatterns[name]
            processor.getText = self._bounded_text(processor.getText)
            if hasattr(processor, "getLink"):
                processor.getLink = self._bounded_link(processor.getLink)

    def reset(self) -> None:
        self.left = LINK_SCAN_BUDGET

    def _bounded_text(self, get_text: Callable[[str, int], _Text]) -> Callable[[str, int], _Text]:
        def get_text_within_budget(data: str, index: int) -> _Text:
            if self.left <= 0:
                return "", index, False  # not a link: the bracket stays text
            text, end, handled = get_text(data, index)
            self.left -= end - index
            return text, end, handled

        return get_text_within_budget

    def _bounded_link(self, get_link: Callable[[str, int], _Link]) -> Callable[[str, int], _Link]:
        def get_link_within_budget(data: str, index: int) -> _Link:
            if self.left <= 0:
                return "", None, index, False
            href, title, end, handled = get_link(data, index)
            self.left -= (end if handled else len(data)) - index
            return href, title, end, handled

        return get_link_within_budget


_converters = threading.local()

# Python's html.parser, which Python-Markdown uses to find raw HTML, scans to the end of the
# document for each `<` that opens no complete tag (CPython gh-135462, fixed in releases
# after the 3.11.7 this is developed on): 1,000 of them in a 100,000-character entry took
# 3 s, 12,500 ("<http://" again and again) 17 s. HTML someone wrote closes what it opens,
# so in a document with this many more `<` than `>` the brackets are text, as they read.
UNCLOSED_ANGLE_LIMIT = 50


def _converter(*, raw_html: bool = True) -> markdown.Markdown:
    # One converter per thread, reset between documents (Python-Markdown's advice): setting
    # up the extensions again for every entry took a sixth of the rendering time.
    name = "markdown" if raw_html else "markdown_text_angles"
    converter = getattr(_converters, name, None)
    if converter is None:
        converter = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, _BoundedLinkScans()], output_format="html")
        if not raw_html:
            converter.preprocessors.deregister("html_block")
            converter.inlinePatterns.deregister("html")
        setattr(_converters, name, converter)
    return converter


def _unclosed_angles(source: str) -> int:
    """How many `<` can open no tag: more `<` than `>` overall, or any `<` after the last `>`.

    The difference alone was not enough: as many `>` before them (a long quotation, "a > b")
    cancelled 6,000 "<http://" that the parser still scanned to the end for (4 s).
    """
    return max(source.count("<") - source.count(">"), source.count("<", source.rfind(">") + 1))


def _convert(source: str, *, raw_html: bool) -> str:
    try:
        return _converter(raw_html=raw_html).reset().convert(source)
    except Exception as error:
        # Python-Markdown parses nested blocks by recursion, one level per marker, so
        # "- - - … a" (a list in a list in a list…) ran out of stack at ~250 levels and the
        # entry could not be saved. Worse, the converter was left half-way through that
        # document, and the thread's next documents came out without their inline markup.
        # Nobody writes that on purpose: such a document is shown as the text it is, and
        # the converter is built afresh. Only the error's kind is logged, never the text.
        setattr(_converters, "markdown" if raw_html else "markdown_text_angles", None)
        logger.warning("Markdown could not be rendered (%s); shown as plain text", type(error).__name__)
        return linebreaks(source, autoescape=True)


def render_markdown(source: str) -> str:
    """Markdown source → HTML that is safe to put in a page as is."""
    raw_html = _unclosed_angles(source) <= UNCLOSED_ANGLE_LIMIT
    html = _convert(source, raw_html=raw_html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


# Where one block of text ends and the next begins: a heading, a paragraph, a list item, a
# table cell, a quotation, a code block, or a line break inside a paragraph. Without its
# tags the HTML ran the blocks together: "- milk" "- eggs" "- bread" read "milk eggs
# bread" and "# Monday" then "Slept well." read "Monday Slept well.". Each block tag
# becomes a separator (a control character that stored text never holds, see
# `_CONTROL`), the other tags go without a trace, and where the text before a separator
# ends without punctuation of its own and more text follows, a full stop goes after it
# ("Monday. milk. eggs. bread"); the last block gets none, as the writer left it. The
# separators then read as spaces. Written for Python's `re` and PostgreSQL's regular
# expressions alike: excerpts apply it here (`plain_text`), search headlines in SQL before
# ts_headline cuts its fragments (entries.search). In this order because PostgreSQL's
# regular expressions are slow at a pattern that looks past tags (one that did took up
# to ten times as long on a long entry).
BLOCK_SEPARATOR = "\x1e"
BLOCK_TAG = r"<(?:/?(?:h[1-6]|p|li|ul|ol|t[a-z]+|pre|blockquote)|br|hr)[^>]*>"
_PUNCTUATION = ".!?:;…,。！？；：，、؟،।"
BLOCK_STOP = (
    rf"([^\s{BLOCK_SEPARATOR}{_PUNCTUATION}])(\s*{BLOCK_SEPARATOR})(?=[\s{BLOCK_SEPARATOR}]*[^\s{BLOCK_SEPARATOR}])"
)
BLOCK_STOP_REPLACEMENT = r"\1.\2"
_BLOCK_TAG = re.compile(BLOCK_TAG)
_BLOCK_STOP = re.compile(BLOCK_STOP)


def plain_text(value: str | None) -> str:
    """Sanitized entry HTML → the words a person reads (excerpts, snippets: no Markdown marks).

    Blocks stay apart (`BLOCK_STOP`): "# Monday" then "- milk", "- eggs" reads "Monday.
    milk. eggs", and a block tag is a space even where written HTML has no newline after it.
    """
    text = strip_tags(_BLOCK_TAG.sub(BLOCK_SEPARATOR, value or ""))
    text = _BLOCK_STOP.sub(BLOCK_STOP_REPLACEMENT, text).replace(BLOCK_SEPARATOR, " ")
    return " ".join(unescape(text).split())


_LEADING_HEADING = re.compile(r"\s*<h([1-6])>(.*?)</h\1>", re.S)


def without_title_heading(body_html: str | None, title: str | None) -> str:
    """The body's HTML without its first heading when that heading reads as the title.

    A title is often the body's own first heading (the Today page makes it from the first
    line; people paste a document that starts with one): the entry page showed it twice,
    once as the page's title and again at the top of the text, and the excerpt under a
    card began with the title it stood under. Only a leading heading whose words are the
    title's (case and spacing aside) is left out; the body itself is unchanged.
    """
    html = body_html or ""
    match = _LEADING_HEADING.match(html)
    if match is None or not title:
        return html
    words = " ".join(unescape(strip_tags(match.group(2))).split())
    if words.casefold() != " ".join(title.split()).casefold():
        return html
    return html[match.end() :].lstrip()


def count_words(text: str) -> int:
    return len(_WORD.findall(text))
