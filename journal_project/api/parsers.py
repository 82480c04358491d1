"""The API's JSON parser: DRF's, with two more kinds of malformed body answered as such.

The standard library's decoder recurses once per nesting level, so a body of a thousand
opening brackets (a kilobyte) raises RecursionError, which is not the ValueError DRF
turns into a 400: the request would end in a 500. Nothing the API accepts nests more
than a few levels.

JSON can also spell half of a UTF-16 pair on its own (`"\\ud800"`), which decodes to a
string UTF-8 cannot encode: text fields refuse it, but an error message that repeats it
(an unexpected field's name, a choice that is not one, a time zone that does not exist)
failed to render, a 500. Such a body is malformed: a 400 `parse_error`.

A UTF-8 byte order mark before the JSON (Windows tools write one) is skipped, as RFC 8259
allows a parser to: it was a 400 "Unexpected UTF-8 BOM".
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _strings(value: Any) -> Iterator[str]:
    # Iterative: the decoder already bounds the depth, this must not recurse further.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from (key for key in item if isinstance(key, str))
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def lone_surrogate(value: Any) -> str | None:
    """The first lone UTF-16 surrogate in a decoded JSON value's keys and strings, as `\\udXXX`; else None."""
    for text in _strings(value):
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as error:
                return f"\\u{ord(text[error.start]):04x}"
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        context = dict(parser_context or {})
        if codecs.lookup(context.get("encoding") or settings.DEFAULT_CHARSET).name == "utf-8":
            context["encoding"] = "utf-8-sig"  # UTF-8, skipping a byte order mark if there is one
        try:
            data = super().parse(stream, media_type, context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error
        surrogate = lone_surrogate(data)
        if surrogate is not None:
            raise ParseError(f"JSON parse error - {surrogate} is half of a UTF-16 pair, not text.")
        return data
