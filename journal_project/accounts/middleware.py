from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from journal_project.accounts.backends import verifying_session
from journal_project.api import conditional


class SessionAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, trusting a browser session only while its row
    exists in PostgreSQL (checked by the user query itself, see `verifying_session`).

    The session engine is `cached_db`, so a session is usually read from Redis. A session
    signed out while Redis was unreachable kept its copy there; without this check, the
    cookie of that browser would sign its holder in again once Redis answered.
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(partial(get_user, request))
        request.auser = partial(aget_user, request)


def get_user(request: HttpRequest) -> Any:
    """The request's user (memoised like Django's), or AnonymousUser if its session is gone."""
    if not hasattr(request, "_cached_user"):
        session = request.session
        with verifying_session(session.session_key):
            user = auth.get_user(request)
        if not user.is_authenticated and auth.SESSION_KEY in session:
            # The session names someone, but is no longer valid: drop the leftover copy
            # (from Redis as well) and carry on with a fresh, empty session.
            session.flush()
        request._cached_user = user
    return request._cached_user


async def aget_user(request: HttpRequest) -> Any:
    return await sync_to_async(get_user)(request)


class UserTimezoneMiddleware:
    """Render dates in the signed-in person's time zone (their profile), not the server's.

    Only a browser session can sign someone in before the view runs (the API
    authenticates bearer tokens inside DRF, after every middleware, and computes a
    person's days from the profile itself). Without a session cookie nobody is signed
    in yet, so `request.user` is not looked at: resolving it would build the session
    and the anonymous user for nothing on every API request.

    The API stays in UTC for a browser session too (the chat page calls it): its answers
    and the timestamps it reads must not depend on how the caller signed in, and with the
    zone active `date_joined` came back as `+09:00` to the browser and `Z` to a token.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES and not request.path_info.startswith("/api/"):
            user = getattr(request, "user", None)
            profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
            if profile is not None:
                timezone.activate(profile.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class PrivatePagesMiddleware:
    """What a signed-in browser is shown is never kept by the browser (`private, no-store`).

    Pages hold journal text, and on a shared device a page left in the browser's disk cache
    outlives logging out (Back, or the cache on disk). The same goes for the API's JSON when
    a browser session asks for it: the chat page fetches the whole conversation from
    `/api/v1/sessions/{id}/`, and the API's own `private, no-cache` (which lets a client
    store an answer and revalidate it by its ETag) put it in the browser's disk cache, where
    it stayed after logout. Answers to bearer tokens (apps, which keep their own cache on the
    person's device) keep the API's rules, and so does the API's documentation page, which
    holds no journal. A view that set its own Cache-Control on a page keeps it. As in
    UserTimezoneMiddleware, without a session cookie nobody is signed in, and the session
    user is not resolved.

    Every other JSON answer of the API to someone signed in (a token or a session) that
    says nothing about storing it says what the conditional GETs say, `private, no-cache`:
    `/api/v1/auth/me/` and `/api/v1/prompts/today/` said nothing, which lets a shared
    cache (a company proxy, a CDN in front of the server) store one person's account or
    prompt and hand it to the next who asks for the same URL.
    """

    # What the API's conditional GET sets (journal_project.api.conditional): replaced for a
    # browser session, which stores such an answer on disk.
    REVALIDATE = conditional.CACHE_CONTROL

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            self._api_answer(request, response)
            and not response.has_header("Cache-Control")
            # DRF sets the Django request's user to whoever its authentication found.
            and getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            response["Cache-Control"] = self.REVALIDATE
        if self._keeps_journal(request, response) and self._signed_in(request):
            response["Cache-Control"] = "private, no-store"
        return response

    @staticmethod
    def _api_answer(request: HttpRequest, response: HttpResponse) -> bool:
        """A JSON answer of the API (or a 304), not the schema or the docs page."""
        if not request.path_info.startswith("/api/"):
            return False
        return response.get("Content-Type", "").startswith("application/json") or response.status_code == 304

    def _keeps_journal(self, request: HttpRequest, response: HttpResponse) -> bool:
        content_type = response.get("Content-Type", "")
        if request.path_info.startswith("/api/"):
            return self._api_answer(request, response) and response.get("Cache-Control") == self.REVALIDATE
        return content_type.startswith("text/html") and not response.has_header("Cache-Control")

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        return settings.SESSION_COOKIE_NAME in request.COOKIES and getattr(
            getattr(request, "user", None), "is_authenticated", False
        )
