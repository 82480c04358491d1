"""PostgreSQL unreachable: the API answers 503 in the error shape, pages a friendly 503, nobody
sees a traceback, and the app recovers by itself when the database returns.

The app runs in its own process (`manage.py runserver`, the base settings as an operator
would run them) against this run's test database through a TcpProxy; the test cuts and
restores the proxy and keeps its own connection for setup.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from entries import services as entry_services
from journal_project.accounts.services import token_issue
from tests.factories import UserFactory
from tests.monitoring.support import SmtpReceiver
from tests.reliability.conftest import record
from tests.support.app_server import AppServer, serving, suite_cache_env, suite_database_url
from tests.support.proxy import TcpProxy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]

CONNECT_TIMEOUT = 1  # DATABASE_CONNECT_TIMEOUT for the server: how long a request waits for PostgreSQL
LEAKS = ("Traceback", "OperationalError", "psycopg", 'File "', "127.0.0.1:", "test_journal_")


@pytest.fixture
def database_proxy() -> Iterator[TcpProxy]:
    database = connection.settings_dict
    proxy = TcpProxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    try:
        yield proxy
    finally:
        proxy.close()


def _server_behind(database_proxy: TcpProxy, environment: dict[str, str]) -> Iterator[AppServer]:
    """An app server whose PostgreSQL is reached through the proxy the test can cut."""
    # The suite's key space, so the session the test logs in is the server's too.
    env = {
        "DATABASE_URL": suite_database_url(f"127.0.0.1:{database_proxy.port}"),
        **suite_cache_env(),
        "DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        **environment,
    }
    with serving(env) as server:
        yield server


@pytest.fixture
def app_server(database_proxy: TcpProxy) -> Iterator[AppServer]:
    yield from _server_behind(database_proxy, {})


def assert_no_leak(body: str) -> None:
    for word in LEAKS:
        assert word not in body, word


def test_database_down_answers_503_and_recovers_by_itself(app_server: AppServer, database_proxy: TcpProxy):
    user = UserFactory()
    entry = entry_services.entry_create(user=user, title="Safe and sound", body="Written before the outage.")
    token = token_issue(user=user).raw
    browser = Client()
    browser.force_login(user)
    api = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    page = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"}
    write = json.dumps({"title": "During the outage", "body": "Will it be saved?"})

    def sweep() -> dict[str, tuple[int, dict[str, str], str]]:
        return {
            "api read": app_server.request("GET", f"/api/v1/entries/{entry.pk}/", api),
            "api list": app_server.request("GET", "/api/v1/entries/", api),
            "api write": app_server.request(
                "POST", "/api/v1/entries/", {**api, "Content-Type": "application/json"}, write
            ),
            "page": app_server.request("GET", "/entries/", page),
            "page detail": app_server.request("GET", f"/entries/{entry.pk}/", page),
        }

    before = sweep()
    assert {name: answer[0] for name, answer in before.items()} == {
        "api read": 200,
        "api list": 200,
        "api write": 201,
        "page": 200,
        "page detail": 200,
    }

    # --- PostgreSQL refuses connections (a stopped server) -----------------------------
    database_proxy.cut()
    down = sweep()
    for name, (status, headers, body) in down.items():
        assert status == 503, (name, status, body[:300])
        assert int(headers["Retry-After"]) > 0
        assert_no_leak(body)
        if name.startswith("api"):
            assert headers["Content-Type"] == "application/json"
            assert json.loads(body) == {
                "error": {
                    "code": "service_unavailable",
                    "message": "The service is temporarily unavailable. Please retry shortly.",
                }
            }
        else:
            assert headers["Content-Type"].startswith("text/html")
            assert "back in a moment" in body.lower()
            assert "Your saved entries are safe" in body
    assert app_server.request("GET", "/health/live/")[0] == 200  # the process is alive ...
    assert app_server.request("GET", "/health/ready/")[0] != 200  # ... but not ready for traffic

    # --- PostgreSQL black-holed (a dead host): a request waits the connect timeout, no longer
    database_proxy.hang()
    started = time.monotonic()
    status, _, body = app_server.request("GET", "/api/v1/entries/", api)
    waited = time.monotonic() - started
    assert status == 503
    assert_no_leak(body)
    assert waited < CONNECT_TIMEOUT + 3, waited

    # --- PostgreSQL is back: the very next requests succeed, nobody restarts anything ---
    database_proxy.restore()
    after = sweep()
    assert {name: answer[0] for name, answer in after.items()} == {
        "api read": 200,
        "api list": 200,
        "api write": 201,
        "page": 200,
        "page detail": 200,
    }
    assert json.loads(after["api read"][2])["title"] == "Safe and sound"
    # Only the writes made while the database answered exist: none was half-made.
    assert user.journal_entries.filter(title="During the outage").count() == 2
    record("fault: postgresql down: requests answered 503", len(down) + 1)
    record("fault: postgresql down: seconds a request waited on a black-holed database", round(waited, 1))


@pytest.fixture
def relay() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    try:
        yield receiver
    finally:
        receiver.close()


@pytest.fixture
def mailing_app_server(database_proxy: TcpProxy, relay: SmtpReceiver) -> Iterator[AppServer]:
    yield from _server_behind(
        database_proxy,
        {
            "ADMIN_EMAILS": "ops@example.test",
            "EMAIL_URL": f"smtp://127.0.0.1:{relay.port}",
            "METRICS_TOKEN": "metrics-token",
        },
    )


def test_a_database_outage_is_logged_once_a_request_not_mailed_once_a_request(
    mailing_app_server: AppServer, database_proxy: TcpProxy, relay: SmtpReceiver
):
    # Every request answered 503 during the outage also mailed the admins ("Service
    # Unavailable: /api/v1/entries/"), from inside the request: thousands of mails a
    # minute under load, each one holding a worker for the relay's round trip.
    user = UserFactory()
    token = token_issue(user=user).raw
    api = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    browser = Client()
    browser.force_login(user)
    page = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"}
    database_proxy.cut()
    answers = [
        mailing_app_server.request("GET", "/api/v1/entries/", api)[0],
        mailing_app_server.request("GET", "/api/v1/entries/", api)[0],
        mailing_app_server.request("GET", "/metrics", {"Authorization": "Bearer metrics-token"})[0],
        mailing_app_server.request("GET", "/entries/", page)[0],
        mailing_app_server.request("GET", "/health/ready/")[0],
    ]
    # The scraper is not left blind: what Redis holds is served, the outage's 503s among it.
    status, _, metrics = mailing_app_server.request("GET", "/metrics", {"Authorization": "Bearer metrics-token"})
    database_proxy.restore()
    assert answers[:4] == [503, 503, 200, 503]
    assert answers[4] != 200
    assert relay.received == []
    log = mailing_app_server.log_path.read_text()
    assert log.count("Database unavailable: OperationalError") >= 4  # what operators read instead
    assert status == 200
    assert 'journal_http_request_duration_seconds_count{method="GET",route="/api/v1/entries/",status="5xx"}' in metrics
    assert "journal_target_threshold{" not in metrics  # the targets live in the database
