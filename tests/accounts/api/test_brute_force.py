"""Throttling on the auth endpoints (per IP) and the lockout after repeated failures (per user + IP)."""

import pytest

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


def test_auth_endpoints_are_throttled_per_ip_with_retry_after(api_client, settings):
    for _ in range(10):
        api_client.post(TOKEN_URL, {"username": "nobody", "password": "whatever-it-is"})
    response = api_client.post(TOKEN_URL, {"username": "nobody", "password": "whatever-it-is"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_another_ip_is_not_throttled(api_client):
    for _ in range(11):
        api_client.post(TOKEN_URL, {"username": "nobody", "password": "x"}, REMOTE_ADDR="10.0.0.1")
    response = api_client.post(TOKEN_URL, {"username": "nobody", "password": "x"}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 401


@pytest.fixture
def generous_auth_throttle(settings):
    """Take the per-IP throttle out of the way to see the lockout on its own."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "1000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.mark.usefixtures("generous_auth_throttle")
def test_repeated_failures_lock_the_account_out_even_with_the_right_password(api_client, user, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api_client.post(TOKEN_URL, {"username": user.username, "password": "wrong-password"}).status_code == 401
    # The failure that reaches the limit is already answered as a lockout.
    assert api_client.post(TOKEN_URL, {"username": user.username, "password": "wrong-password"}).status_code == 429
    response = api_client.post(TOKEN_URL, {"username": user.username, "password": password})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert int(response["Retry-After"]) > 0


@pytest.mark.usefixtures("generous_auth_throttle")
def test_lockout_is_per_user_and_ip(api_client, user, other_user, password):
    for _ in range(12):
        api_client.post(TOKEN_URL, {"username": user.username, "password": "wrong-password"})
    assert api_client.post(TOKEN_URL, {"username": other_user.username, "password": password}).status_code == 200
    response = api_client.post(TOKEN_URL, {"username": user.username, "password": password}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200


def test_browser_login_is_locked_out_too(client, user, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": user.username, "password": "wrong-password"})
    response = client.post("/login/", {"username": user.username, "password": password})
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
