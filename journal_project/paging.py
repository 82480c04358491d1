"""What the HTML pages share for their page links (entries and sessions_app views)."""

from __future__ import annotations

from django.http import HttpRequest


def page_number(request: HttpRequest) -> int:
    """?page=, at least 1; anything that is not a number is the first page."""
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def query_without_page(request: HttpRequest) -> str:
    """The query string without `page`, for links that add their own: kept as it came, the
    links of every page would add one more (?page=2&page=3&page=4)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
