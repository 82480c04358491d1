"""Markdown rendering is sanitized: no script, event handler or javascript: URL survives."""

from __future__ import annotations

import logging

import pytest

from entries import rendering
from tests.entries.factories import EntryFactory

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<iframe src='https://evil.example'></iframe>",
    '<div onmouseover="alert(1)">hover</div>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<form action=https://evil.example><button>x</button></form>",
    "<object data=x></object><embed src=x>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "![x](https://tracker.example/pixel.png)",
]


@pytest.mark.parametrize("payload", XSS)
def test_dangerous_markup_is_removed(payload):
    html = rendering.render_markdown(payload).lower()
    for forbidden in ("<script", "onerror", "onmouseover", "javascript:", "<iframe", "<style", "style=", "<form",
                      "<object", "<embed", "<img", "data:", "<svg", "<math"):  # fmt: skip
        assert forbidden not in html, (payload, html)


def test_links_are_kept_with_a_safe_rel():
    html = rendering.render_markdown("[site](https://example.org) and <mailto:me@example.org>")
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">site</a>' in html
    assert 'href="mailto:me@example.org"' in html


def test_markdown_features():
    html = rendering.render_markdown("# H\n\n- a\n- b\n\n```\ncode <b>\n```\n\n| x | y |\n|---|---|\n| 1 | 2 |")
    assert "<h1>H</h1>" in html
    assert "<li>a</li>" in html
    assert "<pre><code>code &lt;b&gt;" in html
    assert "<td>1</td>" in html


def test_single_line_breaks_are_kept():
    assert rendering.render_markdown("line one\nline two") == "<p>line one<br>\nline two</p>"


def test_control_characters_are_stripped():
    assert rendering.clean_text("a\x02b\x03c\r\nd\x00") == "abc\nd"


@pytest.mark.parametrize(
    ("text", "count"), [("", 0), ("one", 1), ("It's a well-known fact, isn't it?", 6), ("# ** --", 0)]
)
def test_word_count(text, count):
    assert rendering.count_words(text) == count


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS[:6])
def test_xss_through_the_api_and_pages(auth_client, browser_client, user, payload):
    response = auth_client.post(
        "/api/v1/entries/", {"title": payload, "body": payload, "tags": [payload[:50]]}, format="json"
    )
    assert response.status_code == 201
    data = response.json()
    assert "<script" not in data["body_html"]
    assert "javascript:" not in data["body_html"]
    assert data["title"] == payload.strip()  # the title is kept as text and escaped where shown
    for page in (f"/entries/{data['id']}/", "/entries/", f"/entries/{data['id']}/edit/", "/today/"):
        content = browser_client.get(page).content.decode().lower()
        for raw in ("<script>alert", "<img src=x", 'href="javascript:', "href='javascript:"):
            assert raw not in content, (page, raw)


@pytest.mark.django_db
def test_body_html_is_rendered_on_save(user):
    entry = EntryFactory(user=user, body="*hi* <script>x</script>")
    assert entry.body_html == "<p><em>hi</em> </p>"


def test_nothing_carries_over_from_one_document_to_the_next():
    """The converter is reused per thread: a link reference defined in one entry must not resolve in another."""
    first = rendering.render_markdown("See [the site][ref].\n\n[ref]: https://example.com/")
    assert 'href="https://example.com/"' in first
    second = rendering.render_markdown("Also [the site][ref].")
    assert "href" not in second


def test_an_image_becomes_a_link_to_it_rather_than_vanishing():
    """Images are not shown (a remote image is a tracking pixel; the CSP blocks it anyway), but
    `![the lake](url)` disappearing without a trace left the writer wondering where it went."""
    html = rendering.render_markdown("Look: ![the lake at dawn](https://example.org/lake.jpg)")
    assert html == (
        '<p>Look: <a href="https://example.org/lake.jpg" rel="noopener noreferrer nofollow">the lake at dawn</a></p>'
    )
    bare = rendering.render_markdown("![](https://example.org/x.png)")
    assert (
        '<a href="https://example.org/x.png" rel="noopener noreferrer nofollow">https://example.org/x.png</a>' in bare
    )
    assert "javascript" not in rendering.render_markdown("![x](javascript:alert(1))").lower()


# Python-Markdown scans forward from every `[` (and `(`) for its closing bracket, a
# character at a time: unclosed ones made rendering quadratic (20,000 `[` took three minutes).
UNCLOSED_BRACKETS = {
    "links": "[" * 20_000,
    "images": "![" * 10_000,
    "addresses": "[a](" * 5_000,
    "emphasis around links": "*[" * 10_000,
    "cdata": "<![CDATA[" * 2_222,
}


