from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from journal_project.exceptions import InvalidInput


class JournalPagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}` with `page` and `page_size` parameters."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        # DRF falls back to the default for a page_size it cannot read; a client that
        # asked for something else should hear so.
        return requested_page_size(request, self.page_size)


def requested_page_size(request: Request, default_size: int = JournalPagination.page_size) -> int:
    """`page_size` from the query string: a 400 unless a whole number >= 1; capped at the maximum."""
    raw = request.query_params.get("page_size")
    if raw is None or raw == "":
        return default_size
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        raise InvalidInput(
            fields={"page_size": [f"A whole number from 1 to {JournalPagination.max_page_size}."]},
        )
    return min(size, JournalPagination.max_page_size)


# The query parameters of every paginated list, for its `extend_schema(parameters=...)`: a
# view that paginates by hand (page_params) is not seen as paginated by drf-spectacular,
# and without them clients and the fuzzer never learn of `page` and `page_size`.
# `minimum` as the descriptions say: without it a client (or the fuzzer) generating valid
# values sent `page_size=0` and met a 400 the schema did not predict.
PAGE_PARAMETERS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="From 1; a page past the end answers 404."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1},
        description=f"From 1; more than {JournalPagination.max_page_size} is cut to it.",
    ),
]


_MAX_ROW = 2**63 - 1  # PostgreSQL's OFFSET and LIMIT are bigints


def page_params(request: Request, default_size: int = JournalPagination.page_size) -> tuple[int, int]:
    """Validated (page, page_size) from the query string, for selectors that cache whole pages."""
    try:
        page = int(request.query_params.get("page", 1))
    except (TypeError, ValueError):
        raise NotFound("Invalid page.") from None  # DRF's answer for a page that is not there
    page_size = requested_page_size(request, default_size)
    if page < 1 or page * page_size > _MAX_ROW:
        # A page past any table there can be is past the end: a 404 like any other, not
        # an OFFSET the database refuses ("bigint out of range", a 500).
        raise NotFound("Invalid page.")
    return page, page_size


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


def cursor_url(request: Request, cursor: str | None) -> str | None:
    """The `next` link of a list paged by position: this request's, at `cursor`, without `page`."""
    if cursor is None:
        return None
    return remove_query_param(replace_query_param(request.build_absolute_uri(), "cursor", cursor), "page")
