"""The interactive API docs render in a browser that watches for errors (CSP included)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.support import Browser, log_in


def test_the_api_docs_render_without_a_console_error(desktop_ui: Browser, writer) -> None:
    page = desktop_ui.new_page()
    log_in(page, writer.username)
    page.goto("/api/v1/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
