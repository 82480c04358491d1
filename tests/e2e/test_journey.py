"""A person's whole first session, on a desktop and on a phone (CONTRACT §5, issue 8).

Sign up → today's prompt → write an entry with mood and tags (the preview renders the
Markdown) → the list → edit → search highlights the match → insights chart the data →
a reflection session (messages, replies, end, saved as an entry) → export → log out.
Every main page on the way is audited with axe-core and must not scroll sideways.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from entries import services as entry_services
from tests.e2e.support import PASSWORD, Browser, audit, nav, no_horizontal_scroll

TITLE = "Harbour walk at dawn"
BODY = "Walked along the **harbour** before work.\n\n- coffee from the kiosk\n- gulls, no wind\n\n> Small things count."


def check_page(page: Any, ui: Browser, label: str, *, screenshot: str | None = None, from_top: bool = True) -> None:
    audit(page, f"{label} ({ui.viewport.name})")
    no_horizontal_scroll(page, label)
    if screenshot:
        ui.screenshot(page, screenshot, from_top=from_top)


def seed_history(username: str) -> int:
    """Three weeks of earlier entries, so the list, calendar and chart have something to show."""
    user = get_user_model().objects.get(username=username)
    today = entry_services.local_today(user)
    moods = [3, 4, 2, 4, 5, 3, 4, 3, 5]
    for index, mood in enumerate(moods):
        entry_services.entry_create(
            user=user,
            title=f"Evening notes {index + 1}",
            body="Slept well, long walk, call with my sister." if mood > 3 else "Tired; the deadline is close.",
            mood=mood,
            tags=["walks"] if mood > 3 else ["work"],
            entry_date=today - datetime.timedelta(days=2 * (len(moods) - index)),
        )
    return len(moods)


def test_first_session_from_sign_up_to_log_out(ui: Browser) -> None:
    page = ui.new_page()
    username = f"ada-{ui.viewport.name}"
    local_today = datetime.datetime.now(ZoneInfo(ui.viewport.time_zone)).date()

    # --- Landing and sign up (a form error first, shown next to its field) -----------------
    page.goto("/")
    check_page(page, ui, "landing", screenshot="landing")
    ui.press(page.get_by_role("link", name="Start journaling"))
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    check_page(page, ui, "signup")
    # The browser's time zone is picked up for the person.
    expect(page.get_by_label("Time zone")).to_have_value(ui.viewport.time_zone)

    page.locator("#id_username").fill(username)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill("not the same passphrase")
    ui.press(page.locator("main form").get_by_role("button", name="Sign up"))
    confirmation = page.locator("#id_password2")
    expect(confirmation).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_password2_error")
    expect(error).to_contain_text("didn’t match")
    # Next to the field (same field wrapper) and announced with it (aria-describedby).
    expect(page.locator(".field.has-error").filter(has=confirmation).locator(".errorlist")).to_be_visible()
    assert "id_password2_error" in (confirmation.get_attribute("aria-describedby") or "")
    check_page(page, ui, "signup with errors")

    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    ui.press(page.locator("main form").get_by_role("button", name="Sign up"))

    # --- Today's prompt, dated in the person's zone ----------------------------------------
    expect(page).to_have_url(re.compile(r"/today/$"))
    expect(page.get_by_role("status")).to_contain_text("Your journal is ready")
    expect(page.locator(".prompt")).not_to_be_empty()
    expect(page.locator(".prompt-card time")).to_have_attribute("datetime", local_today.isoformat())
    check_page(page, ui, "today")
    seeded = seed_history(username)
    page.reload()
    ui.screenshot(page, "today")

    # --- Write with mood, tags and a live preview ------------------------------------------
    ui.press(page.get_by_role("button", name="Full editor"))
    expect(page).to_have_url(re.compile(r"/entries/new/$"))
    expect(page.get_by_label("Date")).to_have_value(local_today.isoformat())
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Entry").fill(BODY)
    ui.press(page.get_by_role("radio", name="Good"))
    expect(page.get_by_role("radio", name="Good")).to_be_checked()
    page.get_by_label("Tags").fill("walks, gratitude")
    preview = page.locator("[data-preview-target]")
    expect(preview.locator("strong")).to_have_text("harbour")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview.locator("blockquote")).to_contain_text("Small things count.")
    check_page(page, ui, "write", screenshot="write")
    ui.press(page.get_by_role("button", name="Save", exact=True))

    expect(page).to_have_url(re.compile(r"/entries/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Entry saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".entry-body strong")).to_have_text("harbour")
    expect(page.locator(".entry-meta")).to_contain_text("Mood: Good")
    expect(page.get_by_role("list", name="Tags")).to_contain_text("gratitude")
    # Written "now", shown in the person's zone (Auckland's date is often not UTC's).
    expect(page.locator(".entry-detail footer")).to_contain_text(f"Written {short_date(local_today)}, ")
    detail_url = page.url
    check_page(page, ui, "detail", screenshot="detail")

    # --- The list -------------------------------------------------------------------------
    nav(page, ui, "Entries")
    expect(page.locator(".entry-card").first).to_contain_text(TITLE)
    expect(page.locator("main")).to_contain_text(f"{seeded + 1} entries")
    check_page(page, ui, "list", screenshot="list")

    # --- Edit -----------------------------------------------------------------------------
    ui.press(page.get_by_role("link", name=TITLE))
    ui.press(page.get_by_role("link", name="Edit"))
    body = page.get_by_label("Entry")
    body.fill(BODY + "\n\nOn the way back the lighthouse blinked twice.")
    ui.press(page.get_by_role("button", name="Save", exact=True))
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("status")).to_contain_text("Changes saved.")
    expect(page.locator(".entry-body")).to_contain_text("lighthouse blinked")

    # --- Search highlights the match -------------------------------------------------------
    nav(page, ui, "Search")
    page.get_by_role("searchbox").fill("lighthouse")
    ui.press(page.locator("main form").get_by_role("button", name="Search"))
    expect(page.locator("main")).to_contain_text("1 result for “lighthouse”")
    expect(page.locator(".entry-card mark").first).to_have_text(re.compile("lighthouse", re.I))
    expect(page.locator(".entry-card h2")).to_contain_text(TITLE)
    check_page(page, ui, "search", screenshot="search")

    # --- Calendar and insights ----------------------------------------------------------------
    nav(page, ui, "Calendar")
    expect(page.locator("td.today.has-entries .day-count")).to_have_text("1")
    check_page(page, ui, "calendar", screenshot="calendar")

    nav(page, ui, "Insights")
    expect(page.locator(".stat").first).to_contain_text(str(seeded + 1))
    chart = page.get_by_role("img", name=re.compile("Mood and sentiment"))
    expect(chart).to_be_visible()
    # One mood dot per day with a mood in the window: the seeded days plus today.
    expect(chart.locator("circle.dot-mood")).to_have_count(seeded + 1)
    expect(chart.locator("polyline.line-mood")).to_have_count(1)
    expect(page.get_by_role("heading", name="Top tags").locator("xpath=..")).to_contain_text("walks")
    check_page(page, ui, "insights", screenshot="insights")

    # --- A reflection session --------------------------------------------------------------
    nav(page, ui, "Reflect")
    check_page(page, ui, "reflect list (empty)")
    page.get_by_label("Title").fill("Before the big meeting")
    ui.press(page.get_by_role("button", name="Start", exact=True))
    expect(page).to_have_url(re.compile(r"/reflect/\d+/$"))
    log = page.get_by_role("list", name="Conversation")
    expect(log.locator(".bubble.companion")).to_have_count(1)  # the opening question
    say(page, ui, "I always mess up presentations and everyone will think I'm useless.")
    expect(log.locator(".bubble.companion")).to_have_count(2)
    say(page, ui, "Last time it actually went fine, I was just tired and worried.")
    expect(log.locator(".bubble.companion")).to_have_count(3)
    expect(log.locator(".bubble.user")).to_have_count(2)
    check_page(page, ui, "chat", screenshot="chat", from_top=False)

    ui.press(page.get_by_role("link", name="End session…"))
    expect(page.get_by_role("checkbox", name=re.compile("Save the summary"))).to_be_checked()
    ui.press(page.get_by_role("button", name="End session"))
    expect(page.get_by_role("status")).to_contain_text("The summary is saved in your journal.")
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Saved to your journal")
    expect(page.get_by_role("link", name="open the entry")).to_have_attribute("href", re.compile(r"^/entries/\d+/$"))
    nav(page, ui, "Reflect")
    expect(page.locator(".session-list")).to_contain_text("Before the big meeting")
    expect(page.locator(".session-list time").first).to_contain_text(short_date(local_today))
    check_page(page, ui, "reflect list", screenshot="reflect")
    nav(page, ui, "Entries")
    expect(page.locator(".entry-card").filter(has_text="Before the big meeting")).to_have_count(1)

    # --- The library ------------------------------------------------------------------------
    nav(page, ui, "Library")
    check_page(page, ui, "library", screenshot="library")
    page.get_by_label("Search techniques").fill("gratitude")
    ui.press(page.locator("main form").get_by_role("button", name="Search"))
    expect(page).to_have_url(re.compile(r"\?q=gratitude"))
    expect(page.get_by_role("status")).to_contain_text("for “gratitude”")
    first = page.locator(".technique-grid h2 a").first
    name = first.inner_text()
    ui.press(first)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    check_page(page, ui, "technique")

    # --- Settings and export --------------------------------------------------------------------
    nav(page, ui, "Settings")
    expect(page.get_by_label("Time zone")).to_have_value(ui.viewport.time_zone)
    check_page(page, ui, "settings")
    ui.press(page.get_by_role("link", name="Export or import your journal"))
    expect(page).to_have_url(re.compile(r"/export/$"))
    check_page(page, ui, "export", screenshot="export")
    with page.expect_download() as download_info:
        ui.press(page.get_by_role("link", name="Download JSON"))
    download = download_info.value
    assert download.suggested_filename == f"journal-{local_today.isoformat()}.json"
    exported = json.loads(Path(download.path()).read_bytes())
    titles = {entry["title"] for entry in exported["entries"]}
    assert {TITLE, "Before the big meeting"} <= titles
    assert len(exported["entries"]) == seeded + 2
    (session,) = exported["sessions"]  # the reflection session, with every message
    assert [m["role"] for m in session["messages"]][:2] == ["companion", "user"]
    assert exported["profile"] == {"time_zone": ui.viewport.time_zone}
    with page.expect_download() as download_info:
        ui.press(page.get_by_role("link", name=re.compile("Download Markdown")))
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert any("lighthouse blinked" in archive.read(name).decode() for name in archive.namelist())
    assert any(name.startswith("sessions/") for name in archive.namelist())

    # --- Log out ----------------------------------------------------------------------------
    ui.press(page.get_by_role("button", name="Log out"))
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/today/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/today/$"))
    check_page(page, ui, "login", screenshot="login")


def short_date(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def say(page: Any, ui: Browser, text: str) -> None:
    """Send a chat message; while the companion answers, the page says so."""
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    page.route("**/api/v1/sessions/*/messages/", hold)
    page.get_by_label("Your message").fill(text)
    ui.press(page.get_by_role("button", name="Send"))
    expect(page.locator(".bubble.user").last).to_have_text(re.compile(re.escape(text)))
    pending = page.locator("#chat-pending")
    expect(pending).to_be_visible()
    expect(page.locator("#chat-form")).to_have_attribute("aria-busy", "true")
    for _ in range(50):  # each Playwright call lets the route handler run
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the message was not sent through the API"
    held[0].continue_()
    page.unroute("**/api/v1/sessions/*/messages/", hold)
    expect(pending).to_be_hidden()
    expect(page.get_by_label("Your message")).to_have_value("")
