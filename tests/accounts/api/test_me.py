import pytest
from django.contrib.auth import get_user_model

from journal_project import caching
from journal_project.models import CacheGeneration

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/me/"


def test_me_shows_the_account(auth_client, user):
    body = auth_client.get(URL).json()
    assert body["username"] == user.username
    assert body["time_zone"] == "UTC"


def test_time_zone_can_be_changed(auth_client):
    response = auth_client.patch(URL, {"time_zone": "Asia/Kolkata"})
    assert response.status_code == 200
    assert response.json()["time_zone"] == "Asia/Kolkata"


def test_an_empty_patch_changes_nothing(auth_client, user):
    """Found by the fuzzer: PATCH with no fields was a 400 although every PATCH field is optional."""
    response = auth_client.patch(URL, {}, format="json")
    assert response.status_code == 200
    assert response.json()["time_zone"] == "UTC"
    assert auth_client.patch(URL, {"time_zone": "Mars/Olympus"}, format="json").status_code == 400


def test_changing_the_time_zone_invalidates_cached_data(auth_client, user):
    before = caching.current_generation(caching.ENTRIES, user.pk)
    auth_client.patch(URL, {"time_zone": "Asia/Kolkata"})
    caching.reset_request_state()
    assert caching.current_generation(caching.ENTRIES, user.pk) != before


def test_account_deletion_needs_the_password(auth_client, user):
    response = auth_client.delete(URL, {"password": "wrong-password-here"})
    assert response.status_code == 401
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_account_deletion_removes_the_user_tokens_and_cache_generations(auth_client, user, password):
    caching.current_generation(caching.ENTRIES, user.pk)
    response = auth_client.delete(URL, {"password": password})
    assert response.status_code == 204
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not CacheGeneration.objects.filter(scope_id=user.pk, namespace__in=["entries", "sessions"]).exists()
    assert auth_client.get(URL).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_account_deletion_answers_204_when_the_broker_cannot_take_the_clean_up(auth_client, user, password):
    """Black-box pass (scaling out): with Redis as the broker down or out of memory, the
    account was deleted and committed, then queueing the key clean-up raised in the
    commit hook: the client got a 500 for a deletion that had happened."""
    from journal_project.celery import app
    from tests.support.celery_worker import use_broker
    from tests.support.redis_server import free_port

    previous = app.conf.broker_url
    use_broker(f"amqp://guest:guest@127.0.0.1:{free_port()}//", eager=False)  # nothing listens there
    try:
        response = auth_client.delete(URL, {"password": password})
    finally:
        use_broker(previous, eager=True)
    assert response.status_code == 204
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_the_servers_own_localtime_link_is_no_time_zone(auth_client, api_client, browser_client, user):
    """Debian keeps /usr/share/zoneinfo/localtime (a link to /etc/localtime): it was offered and
    accepted, meaning whatever zone the server is set to, and exported under that name."""
    assert auth_client.patch(URL, {"time_zone": "localtime"}, format="json").status_code == 400
    registration = {"username": "traveller", "password": "Zx9!long-pass-phrase", "time_zone": "localtime"}
    assert api_client.post("/api/v1/auth/register/", registration, format="json").status_code == 400
    page = browser_client.post("/accounts/settings/", {"time_zone": "localtime"})
    assert page.status_code == 200
    assert b"errorlist" in page.content
    assert b'value="localtime"' not in browser_client.get("/accounts/settings/").content
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "UTC"
