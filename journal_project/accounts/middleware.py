from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UserTimezoneMiddleware:
    """Render dates in the signed-in person's time zone (their profile), not the server's.

    Only a browser session can sign someone in before the view runs (the API
    authenticates bearer tokens inside DRF, after every middleware, and computes a
    person's days from the profile itself). Without a session cookie nobody is signed
    in yet, so `request.user` is not looked at: resolving it would build the session
    and the anonymous user for nothing on every API request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = getattr(request, "user", None)
            profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
            if profile is not None:
                timezone.activate(profile.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
