"""Content negotiation that reads `q=0` as "not acceptable" (RFC 9110 §12.5.1).

DRF's DefaultContentNegotiation orders the Accept header's media ranges by how specific
they are and ignores their quality values: `Accept: application/json;q=0` (a client
saying it cannot take JSON) was answered 200 in JSON, as was `*/*;q=0` and
`application/json;q=0, */*`. Here a renderer whose media type is matched most
specifically by a range with `q=0` is refused, and ranges with `q=0` match nothing else;
what is left is negotiated exactly as DRF does (a missing header is `*/*`, a browser's
`text/html,…,*/*;q=0.8` still gets JSON). When nothing is left, the answer is DRF's 406,
in the API's error shape, naming what the endpoint can answer.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.utils.mediatypes import _MediaType


def _quality(media_type: _MediaType) -> float:
    try:
        return max(0.0, min(1.0, float(media_type.params.get("q", "1"))))
    except ValueError:
        return 1.0  # an unreadable weight is ignored, as DRF ignored every weight


class QualityContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request: Request, renderers: list[Any], format_suffix: str | None = None) -> Any:
        accepts = self._get_parsed_accept_list(request)
        acceptable = [renderer for renderer in renderers if not self._refuses(accepts, renderer)]
        if not acceptable:
            raise self._not_acceptable(renderers)
        # DRF reads the parsed list from the request; the whole list goes back afterwards,
        # for the forced negotiation that picks an error's renderer.
        request._parsed_accept_list = [media_type for media_type in accepts if _quality(media_type) > 0]
        try:
            return super().select_renderer(request, acceptable, format_suffix)
        except exceptions.NotAcceptable:
            raise self._not_acceptable(renderers) from None
        finally:
            request._parsed_accept_list = accepts

    @staticmethod
    def _refuses(accepts: list[_MediaType], renderer: Any) -> bool:
        """Whether the most specific range that matches the renderer's type has `q=0`."""
        offered = _MediaType(renderer.media_type)
        matching = [media_type for media_type in accepts if offered.match(media_type)]
        if not matching:
            return False
        most_specific = max(media_type.precedence for media_type in matching)
        return any(_quality(media_type) == 0 for media_type in matching if media_type.precedence == most_specific)

    @staticmethod
    def _not_acceptable(renderers: list[Any]) -> exceptions.NotAcceptable:
        offered = ", ".join(dict.fromkeys(renderer.media_type for renderer in renderers))
        return exceptions.NotAcceptable(
            f"The Accept header refuses every media type this endpoint answers in ({offered}).",
            available_renderers=renderers,
        )
