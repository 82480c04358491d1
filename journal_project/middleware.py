from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from journal_project import caching


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
