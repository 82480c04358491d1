"""Sign-in ignores the username's case, as registration does; so does the lockout."""

import pytest

from journal_project.accounts.backends import canonical_username
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def alice(db):
    return UserFactory(username="Alice")


@pytest.mark.parametrize("typed", ["alice", "ALICE", "aLiCe", "Alice"])
def test_the_api_token_is_issued_whatever_the_case(api_client, alice, typed):
    response = api_client.post(TOKEN_URL, {"username": typed, "password": PASSWORD})
    assert response.status_code == 200, response.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert api_client.get("/api/v1/auth/me/").json()["username"] == "Alice"  # the account's own spelling


def test_the_login_page_signs_in_whatever_the_case(client, alice):
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
    assert client.get("/accounts/settings/").status_code == 200


def test_the_wrong_password_in_another_case_is_still_refused(api_client, client, alice):
    assert api_client.post(TOKEN_URL, {"username": "alice", "password": "not-the-password"}).status_code == 401
    assert b"errorlist" in client.post("/login/", {"username": "ALICE", "password": "nope"}).content


def test_a_name_no_account_has_is_kept_as_typed(alice):
    assert canonical_username("nobody-here") == "nobody-here"
    assert canonical_username("aLICE") == "Alice"


@pytest.fixture
def generous_auth_throttle(settings):
    """Take the per-IP throttle out of the way to see the lockout on its own."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "1000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.mark.usefixtures("generous_auth_throttle")
def test_failures_in_any_case_count_against_the_one_account(api_client, alice, settings):
    """Counted by the text typed, every spelling of the name got its own full set of guesses."""
    spellings = ["alice", "ALICE", "Alice", "aLICE", "alicE"]
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        typed = spellings[attempt % len(spellings)]
        assert api_client.post(TOKEN_URL, {"username": typed, "password": "wrong"}).status_code == 401
    assert api_client.post(TOKEN_URL, {"username": "aLiCe", "password": "wrong"}).status_code == 429
    response = api_client.post(TOKEN_URL, {"username": "ALiCE", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


def test_a_refused_login_does_not_say_the_username_may_be_case_sensitive(client, alice):
    """Django's message ended "Note that both fields may be case-sensitive.": here the
    username is not, and only the password is worth checking for Caps Lock."""
    page = client.post("/login/", {"username": "ALICE", "password": "Wrong-" + PASSWORD}).content.decode()
    assert "both fields may be case-sensitive" not in page
    assert "The password is case-sensitive; the username is not." in page


def test_a_name_typed_with_a_combining_accent_is_the_same_name(api_client):
    """Stored names are NFKC; "é" as "e" plus U+0301 (some keyboards send it so) did not sign in."""
    UserFactory(username="Zoé")
    response = api_client.post(TOKEN_URL, {"username": "zoe\u0301", "password": PASSWORD})
    assert response.status_code == 200, response.content


def test_the_admin_sign_in_says_the_username_s_case_does_not_matter(client, alice):
    response = client.post("/admin/login/?next=/admin/", {"username": "nobody", "password": "wrong"})
    page = response.content.decode()
    assert "case-sensitive; the username" in page
    assert "both fields may be case-sensitive" not in page
