"""The core flows with JavaScript switched off: plain forms and links all the way (CONTRACT §5)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.support import PASSWORD, Browser, nav, no_horizontal_scroll


def test_core_flows_work_without_javascript(ui: Browser) -> None:
    page = ui.new_page(java_script_enabled=False)
    username = f"nojs-{ui.viewport.name}"

    page.goto("/accounts/signup/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    ui.press(page.locator("main form").get_by_role("button", name="Sign up"))
    expect(page).to_have_url(re.compile(r"/today/$"))

    # Today: a body with an error first (nothing written), shown next to the field.
    ui.press(page.get_by_role("button", name="Save entry"))
    expect(page.locator("#id_body_error")).to_contain_text("This field is required.")
    expect(page.get_by_label("Entry")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Entry").fill("Quiet morning, *no* screens until nine.")
    ui.press(page.get_by_role("radio", name="Okay"))
    page.get_by_label("Tags").fill("mornings")
    ui.press(page.get_by_role("button", name="Save entry"))
    expect(page).to_have_url(re.compile(r"/entries/\d+/$"))
    expect(page.locator(".entry-body em")).to_have_text("no")
    expect(page.locator(".entry-meta")).to_contain_text("Mood: Okay")

    # The full editor's Preview button renders on the server.
    page.goto("/entries/new/")
    page.get_by_label("Title").fill("Server preview")
    page.get_by_label("Entry").fill("# Heading\n\nA **bold** claim about breakfast.")
    ui.press(page.get_by_role("button", name="Preview"))
    expect(page.locator("[data-preview-target] strong")).to_have_text("bold")
    expect(page.get_by_label("Title")).to_have_value("Server preview")
    ui.press(page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_role("status")).to_contain_text("Entry saved.")

    nav(page, ui, "Search")
    page.get_by_role("searchbox").fill("breakfast")
    ui.press(page.locator("main form").get_by_role("button", name="Search"))
    expect(page.locator(".entry-card mark").first).to_have_text(re.compile("breakfast", re.I))

    nav(page, ui, "Insights")
    expect(page.get_by_role("img", name=re.compile("Mood and sentiment"))).to_be_visible()

    # A reflection session: messages are form posts, the reply is there after the redirect.
    nav(page, ui, "Reflect")
    ui.press(page.get_by_role("button", name="Start", exact=True))
    page.get_by_label("Your message").fill("I keep putting off a hard conversation with a friend.")
    ui.press(page.get_by_role("button", name="Send"))
    log = page.get_by_role("list", name="Conversation")
    expect(log.locator(".bubble.user")).to_have_count(1)
    expect(log.locator(".bubble.companion")).to_have_count(2)
    ui.press(page.get_by_role("link", name="End session…"))
    ui.press(page.get_by_role("button", name="End session"))
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    no_horizontal_scroll(page, "ended session")

    page.goto("/export/")
    with page.expect_download() as download_info:
        ui.press(page.get_by_role("link", name="Download JSON"))
    assert len(json.loads(Path(download_info.value.path()).read_bytes())["entries"]) == 3

    ui.press(page.get_by_role("button", name="Log out"))
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
