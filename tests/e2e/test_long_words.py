"""Text people write, however long its words, never pushes a page sideways."""

from __future__ import annotations

from tests.e2e.support import Browser, log_in, no_horizontal_scroll


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
