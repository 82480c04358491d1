"""A new journal: every page says what will appear there and offers the next step."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.support import Browser, audit, log_in, nav, no_horizontal_scroll


def test_empty_pages_explain_themselves(ui: Browser, writer) -> None:
    page = ui.new_page()
    log_in(page, writer.username)
    label = ui.viewport.name

    nav(page, ui, "Entries")
    empty = page.locator(".empty")
    expect(empty).to_contain_text("Your journal is empty")
    expect(empty.get_by_role("link", name="Write your first entry")).to_be_visible()
    audit(page, f"list, empty ({label})")

    nav(page, ui, "Search")
    page.get_by_role("searchbox").fill("anything")
    ui.press(page.locator("main form").get_by_role("button", name="Search"))
    expect(page.locator(".empty")).to_contain_text("Nothing matches “anything”")
    audit(page, f"search, no results ({label})")

    nav(page, ui, "Calendar")
    expect(page.locator("main")).to_contain_text("No entries this month.")
    audit(page, f"calendar, empty ({label})")
    no_horizontal_scroll(page, "calendar")

    nav(page, ui, "Insights")
    expect(page.locator(".empty")).to_contain_text("The chart fills in as you write")
    expect(page.get_by_role("img", name=re.compile("Mood and sentiment"))).to_have_count(0)
    audit(page, f"insights, empty ({label})")
    ui.press(page.locator(".empty").get_by_role("link", name="Write today's entry"))
    expect(page).to_have_url(re.compile(r"/today/$"))
    expect(page.locator("main")).to_contain_text("0 days in a row")

    nav(page, ui, "Reflect")
    expect(page.locator(".empty")).to_contain_text("No sessions yet")

    page.goto("/library/?q=zzzzqqq")
    expect(page.locator(".empty")).to_contain_text("Nothing matched")
    audit(page, f"library, no results ({label})")
