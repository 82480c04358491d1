"""An unsaved draft survives a reload and a closed tab, and a save retires it (entries.js)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from entries.models import Entry
from tests.e2e.support import Browser, log_in


def test_draft_survives_a_reload_and_a_closed_tab(ui: Browser, writer) -> None:
    context = ui.new_context()
    page = context.new_page()
    log_in(page, writer.username)
    page.goto("/entries/new/")
    page.get_by_label("Title").fill("Half-written thought")
    page.get_by_label("Entry").fill("Something about the **rain** I want to remember")
    ui.press(page.get_by_role("radio", name="Low", exact=True))
    expect(page.locator("[data-draft-status]")).to_have_text("Draft kept on this device.")

    page.reload()
    expect(page.get_by_label("Title")).to_have_value("Half-written thought")
    expect(page.get_by_label("Entry")).to_have_value("Something about the **rain** I want to remember")
    expect(page.get_by_role("radio", name="Low", exact=True)).to_be_checked()
    expect(page.locator("[data-draft-status]")).to_contain_text("Restored your unsaved draft.")
    # The restored text is previewed too.
    expect(page.locator("[data-preview-target] strong")).to_have_text("rain")

    # Typing, then closing the tab right away (before the autosave timer): nothing is lost.
    page.get_by_label("Entry").press_sequentially(" tomorrow")
    page.close()
    page = context.new_page()
    page.goto("/entries/new/")
    expect(page.get_by_label("Entry")).to_have_value("Something about the **rain** I want to remember tomorrow")
    # An impatient double tap (or double click) on Save saves once.
    save = page.get_by_role("button", name="Save", exact=True)
    save.scroll_into_view_if_needed()
    box = save.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if ui.phone:
        page.touchscreen.tap(x, y)
        page.touchscreen.tap(x, y)
    else:
        page.mouse.dblclick(x, y)
    expect(page).to_have_url(re.compile(r"/entries/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Entry saved.")
    assert Entry.objects.filter(user=writer).count() == 1

    # Saved: the draft is gone, a new entry starts empty.
    page.goto("/entries/new/")
    expect(page.get_by_label("Title")).to_have_value("")
    expect(page.locator("[data-draft-status]")).to_have_text("")

    # The Today page keeps its own draft, and "Discard it" really discards it.
    page.goto("/today/")
    page.get_by_label("Entry").fill("A quick line for today")
    expect(page.locator("[data-draft-status]")).to_have_text("Draft kept on this device.")
    page.close()
    page = context.new_page()
    page.goto("/today/")
    expect(page.get_by_label("Entry")).to_have_value("A quick line for today")
    ui.press(page.get_by_role("button", name="Discard it"))
    expect(page.get_by_label("Entry")).to_have_value("")
    page.reload()
    expect(page.get_by_label("Entry")).to_have_value("")
