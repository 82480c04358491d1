"""Project-level pages: the landing page and the error pages (HTML for people, JSON under /api/)."""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import DisallowedHost
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import NoReverseMatch, is_valid_path, reverse

from journal_project.exceptions import error_body

logger = logging.getLogger("journal_project.exceptions")  # the API's database-outage line, same logger


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        try:
            return redirect(reverse("entries:today"))
        except NoReverseMatch:
            pass
    return render(request, "home.html")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (JSON, /metrics, a download)."""
    # Resolved per request, not when the URLconf loads: the hashed name needs the manifest.
    return redirect(static("favicon.svg"), permanent=True)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _wants_json(request: HttpRequest) -> bool:
    return _is_api(request) or request.path.startswith("/health/")


def _standalone(template: str, status: int, context: dict | None = None) -> HttpResponse:
    # Rendered without the request: the database or the session may be what failed.
    return HttpResponse(loader.render_to_string(template, context), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # An address not in ALLOWED_HOSTS is no malformed request: `make run HOST=0.0.0.0`
    # opened from a phone said "Go back and try again" on every page, which no retry mends.
    wrong_address = isinstance(exception, DisallowedHost)
    if _wants_json(request):
        message = (
            "This server does not answer at this address: it is not in its ALLOWED_HOSTS."
            if wrong_address
            else "The request was malformed."
        )
        return JsonResponse(error_body("bad_request", message), status=400)
    return _standalone("400.html", 400, {"wrong_address": wrong_address})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("permission_denied", "You do not have permission to do this."), status=403)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        message = "Not found."
        if (
            _is_api(request)
            and not request.path_info.endswith("/")
            and is_valid_path(f"{request.path_info}/", getattr(request, "urlconf", None))
        ):
            # The API does not redirect to the slashed path (journal_project.middleware.CommonMiddleware).
            message = f"Not found. API paths end with a slash: {request.path}/"
        return JsonResponse(error_body("not_found", message), status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when the database is unreachable: a friendly page and no traceback."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        # One line, as the API's (journal_project.exceptions), instead of `django.request`'s
        # traceback, which its handler mailed to the admins once per request of the outage.
        logger.error("Database unavailable: %s", type(error).__name__)
        if _wants_json(request):
            response: HttpResponse = JsonResponse(
                error_body("service_unavailable", "The service is temporarily unavailable. Please retry shortly."),
                status=503,
            )
        else:
            response = _standalone("503.html", 503)
        response["Retry-After"] = "5"
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    if _wants_json(request):
        return JsonResponse(error_body("server_error", "Something went wrong on our side."), status=500)
    return _standalone("500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("csrf_failed", "CSRF verification failed."), status=403)
    return render(request, "403_csrf.html", status=403)
