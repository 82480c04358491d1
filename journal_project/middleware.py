from __future__ import annotations

from collections.abc import Callable

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, resolve, reverse

from journal_project import caching

# The load balancer's probes (journal_project.health): they reveal nothing host-specific.
PROBE_URL_NAMES = ("health-live", "health-ready")


class CacheRequestStateMiddleware:
    """Each request starts with no remembered cache generations, and stores its values at the end.

    Threads serve many requests one after another and context variables survive
    between them; a generation remembered by the previous request could be stale.
    The values a request stores in the cache are sent in one round trip when it ends
    (`caching.flush_writes`), inside the request's recorded time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        caching.reset_request_state()
        caching.defer_writes()
        try:
            return self.get_response(request)
        finally:
            caching.flush_writes()
            caching.reset_request_state()


class ProbeMiddleware:
    """Answers /health/live/ and /health/ready/ whatever the Host header names.

    Kubernetes and many load balancers probe the pod or host IP, which ALLOWED_HOSTS
    rightly does not list, so CommonMiddleware's host check answered 400 and the app
    would have been taken out of rotation. Placed just before the first middleware that
    reads the host (CommonMiddleware), after the request id, the request metrics and the
    security headers, so a probe is still logged, measured and answered with those
    headers. It calls the views the URLconf routes these paths to; every other path,
    /health/ included, stays behind host validation.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Paths as request.path_info has them: without the script prefix (SCRIPT_NAME).
        prefix = get_script_prefix()
        self.paths = frozenset("/" + reverse(name)[len(prefix) :] for name in PROBE_URL_NAMES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in self.paths:
            return self.get_response(request)
        match = resolve(request.path_info)
        request.resolver_match = match  # as the handler would set it: the metrics label the route
        view = match.func
        if iscoroutinefunction(view):  # the health-check views are async; WSGI serves them like Django does
            view = async_to_sync(view)
        response = view(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()  # the HTML report is a TemplateResponse, rendered by the handler otherwise
        return response
