"""Conditional GET for cached reads: the ETag comes from the cache generations, not the rows.

The generations arrive with the authentication query, so a 304 costs no query on the
journal tables at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from journal_project import caching


def _candidates(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def _matches(header: str, etag: str) -> bool:
    # "*" is handled by the decorator: it matches only a representation that exists.
    return etag in _candidates(header)


def request_etag(request: Request, namespaces: Iterable[caching.Namespace]) -> str:
    return caching.etag_for(namespaces, request.user.pk, request.get_full_path(), request.accepted_media_type or "")


def not_modified_or_none(request: Request, etag: str) -> Response | None:
    header = request.headers.get("If-None-Match")
    if header and _matches(header, etag):
        response = Response(status=304)
        response["ETag"] = etag
        return response
    return None


def with_etag(response: Response, etag: str, request: Request | None = None) -> Response:
    if 200 <= response.status_code < 300:
        if request is not None and "*" in _candidates(request.headers.get("If-None-Match", "")):
            # RFC 9110 §13.1.2: "*" is false when a current representation exists. Only
            # now do we know it does: a missing object or an invalid query answered 4xx
            # above and must not become a 304.
            not_modified = Response(status=304)
            not_modified["ETag"] = etag
            return not_modified
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
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
            return with_etag(method(self, request, *args, **kwargs), etag, request)

        wrapper.conditional_get = True  # type: ignore[attr-defined]  # the schema documents the 304
        return wrapper

    return decorator