@pytest.mark.parametrize("source", UNCLOSED_BRACKETS.values(), ids=UNCLOSED_BRACKETS.keys())
def test_unclosed_brackets_render_in_linear_time(source, monkeypatch):
    """Counted, not timed: the characters the link patterns scan stay within the document's
    budget (20,000 `[` scanned some 200 million before, three minutes)."""
    import threading

    from markdown import inlinepatterns

    scanned = [0]
    for name in ("getText", "getLink"):
        original = getattr(inlinepatterns.LinkInlineProcessor, name)

        def counting(self, data, index, _original=original):
            result = _original(self, data, index)
            end, found = result[-2], result[-1]
            scanned[0] += (end if found else len(data)) - index
            return result

        monkeypatch.setattr(inlinepatterns.LinkInlineProcessor, name, counting)
    monkeypatch.setattr(rendering, "_converters", threading.local())  # converters built with the counters
    html = rendering.render_markdown(source)
    assert scanned[0] <= rendering.LINK_SCAN_BUDGET + len(source)
    assert "[" in html  # the brackets are text


# A block (no blank line) of lines that each end as a header or a rule: Python-Markdown read
# the whole rest of the block again for each (25,000 "---" lines took 25 s, "a" and "="
# 65 s).
ONE_LINE_BLOCKS = {
    "rules": "---\n" * 5_000,
    "starred rules": "***\n" * 5_000,
    "underlined headers": "a\n=\n" * 5_000,
    "dash items read as headers": "- \n" * 5_000,
    "hash headers": "#\n" * 5_000,
    "headers with text": "# a\n" * 5_000,
}


@pytest.mark.parametrize("source", ONE_LINE_BLOCKS.values(), ids=ONE_LINE_BLOCKS.keys())
def test_a_long_block_of_headers_and_rules_renders_in_linear_time(source, monkeypatch):
    """Counted, not timed: the characters the block processors' tests read stay proportional
    to the document (each read the rest of the block: 12 to 50 million here before)."""
    import threading

    from markdown import blockprocessors
    from markdown.extensions import tables

    read = [0]

    class Counting:
        def __init__(self, pattern):
            self.pattern = pattern

        def search(self, text, pos=0):
            match = self.pattern.search(text, pos)
            read[0] += (match.end() if match else len(text)) - pos  # a search stops at its match
            return match

    monkeypatch.setattr(blockprocessors.HashHeaderProcessor, "RE", Counting(blockprocessors.HashHeaderProcessor.RE))
    monkeypatch.setattr(blockprocessors.HRProcessor, "SEARCH_RE", Counting(blockprocessors.HRProcessor.SEARCH_RE))
    table_test = tables.TableProcessor.test

    def counting_table_test(self, parent, block):
        read[0] += len(block)
        return table_test(self, parent, block)

    monkeypatch.setattr(tables.TableProcessor, "test", counting_table_test)
    monkeypatch.setattr(rendering, "_converters", threading.local())  # converters built with the counters
    html = rendering.render_markdown(source)
    assert read[0] <= 20 * len(source)
    assert html.count("<h") + html.count("<hr") >= 2_500


@pytest.mark.parametrize(
    "source",
    [
        "Title\n=====\nText\n# Head\nMore\n---\nAfter\n***\n- a\n- b\n## Two ##\nEnd",
        "| a | b |\n|---|---|\n| 1 | 2 |\n# After the table\ntext",
        "|one|\n|---|\n|x|\nnot a row",
        "> quote\n---\n> # quoted header\nlazy\n=\n",
        "- item\n\n    - nested\n---\n# h\n    code?\n___",
        "a\n-\n-\n- \n#\n###### six\n####### seven\n\\# escaped",
    ],
)
def test_linear_block_parsing_renders_what_python_markdown_renders(source):
    import markdown

    plain = [ext for ext in rendering.MARKDOWN_EXTENSIONS if not isinstance(ext, rendering._LinearBlockParsing)]
    expected = markdown.Markdown(extensions=plain, output_format="html").convert(source)
    linear = markdown.Markdown(extensions=rendering.MARKDOWN_EXTENSIONS, output_format="html").convert(source)
    assert linear == expected


def test_links_still_render_after_a_paragraph_of_unclosed_brackets():
    # The scan budget is per document, spent only by scans that run far: a later document,
    # and links in an ordinary one, are unaffected.
    rendering.render_markdown("[" * 20_000)
    many = " ".join(f"[link {n}](https://example.org/{n})" for n in range(2_000))
    html = rendering.render_markdown(f"A stray [ here.\n\n{many}")
    assert html.count('<a href="https://example.org/') == 2_000


