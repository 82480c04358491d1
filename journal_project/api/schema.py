"""The OpenAPI schema tells the whole truth: every operation lists the errors it can answer.

drf-spectacular documents only the success responses a view declares. Mobile clients
generate code from the schema, and the fuzzer (tests/reliability/test_fuzz_api.py)
checks every answer against it, so each operation also gets the error statuses the
shared machinery can produce, all with the one error shape of `journal_project.exceptions`:

* 400 when the operation reads a body or query parameters (validation),
* 401 and 403 when it needs authentication (no or bad token; CSRF or staff-only),
* 404 when it has path parameters (not yours or missing) or pages (a page past the end),
* 406 always (an `Accept` header that excludes JSON),
* 413 and 415 when it reads a body (too large, not JSON or multipart),
* 429 when a throttle applies,
* 503 always (the database is unreachable),
* 304 for conditional GETs (`If-None-Match` with the current `ETag`),

with the headers a client acts on: `Retry-After` on 429 and 503, `ETag` on a conditional
GET's 200 and 304, `Location` on a 201 whose view sets `created_location`.

A view may declare a status itself (e.g. 409 or 410 with its own description); that
declaration wins, and an error it declares without a body gets the error shape too.

Two more truths: input serializers that refuse unknown fields (`StrictSerializer`) say
`additionalProperties: false`, and request bodies are documented as JSON, the API's
contract (CONTRACT §3), unless a view chooses its own parsers (the import takes a file).
DRF's default form parsers still accept form posts, but clients must not rely on them:
an empty form field means "not sent" there, which JSON does not have.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from journal_project import idempotency
from journal_project.api.serializers import StrictFieldsMixin


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. `invalid`, `not_found`, `throttled`.")
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="Per input field: a list of messages (or, for nested input, the same shape again).",
    )
    entry_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="`session_closed` from ending a session: the entry its first end filed (null: none).",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `fields` names what is wrong.",
    "401": "No valid credentials (missing, unknown, expired or revoked token).",
    "403": "Not allowed (a session-authenticated write without its CSRF token, or staff only).",
    "404": "Not found: a missing id, another person's object, or a page past the end.",
    "406": "The `Accept` header excludes JSON.",
    "413": "The request body is too large.",
    "415": "The body's media type is not one the operation reads (send JSON).",
    "429": "Throttled or locked out; `Retry-After` says when to retry.",
    "503": "A service the request needs (the database) is unavailable; `Retry-After` says when to retry.",
}


# Headers a client acts on, declared where the server sends them: a client generated from the
# schema learnt of neither the ETag it should send back nor when a throttled request may retry.
RETRY_AFTER = {
    "schema": {"type": "integer", "minimum": 1},
    "required": True,
    "description": "Seconds to wait before retrying.",
}
ETAG = {
    "schema": {"type": "string"},
    "required": True,
    "description": "Strong validator of this answer, for `If-None-Match` (`Cache-Control: private, no-cache`).",
}

LOCATION = {
    "schema": {"type": "string", "format": "uri-reference"},
    "required": True,
    "description": "The path of what was created.",
}

REPLAYED = {
    "schema": {"type": "string", "enum": ["true"]},
    "required": False,
    "description": "Present on a replay: the stored answer to an earlier request with this `Idempotency-Key`.",
}
IDEMPOTENCY_ERRORS = {
    "409": "`idempotency_key_in_use`: a request with this `Idempotency-Key` is still running; retry shortly",
    "422": "`idempotency_key_reused`: this `Idempotency-Key` was used for a different request",
}


class JournalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses every operation can give."""

    def map_parsers(self) -> list[Any]:
        chose_parsers = any(
            "parser_classes" in vars(klass) for klass in type(self.view).__mro__ if klass is not APIView
        )
        if chose_parsers:
            return super().map_parsers()
        return [JSONParser.media_type]

    def _map_basic_serializer(self, serializer: Any, direction: str) -> Any:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(force_instance(serializer), StrictFieldsMixin):
            schema["additionalProperties"] = False
        return schema

    def _get_request_body(self, direction: str = "request") -> Any:
        # drf-spectacular documents bodies only for POST, PUT and PATCH. A view whose
        # DELETE needs one (account deletion asks for the password) says so with
        # `delete_request_body = True`; the declared serializer is then documented.
        if self.method == "DELETE" and getattr(self.view, "delete_request_body", False):
            self.method = "POST"
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def get_operation(self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any) -> Any:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses: dict[str, Any] = operation["responses"]
        parameters = operation.get("parameters", [])
        # Filters that treat `?name=` like a missing parameter (the pages' filter forms send
        # every field) say so: a view lists them in `blank_query_parameters`.
        blank_allowed = set(getattr(self.view, "blank_query_parameters", ()))
        for parameter in parameters:
            if parameter.get("in") == "query" and parameter.get("name") in blank_allowed:
                parameter["allowEmptyValue"] = True
        locations = {parameter.get("in") for parameter in parameters}
        names = {parameter.get("name") for parameter in parameters}
        # A body that the view never reads cannot fail to parse: only a documented one counts.
        has_body = "requestBody" in operation

        statuses = ["406", "503"]
        if has_body or "query" in locations:
            statuses.append("400")
        if self._needs_authentication():
            statuses += ["401", "403"]
        if "path" in locations or "page" in names:
            statuses.append("404")
        if has_body:
            statuses += ["413", "415"]
        if getattr(self.view, "throttle_classes", None):
            statuses.append("429")
        for status in statuses:
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status]), status
                )
        # A view that declares an error with a description only (`OpenApiResponse(description=
        # "Not yours or missing")`) still answers the error shape: a client generated from a
        # response without content could not read the body's `code`.
        for status, response in list(responses.items()):
            if status.isdigit() and int(status) >= 400 and "content" not in response:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=response.get("description", "")), status
                )
        for status in ("429", "503"):
            if status in responses:
                responses[status].setdefault("headers", {})["Retry-After"] = RETRY_AFTER
        if "201" in responses and getattr(self.view, "created_location", False):
            responses["201"].setdefault("headers", {})["Location"] = LOCATION
        if self._is_idempotent():
            self._document_idempotency(responses, parameters)
            operation["parameters"] = parameters
        if self.method == "GET" and self._is_conditional():
            responses.setdefault("304", {"description": "Not modified: `If-None-Match` matched the current `ETag`."})
            for status in ("200", "304"):
                responses[status].setdefault("headers", {})["ETag"] = ETAG
            if "If-None-Match" not in names:
                parameters.append(
                    {
                        "in": "header",
                        "name": "If-None-Match",
                        "schema": {"type": "string"},
                        "description": "An `ETag` from an earlier answer; a match answers 304 without a body.",
                    }
                )
                operation["parameters"] = parameters
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _needs_authentication(self) -> bool:
        permissions = self.view.get_permissions()
        return not all(isinstance(permission, AllowAny) for permission in permissions)

    def _is_idempotent(self) -> bool:
        handler = getattr(self.view, self.method.lower(), None)
        return bool(getattr(handler, "idempotent", False))

    def _document_idempotency(self, responses: dict[str, Any], parameters: list[dict[str, Any]]) -> None:
        """The optional `Idempotency-Key` of a create (journal_project.api.idempotency) and its answers."""
        parameters.append(
            {
                "in": "header",
                "name": idempotency.HEADER,
                "required": False,
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": idempotency.KEY_MAX_LENGTH,
                    "pattern": idempotency.KEY_PATTERN,
                },
                "description": (
                    "Makes the request safe to retry: a repeat with the same key and the same request answers "
                    "the first success again (`Idempotent-Replayed: true`) and writes nothing. Kept "
                    "IDEMPOTENCY_KEY_TTL_HOURS (24 by default), per user and operation; a UUID is a good key."
                ),
            }
        )
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {})[idempotency.REPLAYED_HEADER] = REPLAYED
        for status, description in IDEMPOTENCY_ERRORS.items():
            if status in responses:
                described = responses[status].get("description", "")
                responses[status]["description"] = f"{described}; or {description}" if described else description
            else:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), status
                )

    def _is_conditional(self) -> bool:
        handler = getattr(self.view, self.method.lower(), None)
        return bool(getattr(handler, "conditional_get", False))
