"""The chat page's script (sessions_app/static/sessions_app/chat.js) never loses what was typed."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from sessions_app import services
from sessions_app.models import Message
from tests.e2e.support import Browser, log_in

ENDED = "This session has ended. Start a new one to keep reflecting."


def open_session(desktop_ui: Browser, writer, session) -> Page:
    """A signed-in tab on the session's chat page."""
    page = desktop_ui.new_page()
    log_in(page, writer.username)
    page.goto(f"/reflect/{session.pk}/")
    return page


def open_in_two_tabs(desktop_ui: Browser, writer, session) -> tuple[Page, Page]:
    """Two tabs of one browser (one sign-in), both on the session's chat page."""
    context = desktop_ui.new_context()
    first = context.new_page()
    log_in(first, writer.username)
    second = context.new_page()
    for page in (first, second):
        page.goto(f"/reflect/{session.pk}/")
    return first, second


def test_a_message_to_a_session_ended_in_another_tab_stays_in_the_box(desktop_ui: Browser, writer) -> None:
    session = services.session_create(user=writer, title="Two tabs")
    first, second = open_in_two_tabs(desktop_ui, writer, session)

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


def test_the_page_keeps_waiting_for_a_reply_that_takes_longer_than_a_minute(desktop_ui: Browser, writer) -> None:
    """The page stopped asking after a minute, while a worker's three attempts at a hung provider
    take 63 s by default: the reply landed on a page still saying "The companion is thinking…"."""
    session = services.session_create(user=writer, title="A slow provider")
    waiting = Message.objects.create(session=session, role=Message.Role.USER, content="Is anyone there?")
    page = desktop_ui.new_page()
    log_in(page, writer.username)
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if f"/sessions/{session.pk}/" in request.url else None)
    page.clock.install()
    page.goto(f"/reflect/{session.pk}/")
    expect(page.locator("#chat-pending")).to_be_visible()

    # Minutes on the page's clock, until it has asked more often than the old limit of 41
    # polls (it never would have: the old page gave up after a minute).
    for _ in range(250):
        if len(polls) > 45:
            break
        page.clock.run_for(5_000)
        page.wait_for_timeout(40)
    assert len(polls) > 45, len(polls)
    expect(page.locator("#chat-pending")).to_be_visible()

    Message.objects.create(
        session=session,
        role=Message.Role.COMPANION,
        content="Thank you for waiting. What would help most right now?",
        reply_to=waiting,
        provider=Message.Provider.LLM,
    )
    for _ in range(4):
        page.clock.run_for(15_000)
        page.wait_for_timeout(100)
    expect(page.locator(".bubble.companion").last).to_contain_text("Thank you for waiting.")
    expect(page.locator("#chat-pending")).to_be_hidden()


