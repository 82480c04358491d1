"""What a locked-out client sees: JSON for the API, a page for the browser, both 429 with Retry-After."""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

from journal_project.exceptions import error_body

MASK = "********************"  # as django-axes masks the parameters it knows are sensitive


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            error_body("locked_out", "Too many failed login attempts. Try again later."), status=429
        )
    else:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        response = render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = retry_after
    return response


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the login lockout and its records: the one the API's
    auth throttle counts by (`NUM_PROXIES`, DRF's reading of X-Forwarded-For).

    With `REMOTE_ADDR` alone, every client behind the reverse proxy shared the proxy's
    address, so ten wrong passwords from anywhere locked the account's owner out too.
    An entry of X-Forwarded-For that is not an address (a proxy chain shorter than
    `NUM_PROXIES` lets the client write it) falls back to `REMOTE_ADDR`: it is stored
    in an `inet` column.
    """
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


class PrivateDatabaseHandler(AxesDatabaseHandler):
    """django-axes's database handler, keeping the names of a failed login's parameters, not their values.

    Axes masks only the parameters it is told about (AXES_SENSITIVE_PARAMETERS); any other
    query parameter (`/login/?next=…&q=<a word from someone's journal>`) was stored as
    typed and shown in the admin's "GET data". The names are enough to recognise a scan.
    """

    def user_login_failed(self, sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any):  # type: ignore[override]
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        original = request.GET
        masked = QueryDict(mutable=True)
        for name in original:
            masked[name] = MASK
        request.GET = masked
        try:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        finally:
            request.GET = original
