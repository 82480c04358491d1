"""The chat page's script (sessions_app/static/sessions_app/chat.js) never loses what was typed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sessions_app import services
from tests.e2e.support import Browser, log_in

ENDED = "This session has ended. Start a new one to keep reflecting."


def test_a_message_to_a_session_ended_in_another_tab_stays_in_the_box(desktop_ui: Browser, writer) -> None:
    session = services.session_create(user=writer, title="Two tabs")
    context = desktop_ui.new_context()
    first = context.new_page()
    log_in(first, writer.username)
    second = context.new_page()
    for page in (first, second):
        page.goto(f"/reflect/{session.pk}/")

    # Sent empty: the server answers with the field's own error (no script involved).
    second.get_by_role("button", name="Send").click()
    expect(second.locator("#chat-form")).to_contain_text("This field is required.")

    # Ended in the first tab...
    first.get_by_role("link", name="End session…").click()
    first.get_by_role("button", name="End session").click()
    expect(first.locator(".badge")).to_have_text("Ended")

    # ...so the second tab's message cannot be sent: it says why, on the same page, and the
    # text is still there to copy.
    second.evaluate("window.notReloaded = true")
    second.get_by_label("Your message").fill("Something I do not want to lose")
    second.get_by_role("button", name="Send").click()
    expect(second.locator("#chat-error")).to_have_text(ENDED)
    expect(second.locator("#chat-error")).to_be_visible()
    expect(second.get_by_label("Your message")).to_have_value("Something I do not want to lose")
    assert second.evaluate("window.notReloaded === true")
    # The earlier, stale error is gone: one error, the one that applies.
    expect(second.locator("#chat-form")).not_to_contain_text("This field is required.")
    expect(second.locator("#chat-form .errorlist:visible")).to_have_count(1)
    expect(second.locator(".bubble.user")).to_have_count(0)
    # The browser reports the refused request (409) in its console; that is the point here.
    desktop_ui.problems.errors[:] = [
        error for error in desktop_ui.problems.errors if not re.search(r"status of (400|409)", error)
    ]
