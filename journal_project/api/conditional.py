"""Conditional GET for cached reads: the ETag comes from the cache generations, not the rows.

The generations arrive with the authentication query, so a 304 costs no query on the
journal tables at all. The same inputs name the rendered response in the cache: a
representation with a given ETag is by definition always the same bytes, so a client
without the ETag gets them from the cache without the view, the serializer or the
renderer running (about a tenth of a cached read's CPU; docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial, wraps
from typing import Any

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response

from journal_project import caching


def _candidates(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def _matches(header: str, etag: str) -> bool:
    # "*" is handled by the decorator: it matches only a representation that exists.
    return etag in _candidates(header)


def request_etag(request: Request, namespaces: Iterable[caching.Namespace], *parts: Any) -> str:
    return caching.etag_for(
        namespaces, request.user.pk, request.get_full_path(), request.accepted_media_type or "", *parts
    )


class _NotCacheable(Exception):
    def __init__(self, response: HttpResponseBase) -> None:
        self.response = response


def cached_response(
    view: Any,
    request: Request,
    namespace: caching.Namespace,
    etag: str,
    produce: Callable[[], HttpResponseBase],
) -> HttpResponseBase:
    """The rendered 200 answer of `produce()`, from the cache when this exact one was made before.

    The ETag names the representation (generations, path with query, media type); the
    key adds the user, scheme and host (absolute pagination links). Anything but a plain
    200 Response is passed through and not stored; exceptions propagate as usual.
    """
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format != "json":
        return produce()
    media_type = request.accepted_media_type or ""
    key_parts = [etag, request.user.pk, request.scheme, request.get_host()]

    def render() -> bytes:
        response = produce()
        if type(response) is not Response or response.status_code != 200 or response.exception:
            raise _NotCacheable(response)
        context = {"view": view, "request": request, "response": response}
        return renderer.render(response.data, media_type, context)

    try:
        body = caching.cached_bytes(namespace, request.user.pk, "response", key_parts, render)
    except _NotCacheable as passed:
        return passed.response
    content_type = renderer.media_type if not renderer.charset else f"{renderer.media_type}; charset={renderer.charset}"
    return HttpResponse(body, content_type=content_type)


# What a 200 of a conditional GET says about storing it; its 304 says the same (RFC 9110
# §15.4.5): a cache that freshens its copy with the 304's headers must not lose "private".
CACHE_CONTROL = "private, no-cache"


def _not_modified(etag: str) -> Response:
    response = Response(status=304)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response


def not_modified_or_none(request: Request, etag: str) -> Response | None:
    header = request.headers.get("If-None-Match")
    if header and _matches(header, etag):
        return _not_modified(etag)
    return None


def with_etag(response: HttpResponseBase, etag: str, request: Request | None = None) -> HttpResponseBase:
    if 200 <= response.status_code < 300:
        if request is not None and "*" in _candidates(request.headers.get("If-None-Match", "")):
            # RFC 9110 §13.1.2: "*" is false when a current representation exists. Only
            # now do we know it does: a missing object or an invalid query answered 4xx
            # above and must not become a 304.
            return _not_modified(etag)
        response["ETag"] = etag
        response["Cache-Control"] = CACHE_CONTROL
    return response


def conditional_get(*namespaces: caching.Namespace) -> Callable:
    """Decorate an APIView's `get`: ETag from the user's generations, 304 on a match."""

    def decorator(method: Callable) -> Callable:
        @wraps(method)
        def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            etag = request_etag(request, namespaces)
            not_modified = not_modified_or_none(request, etag)
            if not_modified is not None:
                return not_modified
            produce = partial(method, self, request, *args, **kwargs)
            response = cached_response(self, request, namespaces[0], etag, produce)
            return with_etag(response, etag, request)

        wrapper.conditional_get = True  # type: ignore[attr-defined]  # the schema documents the 304
        return wrapper

    return decorator
