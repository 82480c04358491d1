import datetime

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from journal_project.accounts.middleware import UserTimezoneMiddleware

pytestmark = pytest.mark.django_db


def _zone_seen_by_the_view(request):
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    UserTimezoneMiddleware(view)(request)
    return seen["zone"]


def test_a_signed_in_browser_session_renders_in_the_persons_zone(user):
    user.profile.time_zone = "Pacific/Auckland"
    user.profile.save()
    request = RequestFactory().get("/today/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session"
    request.user = user

    assert _zone_seen_by_the_view(request) == "Pacific/Auckland"
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE  # deactivated afterwards


def test_a_request_without_a_session_never_resolves_the_session_user():
    # API clients send bearer tokens, which DRF checks inside the view: without a session
    # cookie nobody can be signed in yet, and building the anonymous session user would be
    # work thrown away on every API request.
    request = RequestFactory().get("/api/v1/entries/", HTTP_AUTHORIZATION="Bearer token")

    def resolve():
        raise AssertionError("the session user was resolved")

    request.user = SimpleLazyObject(resolve)

    assert _zone_seen_by_the_view(request) == settings.TIME_ZONE


def test_an_api_request_still_answers_in_the_persons_days(auth_client, user):
    # The API computes "today" from the profile itself, so skipping the activation for
    # bearer-token requests changes nothing they see.
    user.profile.time_zone = "Pacific/Kiritimati"  # UTC+14: often a day ahead of UTC
    user.profile.save()
    today_there = timezone.localtime(timezone.now(), user.profile.zone).date()

    response = auth_client.get("/api/v1/stats/")

    assert response.status_code == 200
    assert datetime.date.fromisoformat(response.json()["today"]) == today_there
