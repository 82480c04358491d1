import pytest
from django.contrib.auth import get_user_model

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_signup_creates_account_logs_in_and_keeps_time_zone(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "grace", "email": "", "password1": PASSWORD, "password2": PASSWORD, "time_zone": "Europe/Rome"},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="grace")
    assert user.profile.time_zone == "Europe/Rome"
    assert client.get("/accounts/settings/").status_code == 200


def test_signup_offers_the_servers_time_zone_first(client, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    page = client.get("/accounts/signup/").content.decode()
    assert '<option value="Europe/Berlin" selected>' in page
    # The page's script may replace the default with the browser's zone, never a choice.
    assert 'data-detect-time-zone="Europe/Berlin"' in page
    again = client.post(
        "/accounts/signup/", {"username": "grace", "password1": "123", "password2": "123", "time_zone": "Asia/Tokyo"}
    ).content.decode()
    assert '<option value="Asia/Tokyo" selected>' in again
    assert 'data-detect-time-zone=""' in again


def test_signup_shows_password_errors_next_to_the_field(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "grace", "password1": "123", "password2": "123", "time_zone": "UTC"},
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not get_user_model().objects.filter(username="grace").exists()


def test_signup_rejects_taken_username_ignoring_case(client, user):
    response = client.post(
        "/accounts/signup/",
        {"username": user.username.upper(), "password1": PASSWORD, "password2": PASSWORD, "time_zone": "UTC"},
    )
    assert response.status_code == 200
    assert b"already exists" in response.content


def test_login_and_logout(client, user):
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/settings/").status_code == 200
    logged_out = client.post("/logout/")
    assert logged_out.status_code == 302
    assert logged_out["Clear-Site-Data"] == '"cache"'  # the browser forgets what it stored
    assert client.get("/accounts/settings/").status_code == 302


def test_logging_out_says_so(browser_client):
    """The page after logging out tells the person it worked (it looks like any signed-out visit otherwise)."""
    home = browser_client.post("/logout/", follow=True)
    assert home.redirect_chain[-1][0] == "/"
    assert "You are logged out." in home.content.decode()
    assert "You are logged out." not in browser_client.get("/").content.decode()  # said once


def test_wrong_password_shows_a_form_error(client, user):
    response = client.post("/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"errorlist" in response.content


def test_password_change(browser_client, user):
    response = browser_client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-7",
            "new_password2": "another-long-passphrase-7",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase-7")


def test_password_change_revokes_every_api_token(browser_client, user):
    """Changing the password used to leave API tokens issued with the old one working."""
    from journal_project.accounts.services import token_issue
    from tests.conftest import make_api_client

    api = make_api_client(user)
    other_device = token_issue(user=user)
    assert api.get("/api/v1/auth/me/").status_code == 200
    response = browser_client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-7",
            "new_password2": "another-long-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert api.get("/api/v1/auth/me/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {other_device.raw}")
    assert api.get("/api/v1/auth/me/").status_code == 401
    assert browser_client.get("/accounts/settings/").status_code == 200  # the browser session stays


def test_settings_change_time_zone(browser_client, user):
    response = browser_client.post("/accounts/settings/", {"time_zone": "America/Chicago"})
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "America/Chicago"


def test_account_delete_page_deletes_everything_and_says_so(browser_client, user):
    response = browser_client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert b"deleted" in response.content


def test_account_delete_refuses_wrong_password(browser_client, user):
    response = browser_client.post("/accounts/delete/", {"password": "nope", "confirm": "on"})
    assert response.status_code == 200
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_pages_need_login(client):
    response = client.get("/accounts/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_forms_carry_csrf_tokens(client):
    assert b"csrfmiddlewaretoken" in client.get("/accounts/signup/").content
    assert b"csrfmiddlewaretoken" in client.get("/login/").content


def test_signup_says_what_the_email_address_is_for(client, settings):
    # Without password reset by e-mail the help text must not promise one.
    settings.PASSWORD_RESET_ENABLED = False
    html = client.get("/accounts/signup/").content.decode()
    assert "if you forget your password" not in html
    assert "This journal sends no e-mail" in html
    settings.PASSWORD_RESET_ENABLED = True
    assert "if you forget your password" in client.get("/accounts/signup/").content.decode()


def test_account_delete_removes_the_login_records_too(browser_client, user):
    from axes.models import AccessAttempt, AccessLog
    from django.test import Client

    Client().post("/login/", {"username": user.username, "password": "wrong"})  # from another browser
    assert AccessLog.objects.filter(username=user.username).exists()  # the login of browser_client
    assert AccessAttempt.objects.filter(username=user.username).exists()
    browser_client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert not AccessLog.objects.filter(username=user.username).exists()


def test_logout_by_address_offers_the_button_and_logs_out_only_on_post(browser_client):
    page = browser_client.get("/logout/")
    assert page.status_code == 200
    assert b'<form method="post" action="/logout/"' in page.content
    assert browser_client.get("/entries/").status_code == 200  # still signed in after the GET
    assert browser_client.post("/logout/").status_code == 302
    assert browser_client.get("/logout/")["Location"] == "/login/"


def test_the_signup_page_is_throttled_per_address_like_the_api(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "2/min"},
    }
    form = {"username": "someone", "password1": "x", "password2": "y", "time_zone": "UTC"}
    for _ in range(2):
        assert client.post("/accounts/signup/", form).status_code == 200  # form errors, counted
    refused = client.post("/accounts/signup/", {**form, "username": "fresh-name"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert b"Too many attempts. Try again in" in refused.content
    assert b'value="fresh-name"' in refused.content  # what was typed stays
    assert not get_user_model().objects.filter(username="fresh-name").exists()
    other = client.post("/accounts/signup/", {**form, "username": "fresh-name"}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200  # another address is not affected


def test_the_address_is_called_e_mail_on_every_page(browser_client, client):
    """Settings said "E-mail", the sign-up and address forms "Email"."""
    for page in (browser_client.get("/accounts/settings/"), browser_client.get("/accounts/email/")):
        assert "Email" not in page.content.decode()
    browser_client.post("/logout/")
    signup = client.get("/accounts/signup/").content.decode()
    assert '<label for="id_email">E-mail:</label>' in signup


def test_a_refused_address_is_called_an_e_mail_address_too(browser_client, client):
    """The forms said "E-mail" and their error "Enter a valid email address."."""
    refused = browser_client.post("/accounts/email/", {"email": "not-an-address", "password": PASSWORD})
    assert "Enter a valid e-mail address." in refused.content.decode()
    browser_client.post("/logout/")
    signup = client.post("/accounts/signup/", {"username": "someone", "email": "not-an-address"})
    assert "Enter a valid e-mail address." in signup.content.decode()
    assert "email address" not in signup.content.decode()
