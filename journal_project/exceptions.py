"""Typed errors of the project and the one place that turns any error into the API's JSON shape.

Every API error answers::

    {"error": {"code": "...", "message": "...", "fields": {...}}}

Services raise the `JournalError` subclasses below (or Django's ValidationError from
`full_clean()`); views never build error responses by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class JournalError(Exception):
    """Base of the project's own errors: each knows its HTTP status and error code."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "error"
    default_message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        # Members of the error object beside code/message/fields, each declared in the
        # schema's ErrorDetailSerializer (e.g. `entry_id` of an already ended session).
        self.extra = extra or {}
        super().__init__(self.message)


class InvalidInput(JournalError):
    code = "invalid"
    default_message = "Invalid input."


class NotFound(JournalError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_message = "Not found."


class Forbidden(JournalError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"
    default_message = "You do not have permission to do this."


class Conflict(JournalError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    default_message = "The request conflicts with the current state."


class ServiceUnavailable(JournalError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "service_unavailable"
    default_message = "The service is temporarily unavailable. Please retry shortly."


def error_body(code: str, message: str, fields: dict | None = None, extra: dict | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    if extra:
        body.update(extra)
    return {"error": body}


def _fields_from_detail(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {
            key: _fields_from_detail(value) if isinstance(value, dict) else _messages(value)
            for key, value in detail.items()
        }
    return {"non_field_errors": _messages(detail)}


def _messages(detail: Any) -> list[str] | Any:
    if isinstance(detail, list):
        return [str(item) if not isinstance(item, (dict, list)) else _fields_from_detail(item) for item in detail]
    return [str(detail)]


def _first_message(detail: Any) -> str | None:
    if isinstance(detail, dict):
        for value in detail.values():
            message = _first_message(value)
            if message:
                return message
        return None
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else None
    return str(detail)


DRF_CODES = {
    drf_exceptions.ParseError: "parse_error",
    drf_exceptions.AuthenticationFailed: "authentication_failed",
    drf_exceptions.NotAuthenticated: "not_authenticated",
    drf_exceptions.PermissionDenied: "permission_denied",
    drf_exceptions.NotFound: "not_found",
    drf_exceptions.MethodNotAllowed: "method_not_allowed",
    drf_exceptions.NotAcceptable: "not_acceptable",
    drf_exceptions.UnsupportedMediaType: "unsupported_media_type",
    drf_exceptions.Throttled: "throttled",
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error gets the same JSON shape, and none is a 500 for bad input."""
    if isinstance(exc, JournalError):
        return Response(error_body(exc.code, exc.message, exc.fields, exc.extra), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("invalid", _first_message(fields) or "Invalid input.", fields), status=400)
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body("too_large", "The request body is too large."), status=413)
    if isinstance(exc, SuspiciousOperation):
        return Response(error_body("bad_request", "The request was malformed."), status=400)
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("Database unavailable: %s", type(exc).__name__)
        response = Response(error_body(ServiceUnavailable.code, ServiceUnavailable.default_message), status=503)
        response["Retry-After"] = "5"
        # Logged just above: not again by `django.request`, whose handler mails the admins,
        # once per request for as long as the outage lasts.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    if isinstance(exc, IntegrityError):
        # What validation let through and the database refused at the write or its commit:
        # a concurrent change (the account deleted while its phone wrote, a row another
        # request removed). Retrying sees the new state; a 500 told the client nothing.
        # The constraint's name, not the message: that quotes the values, which can be the
        # person's words (a tag).
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        logger.warning("Write refused by the database (%s)", constraint or type(exc.__cause__ or exc).__name__)
        return Response(
            error_body("conflict", "Something this change depends on changed at the same time. Try again."),
            status=409,
        )
    if isinstance(exc, DatabaseError) and "value too long" in str(exc):
        return Response(error_body("invalid", "A value is too long."), status=400)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _fields_from_detail(exc.detail)
        response.data = error_body("invalid", _first_message(exc.detail) or "Invalid input.", fields)
        return response
    code = DRF_CODES.get(type(exc)) or getattr(exc, "default_code", "error")
    for exc_type, mapped in DRF_CODES.items():
        if isinstance(exc, exc_type):
            code = mapped
            break
    detail = exc.detail if isinstance(exc, drf_exceptions.APIException) else str(exc)
    response.data = error_body(code, _first_message(detail) or "Error.")
    return response
