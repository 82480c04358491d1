import datetime

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from journal_project.accounts.middleware import PrivatePagesMiddleware, UserTimezoneMiddleware

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


def test_the_api_answers_a_browser_session_in_utc_as_it_answers_a_token(auth_client, browser_client, user):
    """The chat page calls the API with the session cookie: with the person's zone active,
    `date_joined` came back as +09:00 there and as Z to a token, against the docs (UTC)."""
    user.profile.time_zone = "Asia/Tokyo"
    user.profile.save()
    by_token = auth_client.get("/api/v1/auth/me/").json()["date_joined"]
    by_session = browser_client.get("/api/v1/auth/me/").json()["date_joined"]
    assert by_token.endswith("Z")
    assert by_session == by_token
    request = RequestFactory().get("/api/v1/entries/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session"
    request.user = user
    assert _zone_seen_by_the_view(request) == settings.TIME_ZONE


# --- PrivatePagesMiddleware -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/today/", "/entries/", "/entries/new/", "/search/?q=walk", "/calendar/", "/reflect/"]
)
def test_pages_of_a_signed_in_person_are_not_kept_by_the_browser(browser_client, path):
    response = browser_client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_an_entry_page_and_a_missing_one_are_not_kept_either(browser_client, user):
    from tests.entries.factories import EntryFactory

    entry = EntryFactory(user=user, body="Private words")
    assert browser_client.get(f"/entries/{entry.pk}/")["Cache-Control"] == "private, no-store"
    assert browser_client.get("/entries/999999/")["Cache-Control"] == "private, no-store"


def test_pages_for_nobody_in_particular_and_api_answers_to_apps_keep_their_own_rules(browser_client, auth_client):
    anonymous = Client()
    assert not anonymous.get("/").has_header("Cache-Control")
    assert not anonymous.get("/accounts/signup/").has_header("Cache-Control")
    # The API's JSON for a bearer token (conditional GET with ETags) is left as the API sets it.
    api = auth_client.get("/api/v1/entries/")
    assert api.status_code == 200
    assert api["Cache-Control"] == "private, no-cache"
    assert api.has_header("ETag")
    docs = browser_client.get("/api/v1/docs/")  # HTML, but the API's, and no journal in it
    assert docs.status_code == 200
    assert "no-store" not in docs.get("Cache-Control", "")


def test_api_answers_to_a_signed_in_browser_are_not_kept_by_it(browser_client, user):
    # The chat page fetches the whole conversation from the API; with the API's
    # `private, no-cache` Chromium kept it on disk after logout.
    from tests.sessions_app.factories import MessageFactory, ReflectionSessionFactory

    session = ReflectionSessionFactory(user=user)
    MessageFactory(session=session, content="Private words")
    for path in (f"/api/v1/sessions/{session.pk}/", "/api/v1/entries/", "/api/v1/stats/", "/api/v1/auth/me/"):
        response = browser_client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store", path
    assert browser_client.get(f"/api/v1/sessions/{session.pk}/").has_header("ETag")
    etag = browser_client.get("/api/v1/entries/")["ETag"]
    not_modified = browser_client.get("/api/v1/entries/", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["Cache-Control"] == "private, no-store"


def test_a_not_modified_answer_says_what_its_200_says_about_storing_it(auth_client):
    # RFC 9110 §15.4.5: a 304 carries the Cache-Control its 200 would, or a cache that
    # freshens its stored copy with the 304's headers loses "private".
    etag = auth_client.get("/api/v1/entries/")["ETag"]
    for header in (etag, "*"):
        not_modified = auth_client.get("/api/v1/entries/", HTTP_IF_NONE_MATCH=header)
        assert not_modified.status_code == 304
        assert not_modified["Cache-Control"] == "private, no-cache"


def test_a_view_that_sets_its_own_cache_control_keeps_it(user):
    request = RequestFactory().get("/somewhere/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session"
    request.user = user

    def view(request):
        response = HttpResponse("<p>hi</p>")
        response["Cache-Control"] = "max-age=60"
        return response

    assert PrivatePagesMiddleware(view)(request)["Cache-Control"] == "max-age=60"


def test_a_session_begun_in_this_request_is_not_mistaken_for_a_signed_out_one(rf, user):
    """The user of a request can be asked for after a login in the same request (the async
    `auser()`, say): the session checked against PostgreSQL is then the one the login made,
    which must not be taken for a session signed out behind Redis's back."""
    from asgiref.sync import async_to_sync
    from django.contrib.auth import login
    from django.contrib.sessions.middleware import SessionMiddleware

    from journal_project.accounts.middleware import SessionAuthenticationMiddleware

    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    SessionAuthenticationMiddleware(lambda r: None).process_request(request)
    login(request, user, backend="journal_project.accounts.backends.JournalModelBackend")
    assert async_to_sync(request.auser)() == user
    assert request.session.get("_auth_user_id") == str(user.pk)  # not flushed


# Routes that hold nothing of anyone's: left to shared caches on purpose.
PUBLIC_ROUTES = {
    "favicon.ico",
    "api/v1/schema/",  # the same document for everyone
    "api/v1/docs/",
    "health/live/",
    "health/ready/",
}
# Only for someone signed out (a reset link's page); it signs nobody in by being read.
SIGNED_OUT_ROUTES = {"accounts/password/reset/<uidb64>/<token>/"}


def _routes(patterns, prefix=""):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_no_answer_to_someone_signed_in_can_be_stored_by_a_shared_cache(client, staff_user):
    """Every GET route of the URLconf, asked by a signed-in person (a token, and a browser
    session), answers with `private` or `no-store`: a proxy or CDN in front of the server
    must never keep one person's answer for the next who asks for the URL.
    `/api/v1/auth/me/` and `/api/v1/prompts/today/` said nothing. A new route is walked as
    soon as it exists; one with a new path parameter fails here until it is given a value.
    Django's admin (`never_cache` on every view) is left out but for the dashboard."""
    import re

    from django.urls import get_resolver

    from tests.conftest import make_api_client
    from tests.entries.factories import EntryFactory
    from tests.sessions_app.factories import ReflectionSessionFactory, TechniqueFactory

    values = {
        "pk": EntryFactory(user=staff_user, body="Private words").pk,
        "session_id": ReflectionSessionFactory(user=staff_user).pk,
        "slug": TechniqueFactory().slug,
    }
    app = make_api_client(staff_user)
    client.force_login(staff_user)
    routes = [
        route
        for route in _routes(get_resolver().url_patterns)
        if route not in PUBLIC_ROUTES | SIGNED_OUT_ROUTES
        and (not route.startswith("admin/") or route == "admin/monitoring/dashboard/")
    ]
    assert {"api/v1/auth/me/", "api/v1/prompts/today/", "entries/<int:pk>/", "today/"} <= set(routes)
    storable = []
    for route in routes:
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        assert all(name in values for name in names), f"give {route} a value for its parameters"
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), route)
        askers = [("token", app), ("session", client)] if path.startswith("/api/") else [("session", client)]
        for asker, http in askers:
            response = http.get(path)
            if response.status_code == 405:
                continue  # no GET here (register, token, a session's messages)
            directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
            if not directives & {"private", "no-store"}:
                storable.append(f"{path} ({asker}): {response.status_code} {response.get('Cache-Control')!r}")
    assert storable == [], "\n".join(storable)
