"""The schema and the interactive docs answer their errors as the rest of the API does.

drf-spectacular's views render an error with the renderer the request negotiated, or
their first one: `Accept: text/html` on /api/v1/schema/ answered a 406 in YAML
(`error:\\n  code: not_acceptable`, as `application/vnd.oai.openapi`), `?format=xml` a
404 the same way, and the docs page a 405 or 406 as a line of HTML. A client reading
`error.code` (CONTRACT §3: errors are JSON, never an HTML page) could read none of them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

from journal_project.api.renderers import FastJSONRenderer


class JSONErrorsMixin:
    """Errors in JSON whatever the view renders when it succeeds."""

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = FastJSONRenderer()
            response.accepted_media_type = FastJSONRenderer.media_type
        return response


class SchemaView(JSONErrorsMixin, SpectacularAPIView):
    """`/api/v1/schema/`: the OpenAPI document (YAML, or JSON with `?format=json`)."""


class DocsView(JSONErrorsMixin, SpectacularSwaggerSplitView):
    """`/api/v1/docs/`: Swagger UI, from the same-origin sidecar assets."""
