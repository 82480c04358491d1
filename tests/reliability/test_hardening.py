"""Hardening at the defaults people will run: throttles and lockout, size limits, CSRF on every
form, and the production profile's headers and cookies.

Existing tests cover the mechanisms with lowered limits (tests/accounts/api/test_brute_force.py,
tests/entries/api/test_export.py, tests/core/test_errors.py, tests/core/test_settings_profiles.py);
these check the numbers CONTRACT §3 promises and the whole surface at once.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from entries import services as entry_services
from entries.models import Entry
from sessions_app import services as session_services
from tests.conftest import make_api_client
from tests.factories import PASSWORD, UserFactory
from tests.reliability.conftest import record
from tests.support.redis_server import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("knowledge_base")]
ROOT = Path(__file__).resolve().parents[2]

# CONTRACT §3: auth 10/min per IP, search 60/min, companion messages 30/min, export and import 10/hour.
CONTRACT_RATES = {"auth": "10/min", "search": "60/min", "companion": "30/min", "export": "10/hour", "import": "10/hour"}


def test_the_throttle_defaults_are_the_contracts(settings):
    # The contract's, plus the reset e-mails of the browser's "Forgot your password?".
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {**CONTRACT_RATES, "password_reset": "5/hour"}


def _auth(client: Any, n: int) -> Any:
    # A new username each time: the per-user lockout must not be what answers 429.
    return client.post("/api/v1/auth/token/", {"username": f"nobody{n}", "password": "wrong-password"}, format="json")


def _search(client: Any, n: int) -> Any:
    return client.get("/api/v1/entries/", {"q": f"walk{n}"})


def _companion(client: Any, n: int) -> Any:
    if not hasattr(client, "session_id"):
        client.session_id = session_services.session_create(user=client.user).pk
    return client.post(f"/api/v1/sessions/{client.session_id}/messages/", {"content": f"Note {n}."}, format="json")


def _export(client: Any, n: int) -> Any:
    return client.get("/api/v1/export/")


def _import(client: Any, n: int) -> Any:
    return client.post("/api/v1/import/", {"entries": [{"title": f"t{n}", "body": "b"}]}, format="json")


THROTTLED = [("auth", 10, 60, _auth), ("search", 60, 60, _search), ("companion", 30, 60, _companion)]
THROTTLED += [("export", 10, 3600, _export), ("import", 10, 3600, _import)]


@pytest.mark.parametrize(("scope", "allowed", "period", "request_once"), THROTTLED, ids=[t[0] for t in THROTTLED])
def test_throttles_answer_429_with_retry_after_at_the_contract_rate(scope, allowed, period, request_once, user):
    client = make_api_client(user)
    if scope == "auth":
        client.credentials()  # anonymous: counted per IP
    for n in range(allowed):
        response = request_once(client, n)
        assert response.status_code != 429, (scope, n)
    refused = request_once(client, allowed)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= period
    # Per person (per IP for auth): someone else is not held back by it.
    other = make_api_client(UserFactory())
    if scope == "auth":
        other.credentials()
        assert request_once(other, allowed + 1).status_code == 429  # same IP: same budget
        assert (
            other.post(
                "/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json", REMOTE_ADDR="10.1.2.3"
            ).status_code
            == 401
        )
    else:
        assert request_once(other, 0).status_code != 429
    record("hardening: throttles checked at contract rates")


def test_login_lockout_on_the_page_and_the_api_says_when_to_retry(client, api_client, user, settings):
    assert settings.AXES_FAILURE_LIMIT == 10
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": user.username, "password": "wrong-password"})
    page = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert page.status_code == 429
    assert int(page["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    api = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert api.status_code == 429  # the same person and address, through the API: locked out too
    assert api.json()["error"]["code"] == "locked_out"
    assert int(api["Retry-After"]) > 0


# --- Size limits ------------------------------------------------------------------------


def test_a_body_over_the_upload_limit_is_a_413_json(auth_client, settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2 * 1024 * 1024
    body = json.dumps({"title": "big", "body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = auth_client.generic("POST", "/api/v1/entries/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_an_entry_body_over_its_limit_is_a_400_not_a_413(auth_client):
    response = auth_client.post("/api/v1/entries/", {"title": "long", "body": "x" * 100_001}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()["error"]["fields"]


def test_an_import_file_over_25_mb_is_refused_and_nothing_is_imported(auth_client, browser_client, user):
    big = b'{"entries": [' + b" " * (25 * 1024 * 1024) + b"]}"
    response = auth_client.post("/api/v1/import/", {"file": SimpleUploadedFile("big.json", big)}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    page = browser_client.post("/export/", {"file": SimpleUploadedFile("big.json", big)})
    assert page.status_code == 200
    assert "larger than 25 MB" in page.content.decode()
    assert not Entry.objects.filter(user=user).exists()


def test_a_page_post_over_the_limit_gets_the_friendly_400(browser_client, settings):
    response = browser_client.post(
        "/entries/new/", {"title": "t", "body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    assert response.status_code == 400
    assert b"Traceback" not in response.content


# --- CSRF on every form -------------------------------------------------------------------

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def post_forms(html: str, page: str) -> list[str]:
    """The action of every POST form on a page, after checking that each carries the token."""
    actions = []
    for attributes, inner in FORM.findall(html):
        if 'method="post"' not in attributes.lower():
            continue
        assert 'name="csrfmiddlewaretoken"' in inner, f"a form on {page} has no CSRF token"
        action = re.search(r'action="([^"]*)"', attributes)
        actions.append(action.group(1) if action and action.group(1) else page)
    return actions


def test_every_form_carries_the_csrf_token_and_a_post_without_it_is_refused(user):
    entry = entry_services.entry_create(user=user, title="Mine", body="Words.")
    session = session_services.session_create(user=user)
    signed_in = Client()
    signed_in.force_login(user)
    pages = [
        "/today/",
        "/entries/",
        "/entries/new/",
        f"/entries/{entry.pk}/edit/",
        f"/entries/{entry.pk}/delete/",
        "/reflect/",
        f"/reflect/{session.pk}/",
        f"/reflect/{session.pk}/end/",
        "/library/box-breathing/",
        "/export/",
        "/accounts/settings/",
        "/accounts/password/",
        "/accounts/delete/",
    ]
    actions = set()
    for page in pages:
        response = signed_in.get(page)
        assert response.status_code == 200, page
        actions.update(post_forms(response.content.decode(), page))
    anonymous = Client()
    for page in ("/login/", "/accounts/signup/"):
        actions.update(post_forms(anonymous.get(page).content.decode(), page))
    actions.add("/entries/preview/")  # posted by entries.js, not by a form
    assert len(actions) >= 12, actions

    attacker = Client(enforce_csrf_checks=True)
    attacker.force_login(user)
    for action in sorted(actions):
        response = attacker.post(
            action, {"title": "forged", "body": "forged", "content": "forged", "password": PASSWORD}
        )
        assert response.status_code == 403, action
        assert b"Traceback" not in response.content
    api = attacker.post("/api/v1/entries/", {"title": "forged", "body": "forged"}, content_type="application/json")
    assert api.status_code == 403  # the session-authenticated API needs the token too
    assert api.json()["error"]["code"] in ("permission_denied", "csrf_failed")
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert not Entry.objects.filter(title="forged").exists()
    assert Entry.objects.filter(pk=entry.pk).exists()
    record("hardening: forms with a CSRF token, refused without it", len(actions))


# --- The production profile ---------------------------------------------------------------

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# Production serves hashed static files from `collectstatic`'s manifest, which a test run
# has not built: plain static storage here; every security setting stays production's.
static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
plain_static = {**settings.STORAGES, "staticfiles": static}
with override_settings(STORAGES=plain_static):
    client = Client()
    https = client.get("/login/", secure=True)
    plain = client.get("/login/")
    probe = client.get("/health/live/")
print(json.dumps({
    "hsts": https.get("Strict-Transport-Security"),
    "csp": https.get("Content-Security-Policy"),
    "cookies": {name: {"secure": bool(m["secure"]), "samesite": m["samesite"]} for name, m in https.cookies.items()},
    "plain": [plain.status_code, plain.get("Location")],
    "probe": probe.status_code,
    "session": [settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY],
}))
"""


