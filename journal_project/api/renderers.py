"""The API's JSON renderer: DRF's output, encoded by orjson.

Rendering a page of entries (~40 KB) with the standard library took 0.4 ms per request,
as much as the rest of a cached read after authentication (docs/performance.md); orjson
takes a tenth of that. The output is DRF's JSONRenderer's: compact, UTF-8, U+2028 and
U+2029 escaped, and every type orjson does not encode natively (datetimes included, so
their format stays DRF's) goes through DRF's encoder. An `indent` in the Accept header, or
anything orjson refuses (integers beyond 64 bits), falls back to DRF's own renderer.
One deliberate difference: a non-finite float renders as null instead of failing the request.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils import encoders

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
_default = encoders.JSONEncoder().default


class FastJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if not self.compact or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=_default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in rendered or b"\xe2\x80\xa9" in rendered:
            # A strict JavaScript subset, as DRF guarantees.
            rendered = rendered.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return rendered
