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


@pytest.fixture
def behind_proxies(settings):
    def configure(count: int) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return configure


@pytest.mark.usefixtures("generous_auth_throttle")
def test_behind_a_proxy_someone_elses_failures_do_not_lock_the_owner_out(
    api_client, user, password, settings, behind_proxies
):
    # Every request arrives from the proxy (one REMOTE_ADDR); the proxy names the client.
    behind_proxies(1)
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.6"}
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        api_client.post(TOKEN_URL, {"username": user.username, "password": "wrong-password"}, **attacker)
    owner = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert api_client.post(TOKEN_URL, {"username": user.username, "password": password}, **owner).status_code == 200
    # The attacker stays locked out, even when writing another address in front of the proxy's.
    spoofed = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.6"}
    response = api_client.post(TOKEN_URL, {"username": user.username, "password": password}, **spoofed)
    assert response.status_code == 429


@pytest.mark.usefixtures("generous_auth_throttle")
def test_without_a_trusted_proxy_x_forwarded_for_changes_nothing(api_client, user, password, settings):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        api_client.post(
            TOKEN_URL, {"username": user.username, "password": "wrong-password"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )
    response = api_client.post(
        TOKEN_URL, {"username": user.username, "password": password}, HTTP_X_FORWARDED_FOR="192.0.2.99"
    )
    assert response.status_code == 429


@pytest.mark.usefixtures("generous_auth_throttle")
def test_a_forwarded_address_that_is_not_one_is_not_a_500(api_client, user, behind_proxies):
    behind_proxies(2)  # the client writes the entry the app reads when the chain is shorter
    response = api_client.post(
        TOKEN_URL, {"username": user.username, "password": "wrong-password"}, HTTP_X_FORWARDED_FOR="not-an-ip, 10.0.0.2"
    )
    assert response.status_code == 401
