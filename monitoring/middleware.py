"""Request latency per route pattern, method and status class."""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any

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
        started = perf_counter()
        status = 500  # if the stack raises past every handler, the client gets a 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            elapsed = perf_counter() - started
            match = getattr(request, "resolver_match", None)
            key = (match.route if match is not None else None, request.method, status // 100)
            labels = self._labels.get(key)
            if labels is None or match is None:
                labels = self._labels_for(request, match, key)
            collector.record(catalog.HTTP_REQUEST, elapsed, labels)

    def _labels_for(self, request: HttpRequest, match: Any, key: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
        if match is not None:
            route = "/" + (match.route or "").lstrip("^")
        elif request.path_info.startswith(self.static_url):
            route = "<static>"
        else:
            route = "<unmatched>"
        method = request.method if request.method in _METHODS else "OTHER"
        labels = (("method", method), ("route", route), ("status", f"{key[2]}xx"))
        # Unresolved requests are not interned: their key cannot tell static from unmatched.
        if match is not None and len(self._labels) < _MAX_LABEL_SETS:
            self._labels[key] = labels
        return labels