@pytest.fixture
def starttag_scans(monkeypatch) -> list[int]:
    """Where html.parser began reading a start tag, each time Python-Markdown asked it to."""
    from markdown.htmlparser import HTMLExtractor

    scans: list[int] = []
    original = HTMLExtractor.parse_starttag

    def counting(self, i):
        scans.append(i)
        return original(self, i)

    monkeypatch.setattr(HTMLExtractor, "parse_starttag", counting)
    return scans


def test_a_document_of_unclosed_angle_brackets_is_not_parsed_as_html(starttag_scans):
    """Python's html.parser scanned to the end of the document for every `<` that opened no
    complete tag: "<http://" 12,500 times (100,000 characters) took 17 s to render. Counted,
    not timed: such a document's brackets never reach the HTML parser."""
    html = rendering.render_markdown("<http://" * 2_000)
    assert starttag_scans == []
    assert html.startswith("<p>&lt;http://&lt;http://")
    # Written HTML (it closes what it opens) is still HTML, and a stray `<` or two is text.
    html = rendering.render_markdown("<div>\nH<sub>2</sub>O, x < y\n</div>\n\nI <3 it")
    assert starttag_scans
    assert "<sub>2</sub>" in html
    assert "x &lt; y" in html
    assert "I &lt;3 it" in html


@pytest.mark.parametrize(
    "source",
    [
        ">" * 2_000 + "<http://" * 2_000,
        "> a quoted line\n" * 2_000 + "\n" + "<http://" * 2_000,
        "a > b, " * 2_000 + "\n\n" + "<a " * 2_000,
    ],
    ids=["bare", "blockquotes", "comparisons"],
)
def test_closing_brackets_earlier_in_the_document_do_not_let_unclosed_ones_reach_the_parser(source, starttag_scans):
    """The bound counted `<` minus `>` over the whole document, so as many `>` before them
    (a long quotation, "a > b") let 6,000 unclosed "<http://" through to html.parser again:
    4 s to render, 15 s near the 100,000-character limit. A `<` with no `>` anywhere after
    it is the one the parser scans to the end for."""
    html = rendering.render_markdown(source)
    assert len(starttag_scans) <= rendering.UNCLOSED_ANGLE_LIMIT
    assert "&lt;" in html


def test_written_html_followed_by_quotations_is_still_html():
    """Tags someone wrote close before the `>` that follow, so the document is still parsed
    as HTML."""
    html = rendering.render_markdown("H<sub>2</sub>O and <b>bold</b>\n\n" + "> quoted\n" * 100)
    assert "<sub>2</sub>" in html
    assert "<b>bold</b>" in html


NESTED_TOO_DEEP = [
    "- " * 10_000 + "a",  # a list in a list in a list…
    "1. " * 10_000 + "a",
    "Before.\n\n" + "* " * 5_000 + "<b>bold</b> & <script>x</script>",
]


@pytest.fixture
def rendering_log(caplog, monkeypatch):
    """The rendering module's records, whatever earlier tests did to logging (a worker
    started in-process reconfigures it)."""
    logger = logging.getLogger("entries.rendering")
    monkeypatch.setattr(logger, "disabled", False)
    caplog.set_level(logging.WARNING, logger="entries.rendering")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


@pytest.mark.parametrize("source", NESTED_TOO_DEEP)
def test_a_document_nested_past_the_parser_s_depth_is_shown_as_text(source, rendering_log):
    """Python-Markdown recurses once per nesting level: this raised RecursionError, and the
    entry could not be saved. The document is shown as the (escaped) text it is instead."""
    html = rendering.render_markdown(source)
    assert html.startswith("<p>")
    assert "<li>" not in html
    assert "<script" not in html
    assert "a" in html
    assert "RecursionError" in rendering_log.text
    assert "- - -" not in rendering_log.text  # the kind of error is logged, never the text


def test_a_failed_document_leaves_the_next_one_rendered_normally():
    """The converter is reused per thread; after the RecursionError it was left half-way through
    that document, and every later document in the thread lost its inline markup ("Hello *world*",
    no <p>, no <em>), and was stored that way."""
    expected = rendering.render_markdown("Hello *world*\n\n- a\n- b")
    assert expected == "<p>Hello <em>world</em></p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    rendering.render_markdown(NESTED_TOO_DEEP[0])
    assert rendering.render_markdown("Hello *world*\n\n- a\n- b") == expected
    angles = "<" * 100 + NESTED_TOO_DEEP[0]  # the converter that keeps angle brackets as text
    rendering.render_markdown(angles)
    assert rendering.render_markdown("<" * 100 + "\n\n*x*").endswith("<p><em>x</em></p>")


