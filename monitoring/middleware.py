"""Request latency per route pattern, method and status class."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse

from monitoring import catalog, conf
from monitoring.collector import collector

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_MAX_LABEL_SETS = 5000  # routes x methods x status classes is small; this is a safety net


class RequestMetricsMiddleware:
    """Records how long each request took, labelled by its URL *pattern*.

    The pattern (``api/v1/entries/<int:pk>/``), never the path, so no id or other
    personal data becomes a label and the number of series stays bounded. Placed near the
    top of MIDDLEWARE so the time covers the rest of the stack. With monitoring off it
    removes itself from the chain (MiddlewareNotUsed).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not conf.enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.static_url = settings.STATIC_URL or "/static/"
        self._labels: dict[tuple[str, str, int], tuple[tuple[str, str], ...]] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        status = 500  # if the stack raises past every handler, the client gets a 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            collector.record(catalog.HTTP_REQUEST, time.perf_counter() - started, self._labels_for(request, status))

    def _labels_for(self, request: HttpRequest, status: int) -> tuple[tuple[str, str], ...]:
        match = getattr(request, "resolver_match", None)
        if match is not None:
            route = "/" + (match.route or "").lstrip("^")
        elif request.path_info.startswith(self.static_url):
            route = "<static>"
        else:
            route = "<unmatched>"
        method = request.method if request.method in _METHODS else "OTHER"
        key = (route, method, status // 100)
        labels = self._labels.get(key)
        if labels is None:
            labels = (("method", method), ("route", route), ("status", f"{status // 100}xx"))
            if len(self._labels) < _MAX_LABEL_SETS:
                self._labels[key] = labels
        return labels
