"""The API's JSON parser: DRF's, with one more kind of malformed body answered as such.

The standard library's decoder recurses once per nesting level, so a body of a thousand
opening brackets (a kilobyte) raises RecursionError, which is not the ValueError DRF
turns into a 400: the request would end in a 500. Nothing the API accepts nests more
than a few levels.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error