@pytest.mark.django_db
def test_an_entry_nested_too_deep_is_saved_through_the_api(auth_client):
    response = auth_client.post("/api/v1/entries/", {"title": "Lists", "body": NESTED_TOO_DEEP[0]}, format="json")
    assert response.status_code == 201, response.content[:300]
    assert response.json()["body_html"].startswith("<p>- - - ")
    assert (
        auth_client.post("/api/v1/entries/", {"title": "Next", "body": "*ok*"}, format="json").json()["body_html"]
        == "<p><em>ok</em></p>"
    )


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("- milk\n- eggs\n- bread", "milk. eggs. bread"),
        ("1. first\n2. **second**\n3. [third](https://example.test)", "first. second. third"),
        ("Shopping:\n\n- milk\n- eggs", "Shopping: milk. eggs"),  # its own punctuation stays alone
        ("- Called Mum!\n- Ran 5k.\n- why?", "Called Mum! Ran 5k. why?"),
        ("First paragraph\n\nSecond paragraph", "First paragraph. Second paragraph"),
        ("line one\nline two", "line one. line two"),  # a line break inside a paragraph
        ("| day | km |\n|---|---|\n| Mon | 5 |", "day. km. Mon. 5"),
        ("> quoted\n\nafter", "quoted. after"),
        ("- fruit\n    - apple\n    - pear\n- veg", "fruit. apple. pear. veg"),
        ("# Monday at *home*\n\nSlept well.\n\n## Why?\n\nNo idea.", "Monday at home. Slept well. Why? No idea."),
        ("Bad sleep again", "Bad sleep again"),  # the last block gets no stop it did not have
        ("今日は晴れ。\n\n明日も", "今日は晴れ。 明日も"),
        ("<ul><li>written</li><li>html</li></ul>", "written. html"),  # no newline between the tags
    ],
)
def test_plain_text_keeps_blocks_apart(source, text):
    """List items, paragraphs, cells and lines ran together: "- milk" "- eggs" read "milk eggs"."""
    assert rendering.plain_text(rendering.render_markdown(source)) == text


@pytest.mark.parametrize(
    ("body", "title", "kept"),
    [
        ("# About *gardening*\n\nThe tomatoes came up.", "About gardening", "<p>The tomatoes came up.</p>"),
        ("## about   Gardening\n\nText.", "About gardening", "<p>Text.</p>"),  # case and spacing aside
        ("# Gardening\n\nText.", "About gardening", None),  # another heading: kept
        ("Intro.\n\n# About gardening", "About gardening", None),  # not the first block: kept
        ("# About gardening and much more besides", "About gardening and much…", None),  # a cut title
    ],
)
def test_a_first_heading_that_is_the_title_is_left_out_of_the_shown_body(body, title, kept):
    html = rendering.render_markdown(body)
    assert rendering.without_title_heading(html, title) == (html if kept is None else kept)