def test_a_paste_longer_than_a_message_may_be_is_refused_whole_not_cut(desktop_ui: Browser, writer) -> None:
    """The box's maxlength made the browser keep the first 5,000 characters of a long paste
    without a word, and the rest was gone once sent."""
    session = services.session_create(user=writer, title="A long paste")
    page = open_session(desktop_ui, writer, session)
    text = "Everything I wanted to say tonight. " * 300  # 10,800 characters
    box = page.get_by_label("Your message")
    box.fill(text)
    expect(box).to_have_value(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-error")).to_contain_text("5000 characters")
    expect(box).to_have_value(text.strip())
    expect(page.locator(".bubble.user")).to_have_count(0)
    assert not Message.objects.filter(session=session, role=Message.Role.USER).exists()
    desktop_ui.problems.errors[:] = [e for e in desktop_ui.problems.errors if "status of 400" not in e]


def test_the_safety_reply_keeps_its_lines_and_links_its_helplines(desktop_ui: Browser, writer) -> None:
    """Added by the chat script, the safety reply lost its line breaks: its list of helplines
    ran together into one paragraph, with no link to follow; after a reload it had lines but
    still no links."""
    session = services.session_create(user=writer, title="A hard night")
    page = open_session(desktop_ui, writer, session)
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Your message").fill("I don't know.\nI have nothing left to live for.")
    page.get_by_role("button", name="Send").click()
    reply = page.locator(".bubble.safety.companion")
    expect(reply).to_be_visible()
    assert page.evaluate("window.notReloaded === true")  # the script's bubble, not a page load

    for _ in range(2):  # as the script adds it, then as the page renders it
        text = reply.locator(".bubble-text").inner_text()
        assert "any time:\n• " in text, text
        assert "\n• Befrienders Worldwide: https://www.befrienders.org" in text
        expect(reply.locator("a[href='https://findahelpline.com']")).to_have_count(1)
        expect(reply.locator("a[href='https://www.befrienders.org']")).to_have_count(1)
        words = page.locator(".bubble.user .bubble-text").inner_text()
        assert words == "I don't know.\nI have nothing left to live for."
        page.reload()
    # The person's words are never turned into links.
    expect(page.locator(".bubble.user a")).to_have_count(0)


def test_a_conversation_continued_in_two_tabs_reads_in_order_in_both(desktop_ui: Browser, writer) -> None:
    """A message sent in another tab never showed in this one (until a reload), so the
    conversation here skipped from one exchange to the next."""
    session = services.session_create(user=writer, title="Two tabs")
    first, second = open_in_two_tabs(desktop_ui, writer, session)
    for page in (first, second):
        page.evaluate("window.notReloaded = true")

    second.get_by_label("Your message").fill("Written in the second tab.")
    second.get_by_role("button", name="Send").click()
    expect(second.locator(".bubble")).to_have_count(3)

    first.get_by_label("Your message").fill("Written in the first tab.")
    first.get_by_role("button", name="Send").click()
    expect(first.locator(".bubble")).to_have_count(5)
    users = first.locator(".bubble.user .bubble-text")
    expect(users).to_have_text(["Written in the second tab.", "Written in the first tab."])
    ids = [int(i) for i in first.locator("[data-message-id]").evaluate_all("els => els.map(e => e.dataset.messageId)")]
    assert ids == sorted(ids)
    assert first.evaluate("window.notReloaded === true")


MESSAGES_API = re.compile(r"/api/v1/sessions/\d+/messages/$")


def _without_aborted_requests(desktop_ui: Browser) -> None:
    # The browser reports the dropped connections in its console; that is the point here.
    desktop_ui.problems.errors[:] = [
        error for error in desktop_ui.problems.errors if not re.search(r"ERR_(FAILED|CONNECTION_RESET|ABORTED)", error)
    ]


def test_a_message_saved_before_the_connection_dropped_is_shown_once_not_sent_again(
    desktop_ui: Browser, writer
) -> None:
    """The page fell back to a plain form post when the answer never came: a second copy."""
    session = services.session_create(user=writer, title="A train through a tunnel")
    page = open_session(desktop_ui, writer, session)

    def answer_lost(route) -> None:
        route.fetch()  # the server saves the message and replies; the page never hears it
        route.abort("connectionreset")

    page.route(MESSAGES_API, answer_lost)
    page.get_by_label("Your message").fill("Work was a lot today.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".bubble.user")).to_have_count(1)
    expect(page.locator(".bubble.user")).to_contain_text("Work was a lot today.")
    expect(page.locator(".bubble.companion")).to_have_count(2)  # the opening and the reply
    expect(page.locator("#chat-error")).to_be_hidden()
    expect(page.get_by_label("Your message")).to_have_value("")
    assert Message.objects.filter(session=session, role=Message.Role.USER).count() == 1
    _without_aborted_requests(desktop_ui)


def test_a_message_the_server_never_got_goes_back_into_the_box(desktop_ui: Browser, writer) -> None:
    session = services.session_create(user=writer, title="Offline")
    page = open_session(desktop_ui, writer, session)
    page.evaluate("window.notReloaded = true")
    page.route(MESSAGES_API, lambda route: route.abort("connectionreset"))
    page.get_by_label("Your message").fill("Written on the train.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-error")).to_contain_text("could not be reached")
    expect(page.get_by_label("Your message")).to_have_value("Written on the train.")
    expect(page.locator(".bubble.user")).to_have_count(0)
    assert page.evaluate("window.notReloaded === true")  # no form post behind its back
    assert not Message.objects.filter(session=session, role=Message.Role.USER).exists()
    _without_aborted_requests(desktop_ui)


def test_a_message_sent_after_logging_out_in_another_tab_is_back_in_the_box(desktop_ui: Browser, writer) -> None:
    from tests.e2e.support import PASSWORD

    session = services.session_create(user=writer, title="Signed out")
    first, second = open_in_two_tabs(desktop_ui, writer, session)
    second.get_by_label("Your message").fill("A thought typed before the other tab logged out")
    first.get_by_role("button", name="Log out").click()
    first.wait_for_url(lambda url: "/reflect/" not in url)

    second.get_by_role("button", name="Send").click()
    expect(second).to_have_url(re.compile(rf"/login/\?next=/reflect/{session.pk}/$"))
    expect(second.get_by_role("status")).to_contain_text("You were signed out before your message was saved.")
    second.get_by_label("Username").fill(writer.username)
    second.get_by_label("Password").fill(PASSWORD)
    second.locator("main").get_by_role("button", name="Log in").click()
    expect(second).to_have_url(re.compile(rf"/reflect/{session.pk}/$"))
    expect(second.get_by_label("Your message")).to_have_value("A thought typed before the other tab logged out")
    second.get_by_role("button", name="Send").click()
    expect(second.locator(".bubble.user")).to_have_text(re.compile("A thought typed before the other tab"))
    # The refused API call (401, signed out) is in the console; that is the point here.
    desktop_ui.problems.errors[:] = [error for error in desktop_ui.problems.errors if "status of 401" not in error]
