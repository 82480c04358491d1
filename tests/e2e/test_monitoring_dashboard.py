"""Staff: the admin monitoring dashboard (CONTRACT §4) draws its charts from real traffic."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from monitoring import services as monitoring_services
from monitoring.collector import collector
from tests.e2e.support import Browser, audit, log_in, nav, no_horizontal_scroll
from tests.factories import StaffFactory


def test_staff_sees_the_dashboard_charts(ui: Browser) -> None:
    # The targets of the data migration (transactional tests start from empty tables).
    importlib.import_module("monitoring.migrations.0002_seed_targets").seed(apps, None)
    staff = StaffFactory(username=f"operator-{ui.viewport.name}")
    page = ui.new_page()
    log_in(page, staff.username)

    # Some real traffic through the live server: pages, a search, the library, a session.
    for path in ("/today/", "/entries/", "/search/?q=sleep", "/insights/", "/library/"):
        page.goto(path)
    nav(page, ui, "Reflect")
    ui.press(page.get_by_role("button", name="Start", exact=True))
    page.get_by_label("Your message").fill("Busy week, but sleeping better.")
    ui.press(page.get_by_role("button", name="Send"))
    expect(page.locator(".bubble.companion")).to_have_count(2)
    page.reload()

    # What the per-process flush and the per-minute roll-up task do; the roll-up only takes
    # settled minutes, so it is asked as if two minutes had passed.
    collector.flush()
    assert monitoring_services.rollup_windows(now=timezone.now() + timedelta(minutes=2)) > 0

    nav(page, ui, "Admin")
    ui.press(page.get_by_role("link", name="Monitoring dashboard"))
    expect(page).to_have_url(re.compile(r"/admin/monitoring/dashboard/$"))
    expect(page.get_by_role("heading", name="Targets now")).to_be_visible()

    charts = page.locator("figure.chart")
    expect(charts).to_have_count(6)
    for index in range(6):
        chart = charts.nth(index)
        caption = chart.locator("figcaption").inner_text()
        assert "no data" not in caption, f"{caption}: empty after real traffic"
        expect(chart.get_by_role("img", name=caption.strip())).to_be_visible()
        # A line, or a dot where a series has a single point.
        assert chart.locator("path.line, circle.dot").count() > 0, f"{caption}: nothing drawn"
        box = chart.locator("svg").bounding_box()
        assert box is not None
        assert box["width"] > 200, f"{caption}: drawn too narrow ({box})"
        assert box["height"] > 60, f"{caption}: drawn too flat ({box})"
    expect(page.locator(".monitoring-table").first).to_contain_text("Session retrieval")
    expect(page.get_by_role("heading", name="Health checks")).to_be_visible()

    ui.press(page.get_by_role("link", name="last day"))
    expect(page).to_have_url(re.compile(r"period=day"))
    expect(charts).to_have_count(6)

    audit(page, f"monitoring dashboard ({ui.viewport.name})")
    no_horizontal_scroll(page, "monitoring dashboard")
    ui.screenshot(page, "monitoring")
