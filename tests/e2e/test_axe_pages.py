"""axe-core on every page a person uses, in light and dark, on a desktop and a phone.

One live server, a journal with some history (entries over a year, tags, moods, a session
with companion replies, an ended one), and each page audited in both colour schemes: serious
or critical violations fail (support.audit, with the axe-core vendored in tests/e2e/vendor/).
The other browser tests audit pages in the middle of their flows; this is the checklist of
pages, so that a new violation anywhere shows up here first.
"""

from __future__ import annotations

import datetime
import importlib
import re
from typing import Any

from django.apps import apps
from django.template import loader
from django.utils import timezone
from playwright.sync_api import expect

from entries import services as entry_services
from monitoring import services as monitoring_services
from monitoring.collector import collector
from sessions_app import services as session_services
from tests.e2e.support import PASSWORD, Browser, audit, log_in, lowest_contrast
from tests.factories import StaffFactory, UserFactory


def _journal(writer: Any) -> dict[str, int]:
    today = entry_services.local_today(writer)
    bodies = [
        "Walked along the **harbour** before work.\n\n- coffee from the kiosk\n- gulls, no wind",
        "Tired; the deadline is close.\n\n| day | hours |\n|---|---|\n| Mon | 9 |",
    ]
    # The first days of this month, a low, a middling and a good one (the calendar's tints), a
    # few weeks back (the chart) and a year ago ("on this day").
    first = today.replace(day=1)
    days = [first, first + datetime.timedelta(days=1), first + datetime.timedelta(days=2)]
    days += [today - datetime.timedelta(days=back) for back in (0, 9, 20, 365)]
    for index, day in enumerate(days):
        entry = entry_services.entry_create(
            user=writer,
            title=f"Evening notes {index}",
            body=bodies[index % 2],
            mood=[1, 3, 5, 4, 2, None, 4][index],
            tags=["walks", "work"][index % 2 :],
            entry_date=day,
        )
    chat = session_services.session_create(user=writer, title="Worrying about work")
    for content in ("I keep worrying about the review at work.", "I think I will fail and everyone will see."):
        session_services.message_post(user=writer, session_id=chat.pk, content=content)
    ended = session_services.session_create(user=writer, title="A bad night")
    session_services.message_post(user=writer, session_id=ended.pk, content="I slept badly and feel flat.")
    session_services.session_end(user=writer, session_id=ended.pk)
    return {"entry": entry.pk, "chat": chat.pk, "ended": ended.pk}


def _signed_in_pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    entry, chat, ended = ids["entry"], ids["chat"], ids["ended"]
    return [
        ("/today/", "today, with on this day"),
        ("/entries/", "entry list"),
        ("/entries/?tag=walks&mood=9", "entry list, a filter in error"),
        (f"/entries/{entry}/", "entry"),
        (f"/entries/{entry}/edit/", "edit"),
        (f"/entries/{entry}/delete/", "delete confirmation"),
        ("/search/?q=harbour", "search, results"),
        ("/search/?q=nothing-like-this", "search, no results"),
        ("/calendar/", "calendar"),
        ("/insights/?days=365", "insights, the mood chart"),
        ("/reflect/", "sessions"),
        (f"/reflect/{chat}/", "session with replies"),
        (f"/reflect/{chat}/end/", "ending a session"),
        (f"/reflect/{ended}/", "ended session"),
        ("/library/box-breathing/", "technique"),
        ("/export/", "export and import"),
        ("/accounts/password/", "password change"),
        ("/entries/999999/", "404, signed in"),
    ]


def _check(page: Any, name: str, mode: str) -> None:
    expect(page.locator("h1").first).to_be_visible()
    audit(page, f"{name} ({mode})")


def test_every_page_passes_axe_in_light_and_dark(ui: Browser, writer) -> None:
    ids = _journal(writer)
    # The targets of the data migration (transactional tests start from empty tables).
    importlib.import_module("monitoring.migrations.0002_seed_targets").seed(apps, None)
    # A staff account without the dashboard's permission: the app's 403 page.
    UserFactory(username=f"clerk-{ui.viewport.name}", is_staff=True)
    operator = StaffFactory(username=f"operator-{ui.viewport.name}")
    ui.problems.expected_errors.update({"/nowhere/", "/entries/999999/", "/admin/monitoring/dashboard/", "/oops/"})
    for scheme in ("light", "dark"):
        context = ui.new_context(color_scheme=scheme)
        # The 500 page as the handler sends it (rendered without a request, nothing can fail it).
        context.route(
            re.compile(r"/oops/$"),
            lambda route: route.fulfill(status=500, body=loader.render_to_string("500.html"), content_type="text/html"),
        )
        page = context.new_page()
        mode = f"{ui.viewport.name}, {scheme}"

        for path, name in [
            ("/", "landing"),
            ("/accounts/signup/", "sign up"),
            ("/nowhere/", "404"),
            ("/oops/", "500"),
        ]:
            page.goto(path)
            _check(page, name, mode)
        page.goto("/accounts/signup/")
        page.locator("#id_username").fill(writer.username)
        page.locator("#id_password1").fill("short")
        page.locator("#id_password2").fill("other")
        page.locator("main form").get_by_role("button", name="Sign up").click()
        expect(page.locator(".field.has-error").first).to_be_visible()
        _check(page, "sign up, with errors", mode)
        page.goto("/login/")
        page.get_by_label("Username").fill(writer.username)
        page.get_by_label("Password").fill("not the passphrase")
        page.locator("main").get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_be_visible()
        _check(page, "sign in, wrong password", mode)

        log_in(page, writer.username, PASSWORD)
        for path, name in _signed_in_pages(ids):
            page.goto(path)
            _check(page, name, mode)
            if path == "/calendar/":
                # The count on a day (one character, which axe leaves to review) was 4.4:1 on the
                # low and good days' tints in light.
                assert lowest_contrast(page, ".day-count") >= 4.5
        page.goto("/entries/new/")
        page.get_by_label("Entry").fill("Checking the **preview**.")
        expect(page.locator("[data-preview-target] strong")).to_have_text("preview")
        _check(page, "write, with the preview", mode)
        page.get_by_label("Entry").fill("")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".field.has-error").first).to_be_visible()
        _check(page, "write, with errors", mode)
        page.goto("/export/")
        page.locator("input[type=file]").set_input_files(
            {"name": "journal.json", "mimeType": "application/json", "buffer": b"{not json"}
        )
        page.get_by_role("button", name="Import").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        _check(page, "import, a bad file", mode)
        context.clear_cookies()

        log_in(page, f"clerk-{ui.viewport.name}", PASSWORD)
        page.goto("/admin/monitoring/dashboard/")
        _check(page, "403", mode)
        context.clear_cookies()
        log_in(page, operator.username, PASSWORD)
        # The pages above as the charts' history (the per-minute roll-up takes settled minutes).
        collector.flush()
        monitoring_services.rollup_windows(now=timezone.now() + datetime.timedelta(minutes=2))
        page.goto("/admin/monitoring/dashboard/")
        _check(page, "monitoring dashboard", mode)
        # A target's threshold, labelled in the chart (text in an SVG image, which axe leaves to
        # review) was 3.4:1 on the admin's dark background.
        assert lowest_contrast(page, ".chart .threshold-label") >= 4.5
        context.close()
    # The 403, 404 and 500 answers are the point of four of the pages above.
    ui.problems.errors[:] = [e for e in ui.problems.errors if not re.search(r"status of (403|404|500)\b", e)]
