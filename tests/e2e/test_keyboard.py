"""The writing flow by keyboard alone, with a visible focus at every stop.

Only Tab (and Shift+Tab), Enter and Space move and act, plus typing the text itself. The
one exception is the mood: a radio group is a single tab stop and its options are chosen
with the arrow keys, which is how every browser and screen reader expects a radio group to
work (WAI-ARIA Authoring Practices).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.support import Browser, log_in

FOCUS_SHOWN = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return "nothing focused";
  const visible = (node) => {
    if (!node) return false;
    const style = getComputedStyle(node);
    return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
  };
  // A radio button's ring is drawn around its whole label (the pill), which is what one sees.
  if (visible(element) || visible(element.closest("label"))) return "";
  return "no visible focus indicator on " + element.outerHTML.slice(0, 80);
}"""


def focused(page: Any) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ''")


def tab_to(page: Any, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the focus is on `selector`, checking the focus is visible at every stop."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        problem = page.evaluate(FOCUS_SHOWN)
        assert not problem, problem
        if target.evaluate("(element) => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} not reached with Tab; focus is on {focused(page)}")


def test_write_and_edit_an_entry_with_the_keyboard_only(desktop_ui: Browser, writer) -> None:
    page = desktop_ui.new_page()
    log_in(page, writer.username)
    page.goto("/entries/")

    # The first Tab offers the skip link, and it is visible when focused.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    tab_to(page, "main >> role=link[name='New entry']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/entries/new/$"))

    tab_to(page, "#id_title")
    page.keyboard.type("Written without a mouse")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Entry")).to_be_focused()
    page.keyboard.type("Tab, type, *Enter*. That is all it takes.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="Not set")).to_be_focused()
    assert not page.evaluate(FOCUS_SHOWN)
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Good")).to_be_checked()
    tab_to(page, "#id_tags")
    page.keyboard.type("keyboard")
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/entries/\d+/$"))
    expect(page.locator(".entry-body em")).to_have_text("Enter")
    expect(page.locator(".entry-meta")).to_contain_text("Mood: Good")

    # Edit: preview by pressing Space on the Preview button, then save with Enter.
    tab_to(page, "main >> role=link[name='Edit']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/edit/$"))
    tab_to(page, "#id_body")
    page.keyboard.type("Added later. ")
    tab_to(page, "button[name=preview]")
    page.keyboard.press("Space")
    expect(page.locator("[data-preview-target]")).to_contain_text("Added later.")
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Changes saved.")
    expect(page.locator(".entry-body")).to_contain_text("Added later.")

    # Every link of the main navigation is reachable and shows its focus, up to logging out.
    page.goto("/today/")
    tab_to(page, "role=button[name='Log out']", limit=20)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
