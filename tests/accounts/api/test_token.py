from datetime import timedelta

import pytest
from django.utils import timezone

from journal_project.accounts.api import views as account_api_views
from journal_project.accounts.models import ApiToken, hash_token
from journal_project.accounts.services import token_issue, tokens_revoke_all
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/auth/me/"


def test_register_token_call_logout_then_token_refused(api_client):
    """The whole mobile flow of the contract."""
    assert (
        api_client.post("/api/v1/auth/register/", {"username": "ada", "password": "correct horse battery"}).status_code
        == 201
    )
    response = api_client.post(TOKEN_URL, {"username": "ada", "password": "correct horse battery"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api_client.get(ME_URL).json()["username"] == "ada"

    assert api_client.post("/api/v1/auth/logout/").status_code == 204
    refused = api_client.get(ME_URL)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    assert refused["WWW-Authenticate"] == "Bearer"


def test_tokens_are_stored_hashed(api_client, user, password):
    token = api_client.post(TOKEN_URL, {"username": user.username, "password": password}).json()["token"]
    stored = ApiToken.objects.get(user=user)
    assert stored.key_hash == hash_token(token)
    assert token not in (stored.key_hash, stored.prefix)


def test_wrong_password_answers_401(api_client, user):
    response = api_client.post(TOKEN_URL, {"username": user.username, "password": "nope-nope-nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_expired_token_is_refused(api_client, user):
    issued = token_issue(user=user)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"].lower()


def test_revoked_token_is_refused(api_client, user):
    issued = token_issue(user=user)
    ApiToken.objects.filter(pk=issued.token.pk).update(revoked_at=timezone.now())
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    assert api_client.get(ME_URL).status_code == 401


def test_token_of_inactive_user_is_refused(api_client, user):
    issued = token_issue(user=user)
    user.is_active = False
    user.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    assert api_client.get(ME_URL).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Token abc", "Bearer \xff"])
def test_malformed_authorization_headers_are_401_or_anonymous(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    assert api_client.get(ME_URL).status_code == 401


def test_logout_revokes_only_the_token_used(api_client, user):
    first, second = token_issue(user=user), token_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {first.raw}")
    assert api_client.post("/api/v1/auth/logout/").status_code == 204
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second.raw}")
    assert api_client.get(ME_URL).status_code == 200


def test_unauthenticated_api_call_is_401_json(api_client):
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_password_change_while_the_password_is_checked_leaves_no_token(api_client, user, monkeypatch):
    # Checking a password takes most of a second. A change committed meanwhile (on another
    # server: the settings page, a reset link) revoked every token before this request's
    # existed, so the token issued for the old password then outlived the change.
    checked = account_api_views.authenticate

    def password_changed_meanwhile(request, **credentials):
        found = checked(request, **credentials)
        elsewhere = type(user).objects.get(pk=user.pk)
        elsewhere.set_password("a whole new passphrase")
        elsewhere.save()
        tokens_revoke_all(user=elsewhere)  # as the settings page does after saving it
        return found

    monkeypatch.setattr(account_api_views, "authenticate", password_changed_meanwhile)
    response = api_client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
