"""An unsaved draft survives a reload and a closed tab, and a save retires it (entries.js)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from entries.models import Entry
from tests.e2e.support import PASSWORD, Browser, log_in


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


DRAFT_KEYS = "Object.keys(window.localStorage).filter((key) => key.startsWith('journal:draft:'))"


def _session_cookie(user, base_url: str) -> dict:
    """The session cookie of `user` signed in without the login page (a kept-open session)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


def _write_a_draft(page, text: str) -> None:
    page.goto("/entries/new/")
    page.get_by_label("Entry").fill(text)
    expect(page.locator("[data-draft-status]")).to_have_text("Draft kept on this device.")


def test_a_draft_never_reaches_the_next_person_on_the_same_browser(desktop_ui: Browser, writer) -> None:
    from tests.factories import UserFactory

    other = UserFactory()
    context = desktop_ui.new_context()
    page = context.new_page()

    # Logging out takes the drafts with it.
    log_in(page, writer.username)
    _write_a_draft(page, "Something only I should read")
    page.goto("/today/")
    page.get_by_label("Entry").fill("A line for today, mine")
    expect(page.locator("[data-draft-status]")).to_have_text("Draft kept on this device.")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/today/" not in url)
    assert page.evaluate(DRAFT_KEYS) == []
    log_in(page, other.username)
    for path in ("/entries/new/", "/today/"):
        page.goto(path)
        expect(page.get_by_label("Entry")).to_have_value("")
        expect(page.locator("[data-draft-status]")).to_have_text("")

    # A session that ends without logging out (cookie gone, another person's session in its
    # place) leaves the draft on the device, but only its writer is offered it.
    _write_a_draft(page, "The other person's half-thought")
    their_cookies = context.cookies()
    context.clear_cookies()
    context.add_cookies([_session_cookie(writer, desktop_ui.base_url)])
    page.goto("/entries/new/")
    expect(page.get_by_label("Entry")).to_have_value("")
    context.clear_cookies()
    context.add_cookies(their_cookies)
    page.goto("/entries/new/")
    expect(page.get_by_label("Entry")).to_have_value("The other person's half-thought")

    # The login page clears whatever is left, and so do drafts kept before they had a writer.
    page.evaluate("window.localStorage.setItem('journal:draft:new', '{\"body\": \"old\"}')")
    page.goto("/entries/")
    assert page.evaluate(DRAFT_KEYS) == [f"journal:draft:{other.pk}:new"]
    context.clear_cookies()
    page.goto("/login/")
    assert page.evaluate(DRAFT_KEYS) == []

    # Deleting the account takes them too.
    log_in(page, other.username)
    _write_a_draft(page, "Last words")
    page.goto("/accounts/delete/")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Delete everything").click()
    page.wait_for_url(lambda url: "/accounts/delete/" not in url)
    assert page.evaluate(DRAFT_KEYS) == []


def test_an_entry_saved_after_logging_out_in_another_tab_is_not_lost(ui: Browser, writer) -> None:
    context = ui.new_context()
    page = context.new_page()
    log_in(page, writer.username)
    page.goto("/entries/new/")
    page.get_by_label("Title").fill("Written across a logout")
    page.get_by_label("Entry").fill("Every word of this must survive the other tab.")
    ui.press(page.get_by_role("radio", name="Good"))
    expect(page.locator("[data-draft-status]")).to_have_text("Draft kept on this device.")

    # Another tab logs out (which also clears this browser's drafts).
    other = context.new_page()
    other.goto("/today/")
    other.get_by_role("button", name="Log out").click()
    other.wait_for_url(lambda url: "/today/" not in url)
    other.close()

    ui.press(page.get_by_role("button", name="Save", exact=True))
    expect(page).to_have_url(re.compile(r"/login/\?next=/entries/new/$"))
    expect(page.get_by_role("status")).to_contain_text("You were signed out before your entry was saved.")
    page.get_by_label("Username").fill(writer.username)
    page.get_by_label("Password").fill(PASSWORD)
    ui.press(page.locator("main").get_by_role("button", name="Log in"))

    expect(page).to_have_url(re.compile(r"/entries/new/$"))
    expect(page.get_by_label("Title")).to_have_value("Written across a logout")
    expect(page.get_by_label("Entry")).to_have_value("Every word of this must survive the other tab.")
    expect(page.get_by_role("radio", name="Good")).to_be_checked()
    assert not Entry.objects.filter(user=writer).exists()
    ui.press(page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_role("status")).to_contain_text("Entry saved.")
    assert Entry.objects.get(user=writer).body == "Every word of this must survive the other tab."
    # The live preview may have asked while signed out: its 401 is in the console, and the
    # page kept its last preview.
    ui.problems.errors[:] = [
        error for error in ui.problems.errors if not ("status of 401" in error and "/entries/preview/" in error)
    ]
