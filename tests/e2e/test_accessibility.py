"""axe-core on the pages the journey does not pass through (tests/e2e/test_journey.py audits
the main ones): forms with their errors, confirmations, the account pages, error pages,
an ended session, with JavaScript and without. Fails on serious or critical violations
(support.audit: the axe-core vendored in tests/e2e/vendor/, no network)."""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import expect

from entries import services as entry_services
from sessions_app import services as session_services
from tests.e2e.support import Browser, audit, log_in


def _journal(writer) -> tuple[int, int, int]:
    today = entry_services.local_today(writer)
    entry = None
    for days, mood in enumerate([2, 4, 5]):
        entry = entry_services.entry_create(
            user=writer,
            title=f"Notes {days}",
            body="A **walk** by the river, then rain.",
            mood=mood,
            tags=["walks", "rain"],
            entry_date=today - datetime.timedelta(days=days),
        )
    active = session_services.session_create(user=writer, title="Still talking")
    session_services.message_post(user=writer, session_id=active.pk, content="I keep worrying about work.")
    ended = session_services.session_create(user=writer, title="Done for today")
    session_services.message_post(user=writer, session_id=ended.pk, content="I slept badly and feel flat.")
    session_services.session_end(user=writer, session_id=ended.pk)
    return entry.pk, active.pk, ended.pk


def test_every_other_page_passes_axe(ui: Browser, writer) -> None:
    entry_id, active_id, ended_id = _journal(writer)
    ui.problems.expected_errors.add("/nowhere/")  # its 404 is what the first audit is about
    label = ui.viewport.name
    for javascript in (True, False):
        # axe itself is a script, so "without JavaScript" is the pages' own scripts answered
        # empty (a context with JavaScript off cannot run axe).
        context = ui.new_context()
        if not javascript:
            context.route(
                re.compile(r"/static/.*\.js$"), lambda route: route.fulfill(body="", content_type="text/javascript")
            )
        page = context.new_page()
        mode = f"{label}, {'with' if javascript else 'without'} JavaScript"
        page.goto("/nowhere/")
        audit(page, f"404 signed out ({mode})")
        # A wrong password: the form's own error (role="alert" on the <ul> was a serious violation).
        page.goto("/login/")
        page.get_by_label("Username").fill(writer.username)
        page.get_by_label("Password").fill("not the passphrase")
        page.locator("main").get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_contain_text("correct username and password")
        audit(page, f"login with an error ({mode})")
        log_in(page, writer.username)
        pages = [
            ("/entries/?tag=walks&mood=4", "list, filtered"),
            ("/entries/?mood=9&date_from=someday", "list, filter errors"),
            (f"/entries/{entry_id}/edit/", "edit"),
            (f"/entries/{entry_id}/delete/", "delete entry"),
            ("/search/?q=nothing-like-this", "search, no results"),
            ("/search/?q=" + "x" * 201, "search, refused"),
            ("/calendar/?month=2020-02", "calendar, another month"),
            ("/insights/?days=365", "insights, a year"),
            (f"/reflect/{active_id}/", "chat"),
            (f"/reflect/{active_id}/end/", "end session"),
            (f"/reflect/{ended_id}/", "ended session"),
            ("/library/?q=anxious", "library search"),
            ("/library/box-breathing/", "technique"),
            ("/accounts/settings/", "settings"),
            ("/accounts/password/", "password change"),
            ("/accounts/delete/", "delete account"),
            ("/entries/999999/", "404 signed in"),
        ]
        for path, name in pages:
            page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            audit(page, f"{name} ({mode})")

        # Forms sent back with their errors.
        page.goto("/entries/new/")
        page.get_by_label("Title").fill("")
        page.get_by_role("button", name="Preview").click()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".field.has-error").first).to_be_visible()
        audit(page, f"new entry with errors ({mode})")
        page.goto("/accounts/password/")
        page.get_by_label("Old password").fill("not it")
        page.locator("main form").get_by_role("button").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        audit(page, f"password change with errors ({mode})")
        context.close()
    # The 404 answers are the point of two of the pages above.
    ui.problems.errors[:] = [error for error in ui.problems.errors if "status of 404" not in error]
