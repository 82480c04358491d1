"""Keep journal text, session messages, passwords and tokens out of logs and error reports.

Besides bodies and variables, the query string is private too: `q` is what someone
searched their journal for and `tag` one of their tag names. Logs and reports name the
path and the parameters, never their values.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.http import HttpRequest
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from pythonjsonlogger.json import JsonFormatter

# The request line as servers put it in the WSGI environ, query string included.
_RAW_URI_KEYS = ("QUERY_STRING", "RAW_URI", "REQUEST_URI")


def describe_request(request: HttpRequest) -> str:
    """What a log line says about a request: its method and path, not its query string."""
    return f"<{type(request).__name__}: {request.method} {request.path!r}>"


def utc_time(record: logging.LogRecord) -> str:
    """A log record's time in UTC, with its zone: `2026-11-29T08:53:39.125Z`.

    Django sets the process's zone to TIME_ZONE, so the app's lines were written in local
    time without an offset ("2026-11-29 09:53:39,125" for 08:53 UTC in Berlin) while
    gunicorn's master and other processes wrote UTC: one stream, two clocks, no way to tell.
    """
    moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PrivateJsonFormatter(JsonFormatter):
    """The JSON log formatter, writing a request passed in `extra` (django.request does) as
    method and path: its default rendering, the request's repr, holds the query string.
    Times are UTC (`utc_time`)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return utc_time(record)

    def add_fields(self, log_data: dict[str, Any], record: Any, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        for key, value in log_data.items():
            if isinstance(value, HttpRequest):
                log_data[key] = describe_request(value)


class RequestLineWithoutQuery(logging.Filter):
    """For django.server (runserver, i.e. `make run`): its lines start with the request line
    ("GET /search/?q=... HTTP/1.1"); the query string goes, the path stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[0], str) and "?" in args[0]:
            method, _, rest = args[0].partition(" ")
            target, space, protocol = rest.partition(" ")
            record.args = (f"{method} {target.split('?', 1)[0]}{space}{protocol}", *args[1:])
        return True


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (mail_admins, the debug page in production) show structure, never content.

    Request bodies and frame variables can hold a person's journal text; reports keep
    only the names of POST fields and of local variables.
    """

    hidden_settings = SafeExceptionReporterFilter.hidden_settings

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[tuple[str, str]]:
        if self.is_active(request):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)

    def get_safe_request_meta(self, request: Any) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        for header in ("HTTP_AUTHORIZATION", "HTTP_COOKIE", *_RAW_URI_KEYS):
            if header in meta:
                meta[header] = self.cleansed_substitute
        return meta

    def get_safe_cookies(self, request: Any) -> dict[str, Any]:
        # Django cleanses only cookies named like a secret: the session cookie ("sessionid")
        # is not, and a report in a mailbox must not let its reader sign in as the person.
        cookies = getattr(request, "COOKIES", None) or {}
        return dict.fromkeys(cookies, self.cleansed_substitute)


class PrivateExceptionReporter(ExceptionReporter):
    """Django's error report with the query string's values left out (names kept)."""

    def _get_raw_insecure_uri(self) -> str:
        return f"{self.request.scheme}://{self.request._get_raw_host()}{self.request.path}"

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if self.request is not None:
            substitute = self.filter.cleansed_substitute
            data["request_GET_items"] = [(name, substitute) for name in self.request.GET]
        return data
