from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class JournalPagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}` with `page` and `page_size` parameters."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def page_params(request: Request, default_size: int = JournalPagination.page_size) -> tuple[int, int]:
    """Validated (page, page_size) from the query string, for selectors that cache whole pages."""
    try:
        page = int(request.query_params.get("page", 1))
        size = int(request.query_params.get("page_size", default_size))
    except (TypeError, ValueError):
        raise NotFound("Invalid page.") from None
    if page < 1:
        raise NotFound("Invalid page.")
    size = max(1, min(size, JournalPagination.max_page_size))
    return page, size


def paginated_response(request: Request, *, count: int, results: list[Any], page: int, page_size: int) -> Response:
    """The paginated answer for a page that a selector already cut (and maybe cached)."""
    if page > 1 and not results:
        raise NotFound("Invalid page.")
    url = request.build_absolute_uri()
    next_url = replace_query_param(url, "page", page + 1) if page * page_size < count else None
    if page <= 1:
        previous_url = None
    elif page == 2:
        previous_url = remove_query_param(url, "page")
    else:
        previous_url = replace_query_param(url, "page", page - 1)
    return Response({"count": count, "next": next_url, "previous": previous_url, "results": results})
