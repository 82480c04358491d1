"""Fixtures of the browser tests (helpers in tests/e2e/support.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e import support

# Playwright's sync API keeps an event loop in the test's thread; the ORM calls a test makes
# between two browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_HERE = Path(__file__).parent
expect.set_options(timeout=support.TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.path)).is_relative_to(_HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium for the whole run; each test opens its own contexts."""
    if not os.path.exists(support.CHROMIUM):
        message = f"Chromium not found at {support.CHROMIUM} (apt-get install chromium, or set E2E_CHROMIUM)"
        if os.environ.get("E2E_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=support.CHROMIUM, args=support.LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(params=support.VIEWPORTS, ids=lambda viewport: viewport.name)
def viewport(request: pytest.FixtureRequest) -> support.Viewport:
    return request.param


@pytest.fixture
def knowledge(transactional_db) -> Iterator[None]:
    """The shipped knowledge base (a transactional test starts from empty tables)."""
    from sessions_app import knowledge as shipped
    from sessions_app import selectors, services

    services.knowledge_load(items=shipped.items())
    selectors._kb_memo.clear()
    yield
    selectors._kb_memo.clear()


def _ui(chromium: Any, live_server: Any, viewport: support.Viewport) -> Iterator[support.Browser]:
    browser = support.Browser(chromium, live_server.url, viewport)
    try:
        yield browser
        browser.assert_clean()
    finally:
        browser.close()


@pytest.fixture
def ui(chromium: Any, live_server: Any, viewport: support.Viewport, knowledge: None) -> Iterator[support.Browser]:
    """A watched browser on the live server, on each viewport (the test runs once per viewport)."""
    yield from _ui(chromium, live_server, viewport)


@pytest.fixture
def desktop_ui(chromium: Any, live_server: Any, knowledge: None) -> Iterator[support.Browser]:
    """The same on the desktop viewport only."""
    yield from _ui(chromium, live_server, support.DESKTOP)


@pytest.fixture
def writer(transactional_db) -> Any:
    """A person with a journal account (their time zone: the phone's, far from UTC)."""
    from journal_project.accounts.models import Profile
    from tests.factories import UserFactory

    user = UserFactory()
    Profile.objects.update_or_create(user=user, defaults={"time_zone": support.PHONE.time_zone})
    return user


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not support.AUDITED:
        return
    minor = sorted({item for _, _, found in support.AUDITED for item in found})
    terminalreporter.write_sep("-", "axe-core accessibility audit")
    terminalreporter.write_line(
        f"{len(support.AUDITED)} page audits, no serious or critical violations"
        + (f"; minor/moderate: {', '.join(minor)}" if minor else "; nothing else either")
    )
