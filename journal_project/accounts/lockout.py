"""What a locked-out client sees: JSON for the API, a page for the browser, both 429 with Retry-After."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from journal_project.exceptions import error_body


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
