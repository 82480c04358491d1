import pytest
from django.contrib.auth import get_user_model

from journal_project.accounts.models import Profile

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/register/"


def test_register_creates_user_and_profile(api_client):
    response = api_client.post(URL, {"username": "ada", "password": "correct horse battery", "email": "a@x.test"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "username"}
    assert body["username"] == "ada"
    user = get_user_model().objects.get(pk=body["id"])
    assert user.check_password("correct horse battery")
    assert Profile.objects.get(user=user).time_zone == "UTC"


def test_register_accepts_a_time_zone(api_client):
    response = api_client.post(
        URL, {"username": "ada", "password": "correct horse battery", "time_zone": "Europe/Berlin"}
    )
    assert response.status_code == 201
    assert Profile.objects.get(user_id=response.json()["id"]).time_zone == "Europe/Berlin"


def test_a_new_account_takes_the_servers_time_zone(api_client, settings):
    # A family's operator sets TIME_ZONE to where they live: an account registered by the
    # mobile app (or the admin, createsuperuser) counted "today" in UTC instead.
    settings.TIME_ZONE = "Europe/Berlin"
    response = api_client.post(URL, {"username": "ada", "password": "correct horse battery"})
    assert response.status_code == 201
    assert Profile.objects.get(user_id=response.json()["id"]).time_zone == "Europe/Berlin"
    admin_made = get_user_model().objects.create_user("grace", password="correct horse battery")
    assert Profile.objects.get(user=admin_made).time_zone == "Europe/Berlin"
    # A time zone asked for still wins.
    response = api_client.post(
        URL, {"username": "alan", "password": "correct horse battery", "time_zone": "Asia/Tokyo"}
    )
    assert Profile.objects.get(user_id=response.json()["id"]).time_zone == "Asia/Tokyo"


def test_weak_password_is_rejected_with_field_errors(api_client):
    response = api_client.post(URL, {"username": "ada", "password": "12345678"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "password" in error["fields"]
    assert not get_user_model().objects.filter(username="ada").exists()


def test_taken_username_is_rejected_case_insensitively(api_client, user):
    response = api_client.post(URL, {"username": user.username.upper(), "password": "correct horse battery"})
    assert response.status_code == 400
    assert "username" in response.json()["error"]["fields"]


def test_unknown_fields_are_rejected(api_client):
    response = api_client.post(URL, {"username": "ada", "password": "correct horse battery", "is_staff": True})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"is_staff": ["Unknown field."]}
    assert not get_user_model().objects.filter(username="ada").exists()


def test_unknown_time_zone_is_rejected(api_client):
    response = api_client.post(
        URL, {"username": "ada", "password": "correct horse battery", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "time_zone" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "", "password": "correct horse battery"},
        {"username": "a" * 151, "password": "correct horse battery"},
        {"username": "bad name!", "password": "correct horse battery"},
        {"username": ["ada"], "password": "correct horse battery"},
    ],
)
def test_bad_registrations_answer_400_json(api_client, body):
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["ada", "ADA", "Ada"])
def test_two_sign_ups_of_one_name_at_the_same_moment_make_one_account(second):
    # Both passed the case-insensitive check before either had inserted: the same name
    # twice was a 500 (Django's unique index), another case a second account.
    from rest_framework.test import APIClient

    from tests.support.concurrency import held_open, in_thread, release_when_blocked

    users = get_user_model().objects
    holder, release, errors = held_open(lambda: users.create_user(username="ada", password="x"))
    client = APIClient()
    other, results = in_thread(lambda: client.post(URL, {"username": second, "password": "correct horse battery"}))
    release_when_blocked(release, holder, other)
    assert not errors
    assert results[0].status_code == 400, results[0].content
    assert results[0].json()["error"]["fields"] == {"username": ["A user with that username already exists."]}
    assert list(users.values_list("username", flat=True)) == ["ada"]
