"""Text people write, however long its words, never pushes a page sideways."""

from __future__ import annotations

from tests.e2e.support import Browser, audit, log_in, no_horizontal_scroll


def test_a_long_unbroken_title_and_tags_fit_every_page(ui: Browser, writer) -> None:
    from entries import services

    entry = services.entry_create(user=writer, title="T" * 200, body="short body", mood=3, tags=["x" * 50, "y" * 49])
    page = ui.new_page()
    log_in(page, writer.username)
    for path, label in [
        ("/entries/", "list"),
        (f"/entries/{entry.pk}/", "detail"),
        (f"/entries/{entry.pk}/edit/", "edit"),
        ("/insights/", "insights"),
    ]:
        page.goto(path)
        no_horizontal_scroll(page, f"{label} with a 200-character word ({ui.viewport.name})")


WIDE_BODY = """Before the table: {word} and https://example.com/{path}

| Weekday | Morning | Afternoon | Evening | Night | Sleep | Notes |
| --- | --- | --- | --- | --- | --- | --- |
| Wednesday | walked | meetings | cooked | reading | seven hours | a long and ordinary day |

```
{code}
```
""".format(word="W" * 120, path="segment/" * 25, code="x = " + "1 + " * 60 + "1")

# Words of a table cell stay whole (a word broken letter by letter is unreadable): a table
# wider than the screen scrolls in a box of its own.
CRUSHED_CELLS = """() => [...document.querySelectorAll('.entry-body th, .entry-body td')]
  .filter((cell) => cell.textContent.trim().length > 1 && !cell.textContent.includes(' '))
  .filter((cell) => { const range = document.createRange(); range.selectNodeContents(cell);
                      return range.getClientRects().length > 1; })
  .map((cell) => cell.textContent.trim())"""


def test_long_words_and_wide_tables_in_an_entry_fit_its_page_and_the_preview(ui: Browser, writer) -> None:
    from entries import services

    entry = services.entry_create(user=writer, title="Wide", body=WIDE_BODY, mood=3, tags=[])
    page = ui.new_page()
    log_in(page, writer.username)
    page.goto(f"/entries/{entry.pk}/")
    no_horizontal_scroll(page, f"an entry with a long word and a wide table ({ui.viewport.name})")
    assert page.evaluate(CRUSHED_CELLS) == []
    # The code block and the table scroll sideways: the keyboard can reach them to scroll them.
    audit(page, "an entry with a wide table and code", rules=["scrollable-region-focusable"])

    # The preview of the same text, as the editor shows it (the server renders it on Preview).
    page.goto(f"/entries/{entry.pk}/edit/")
    page.locator("main").get_by_role("button", name="Preview").click()
    page.locator(".preview .entry-body table").wait_for()
    no_horizontal_scroll(page, f"the preview of a long word and a wide table ({ui.viewport.name})")
    assert page.evaluate(CRUSHED_CELLS) == []
    page.wait_for_selector(".preview .entry-body:not([aria-busy])")  # the live preview, once it has answered
    audit(page, "the preview of a wide table and code", rules=["scrollable-region-focusable"])
