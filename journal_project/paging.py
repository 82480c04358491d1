"""What the HTML pages share for their page links (entries and sessions_app views)."""

from __future__ import annotations

from django.http import HttpRequest

# Past the end of any journal (two million entries or sessions at 20 a page), and small
# enough that the SQL OFFSET it becomes fits PostgreSQL's bigint: ?page=10**20 was a 500.
PAGE_NUMBER_MAX = 100_000


def page_number(request: HttpRequest) -> int:
    """?page=, from 1 to PAGE_NUMBER_MAX; anything that is not a number is the first page."""
    try:
        return min(max(1, int(request.GET.get("page", 1))), PAGE_NUMBER_MAX)
    except ValueError:
        return 1


def query_without_page(request: HttpRequest) -> str:
    """The query string without `page`, for links that add their own: kept as it came, the
    links of every page would add one more (?page=2&page=3&page=4)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
