"""`@idempotent`: a create view's handler made safe to retry with an `Idempotency-Key` header.

Without the header the handler runs exactly as before. With it, the handler runs in one
transaction together with the key's record (journal_project/idempotency.py): a success
(2xx) stores its status, body and `Location` there; a retry with the same key and the
same request gets that answer again with `Idempotent-Replayed: true`, and writes nothing.
An error answer is not stored (its exception rolls the record back with everything
else), so the client can fix the request and send it again under the same key.

The schema (journal_project.api.schema) reads the `idempotent` mark to declare the
header, the replay header and the 409/422 answers on these operations.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.status import is_success

from journal_project import idempotency
from journal_project.models import IdempotencyRecord

# Headers of the first answer that its replays repeat (the body's media type is stored too).
REPLAYED_HEADERS = ("Location",)


def idempotent(handler: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Decorate an APIView's `post` so that an `Idempotency-Key` makes it safe to retry."""

    @wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = request.headers.get(idempotency.HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        idempotency.key_validate(key)
        fingerprint = idempotency.fingerprint(method=request.method, path=request.path, data=request.data)
        with transaction.atomic():
            record = idempotency.idempotency_claim(
                user=request.user, key=key, operation=_operation(request), fingerprint=fingerprint
            )
            if record.status_code is not None:
                return _replay(record)
            response = handler(view, request, *args, **kwargs)
            if is_success(response.status_code):
                body, content_type = _rendered(view, request, response)
                headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
                idempotency.idempotency_complete(
                    record=record,
                    status_code=response.status_code,
                    body=body,
                    headers={**headers, "Content-Type": content_type},
                )
            else:
                idempotency.idempotency_release(record=record)
        return response

    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper


def _operation(request: Request) -> str:
    # The URL pattern, not the path: one key names one request to one endpoint, and the
    # fingerprint (which has the path) tells a reuse on another session apart.
    match = request.resolver_match
    route = match.route if match is not None else request.path
    return f"{request.method} {route}"[:200]


def _rendered(view: Any, request: Request, response: HttpResponseBase) -> tuple[str, str]:
    """The answer's body as the client receives it, and its media type."""
    if isinstance(response, Response):
        renderer = request.accepted_renderer
        content = renderer.render(response.data, request.accepted_media_type, view.get_renderer_context())
        content_type = renderer.media_type
        if renderer.charset:
            content_type = f"{content_type}; charset={renderer.charset}"
    else:
        content, content_type = response.content, response["Content-Type"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    return text, content_type


def _replay(record: IdempotencyRecord) -> HttpResponse:
    headers = dict(record.response_headers)
    content_type = headers.pop("Content-Type", "application/json")
    response = HttpResponse(record.response_body.encode("utf-8"), status=record.status_code, content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    response[idempotency.REPLAYED_HEADER] = "true"
    return response
