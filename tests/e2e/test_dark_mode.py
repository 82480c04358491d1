"""Dark mode follows the system setting, and stays readable (axe's contrast rules in dark)."""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import expect

from entries import services as entry_services
from sessions_app import services as session_services
from tests.e2e.support import Browser, audit, log_in


def background_luminance(page) -> float:
    return page.evaluate(
        """() => {
        const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    }"""
    )


def test_dark_mode_follows_the_system_and_keeps_contrast(ui: Browser, writer) -> None:
    today = entry_services.local_today(writer)
    for days, mood in enumerate([4, 2, 5, 3, 4]):
        entry_services.entry_create(
            user=writer,
            title=f"Night notes {days}",
            body="A calm evening with a **good book** and tea." if mood > 3 else "Restless; too much coffee.",
            mood=mood,
            tags=["evenings"],
            entry_date=today - datetime.timedelta(days=days * 3),
        )
    session = session_services.session_create(user=writer, title="Winding down")
    session_services.message_post(user=writer, session_id=session.pk, content="I can't switch off after work.")
    entry = writer.journal_entries.order_by("pk").first()

    page = ui.new_page(color_scheme="dark")
    page.goto("/")
    assert background_luminance(page) < 0.2, "the system asks for dark, the page is light"
    audit(page, f"landing, dark ({ui.viewport.name})")

    log_in(page, writer.username)
    pages = [
        ("/today/", "today"),
        ("/entries/", "list"),
        ("/search/?q=book", "search"),
        ("/calendar/", "calendar"),
        ("/insights/", "insights"),
        (f"/reflect/{session.pk}/", "chat"),
        # The red buttons: white on the dark theme's light red was 2.3:1.
        (f"/entries/{entry.pk}/delete/", "delete entry"),
        ("/accounts/settings/", "settings"),
        ("/accounts/delete/", "delete account"),
    ]
    for path, name in pages:
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        audit(page, f"{name}, dark ({ui.viewport.name})")
        if name in ("today", "insights", "chat"):
            ui.screenshot(page, f"dark-{name}", from_top=name != "chat")
    page.goto("/entries/new/")
    page.get_by_label("Entry").fill("Checking the **preview** in the dark.")
    expect(page.locator("[data-preview-target] strong")).to_have_text("preview")
    audit(page, f"write, dark ({ui.viewport.name})")

    # And back to light when the system changes its mind, without a reload.
    page.emulate_media(color_scheme="light")
    assert background_luminance(page) > 0.8
    expect(page).to_have_url(re.compile(r"/entries/new/$"))