def test_the_production_profile_sends_hsts_csp_and_secure_cookies():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "journal_project.settings.production",
        "SECRET_KEY": "a-production-secret-key-for-this-test-only-0123456789abcdef",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # unused by these pages
        "LOG_LEVEL": "ERROR",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "unsafe-inline" not in seen["csp"]
    assert "upgrade-insecure-requests" in seen["csp"]
    assert seen["cookies"]["__Host-csrftoken"] == {"secure": True, "samesite": "Lax"}
    assert seen["session"] == ["__Host-sessionid", True, True]
    assert seen["plain"][0] == 301
    assert seen["plain"][1].startswith("https://")
    assert seen["probe"] == 200  # the load balancer's plain-HTTP probe is not redirected


def test_every_page_sends_a_csp_without_unsafe_inline(browser_client, user):
    entry = entry_services.entry_create(user=user, title="Mine", body="Words.")
    for page in ("/", "/today/", "/entries/", f"/entries/{entry.pk}/", "/search/?q=words", "/calendar/", "/insights/"):
        csp = browser_client.get(page)["Content-Security-Policy"]
        assert "unsafe-inline" not in csp, page
        assert "script-src 'self'" in csp, page
    for page in ("/reflect/", "/library/", "/export/", "/accounts/settings/", "/login/", "/api/v1/docs/"):
        assert "unsafe-inline" not in browser_client.get(page).get("Content-Security-Policy", "unsafe-inline"), page


@pytest.mark.fault
def test_the_login_lockout_holds_while_redis_is_down(client, api_client, user, settings, redis_proxy):
    """Counted in Redis, failed logins went uncounted during an outage: unlimited guesses."""
    redis_proxy.cut()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": user.username, "password": "wrong-password"})
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 429
    api = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert api.status_code == 429
    redis_proxy.restore()  # and the lockout outlives the outage: it is in PostgreSQL
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 429