# A list may start on the line after a paragraph's, as in CommonMark and GitHub: Python-Markdown
# wanted a blank line first, so "Shopping:" then "- milk" rendered one paragraph with the dashes.
LISTS_AFTER_A_LINE = {
    "bullets": ("Shopping:\n- milk\n- eggs", "<p>Shopping:</p>\n<ul>\n<li>milk</li>\n<li>eggs</li>\n</ul>"),
    "ordered from 1": (
        "Today I did\n1. laundry\n2. call mum",
        "<p>Today I did</p>\n<ol>\n<li>laundry</li>\n<li>call mum</li>\n</ol>",
    ),
    "plus and star": ("a\n+ b\n\nc\n* d", "<p>a</p>\n<ul>\n<li>b</li>\n</ul>\n<p>c</p>\n<ul>\n<li>d</li>\n</ul>"),
    "1) as well as 1.": ("Plan\n1) wake\n2) run", "<p>Plan</p>\n<ol>\n<li>wake</li>\n<li>run</li>\n</ol>"),
    "1) after a blank line": ("1) wake\n2) run", "<ol>\n<li>wake</li>\n<li>run</li>\n</ol>"),
    "up to three spaces in": ("a\n   - b", "<p>a</p>\n<ul>\n<li>b</li>\n</ul>"),
    "lines after an item continue it": ("a\n- b\nmore", "<p>a</p>\n<ul>\n<li>b<br>\nmore</li>\n</ul>"),
    "in a block quote": ("> Note:\n> - one", "<blockquote>\n<p>Note:</p>\n<ul>\n<li>one</li>\n</ul>\n</blockquote>"),
    "after a block quote": (
        "> quoted\n- mine",
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>mine</li>\n</ul>",
    ),
    "in a list item": ("1. a\n   - b", "<ol>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ol>"),
    "bullets after numbers": ("1. a\n- b", "<ol>\n<li>a</li>\n</ol>\n<ul>\n<li>b</li>\n</ul>"),
    "numbers after bullets": ("- a\n1. b", "<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>"),
}
# What stays as it was.
NOT_LISTS = {
    "a year": ("in\n2024. was a good year", "<p>in<br>\n2024. was a good year</p>"),
    "another number": ("I was\n3. in line", "<p>I was<br>\n3. in line</p>"),
    "a number in a bullet list": ("- a\n2. b", "<ul>\n<li>a<br>\n2. b</li>\n</ul>"),
    "an empty item": ("a\n* ", "<p>a<br>\n* </p>"),
    "an empty numbered item": ("a\n1.", "<p>a<br>\n1.</p>"),
    "no space after the mark": ("a\n-1 degrees\n*so* cold", "<p>a<br>\n-1 degrees<br>\n<em>so</em> cold</p>"),
    "four spaces in": ("a\n    - b", "<p>a<br>\n    - b</p>"),
    "an underlined heading": ("Title\n---\ntext", "<h2>Title</h2>\n<p>text</p>"),
    "a heading underlined with =": ("Title\n===", "<h1>Title</h1>"),
    "a rule": ("a\n* * *", "<p>a</p>\n<hr>"),
    "a widely spaced rule": ("a\n- -   -", "<p>a<br>\n- -   -</p>"),
    "fenced code": ("a\n```\n- b\n1. c\n```", "<p>a</p>\n<pre><code>- b\n1. c\n</code></pre>"),
    "indented code": ("    x\n    - b\n    1. c", "<pre><code>x\n- b\n1. c\n</code></pre>"),
    "an escaped mark": ("a\n\\- b", "<p>a<br>\n- b</p>"),
    "a lazy quote line": ("> a\nb", "<blockquote>\n<p>a<br>\nb</p>\n</blockquote>"),
}


@pytest.mark.parametrize(("source", "html"), LISTS_AFTER_A_LINE.values(), ids=LISTS_AFTER_A_LINE.keys())
def test_a_list_may_start_on_the_line_after_a_paragraph(source, html):
    assert rendering.render_markdown(source) == html


@pytest.mark.parametrize(("source", "html"), NOT_LISTS.values(), ids=NOT_LISTS.keys())
def test_what_does_not_start_a_list_stays_as_it_was(source, html):
    assert rendering.render_markdown(source) == html


LISTS_AFTER_LINES = {  # two lines, and the list items they make
    "paragraph and bullet": ("Some words on a line\n- an item here\n", 1),
    "paragraph and 1.": ("Some words on a line\n1. an item here\n", 1),
    "numbers and bullets": ("1. one\n- two\n", 2),
    "quote and bullet": ("> quoted words\n- an item here\n", 1),
}


@pytest.mark.parametrize(("unit", "items"), LISTS_AFTER_LINES.values(), ids=LISTS_AFTER_LINES.keys())
def test_lists_after_lines_render_in_linear_time(unit, items, monkeypatch):
    """Counted, not timed: cut one list at a time, "1. one" and "- two" alternating had the
    header and rule tests read the whole rest of the block again for each (minutes at 200 KB)."""
    import threading

    from markdown import blockprocessors

    read = [0]

    class Counting:
        def __init__(self, pattern):
            self.pattern = pattern

        def search(self, text, pos=0):
            match = self.pattern.search(text, pos)
            read[0] += (match.end() if match else len(text)) - pos
            return match

    monkeypatch.setattr(blockprocessors.HashHeaderProcessor, "RE", Counting(blockprocessors.HashHeaderProcessor.RE))
    monkeypatch.setattr(blockprocessors.HRProcessor, "SEARCH_RE", Counting(blockprocessors.HRProcessor.SEARCH_RE))
    monkeypatch.setattr(rendering, "_converters", threading.local())
    source = unit * 2_000
    html = rendering.render_markdown(source)
    assert read[0] <= 20 * len(source)
    assert html.count("<li>") == 2_000 * items
