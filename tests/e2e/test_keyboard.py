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

from tests.e2e.support import PASSWORD, Browser, log_in

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


def tab_to(page: Any, selector: str, *, limit: int = 40, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the focus is on `selector`, checking it is visible at every stop."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
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


def test_sign_in_search_talk_and_sign_out_with_the_keyboard_only(desktop_ui: Browser, writer) -> None:
    from entries import services as entry_services
    from sessions_app import services as session_services

    entry_services.entry_create(user=writer, title="Harbour walk", body="Gulls and **no wind**.", tags=["walks"])
    session = session_services.session_create(user=writer, title="Worrying about work")
    session_services.message_post(user=writer, session_id=session.pk, content="The review is on Friday.")
    page = desktop_ui.new_page()
    page.goto("/login/")

    # A wrong password: the page comes back with the focus on its error (a role="alert" present
    # when the page loads is not read out; the focus sat in the username field, so nothing said
    # why the sign-in failed), and Tab goes on into the form.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(writer.username)
    page.keyboard.press("Tab")
    page.keyboard.type("not the passphrase")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/today/$"))

    # A form sent back with a field in error: the focus is on that field, which names its error.
    tab_to(page, "role=link[name='Entries']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/entries/$"))
    tab_to(page, "main >> role=link[name='New entry']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/entries/new/$"))
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")
    expect(page.locator(".field.has-error").first).to_be_visible()
    title = page.locator("#id_title")
    expect(title).to_be_focused()
    expect(title).to_have_attribute("aria-invalid", "true")
    assert "id_title_error" in (title.get_attribute("aria-describedby") or "")

    # Search (back up from the title to the navigation), and open what was found.
    tab_to(page, "role=link[name='Search']", backwards=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/$"))
    tab_to(page, "#id_q")
    page.keyboard.type("harbour")
    page.keyboard.press("Enter")
    expect(page.locator("main mark").first).to_have_text(re.compile("harbour", re.IGNORECASE))
    tab_to(page, "main >> role=link[name='Harbour walk']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/entries/\d+/$"))
    expect(page.locator("main h1")).to_have_text("Harbour walk")

    # A reflection session: open it, send a message, and the companion's reply arrives.
    tab_to(page, "role=link[name='Reflect']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/reflect/$"))
    tab_to(page, "main >> role=link[name='Worrying about work']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/reflect/{session.pk}/"))
    replies = page.locator(".bubble.companion")
    before = replies.count()
    tab_to(page, "#id_content")
    page.keyboard.type("I could ask for feedback early.")
    tab_to(page, "role=button[name='Send']")
    page.keyboard.press("Enter")
    expect(replies).to_have_count(before + 1)
    expect(page.get_by_label("Your message")).to_be_focused()

    # And out.
    tab_to(page, "role=button[name='Log out']", backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
