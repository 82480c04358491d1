"""Markdown → sanitized HTML, word counts, and input normalisation.

The Markdown library passes raw HTML through, so its output is never trusted: nh3 (the
Rust `ammonia` sanitizer) keeps only an allow-list of tags and attributes, only http(s)
and mailto URLs, and stamps every link with rel="noopener noreferrer nofollow".
Images are not allowed: a remote image in a private journal is a tracking pixel, and the
Content Security Policy would block it anyway.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable

import markdown
import nh3
from markdown.extensions import Extension

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
MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]

# The search headline marks matches with these two control characters (entries.search),
# so they must never occur in stored text; other C0 controls are stripped with them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w[\w'’-]*")


def clean_text(value: str) -> str:
    """Normalise newlines, drop control characters (they have no place in a journal), NFC.

    NFC: "é" typed as one character or as "e" and a combining accent (a file written on
    a Mac, some keyboards) looks the same and is the same text, but full-text search
    compares code points: one spelling never found the other. Search queries are NFC too.
    """
    return unicodedata.normalize("NFC", _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")))


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


def _converter() -> markdown.Markdown:
    # One converter per thread, reset between documents (Python-Markdown's advice): setting
    # up the extensions again for every entry took a sixth of the rendering time.
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(
            extensions=[*MARKDOWN_EXTENSIONS, _BoundedLinkScans()], output_format="html"
        )
    return converter


def render_markdown(source: str) -> str:
    """Markdown source → HTML that is safe to put in a page as is."""
    html = _converter().reset().convert(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def count_words(text: str) -> int:
    return len(_WORD.findall(text))
