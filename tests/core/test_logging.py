"""Logs and error reports never contain journal text, passwords or tokens."""

import json
import logging

import pytest
from django.test import RequestFactory

from journal_project.logging import PrivateExceptionReporterFilter

pytestmark = pytest.mark.django_db


def test_error_reports_hide_post_bodies_and_frame_variables(settings):
    settings.DEBUG = False
    request = RequestFactory().post("/x/", {"body": "my secret diary", "password": "hunter2"})
    request.META["HTTP_AUTHORIZATION"] = "Bearer abc"
    reporter_filter = PrivateExceptionReporterFilter()
    assert set(reporter_filter.get_post_parameters(request).values()) == {reporter_filter.cleansed_substitute}

    def frame_with_secret():
        import sys

        diary = "my secret diary"  # noqa: F841
        return sys._getframe()

    variables = dict(reporter_filter.get_traceback_frame_variables(request, frame_with_secret()))
    assert "my secret diary" not in json.dumps(variables)
    assert reporter_filter.get_safe_request_meta(request)["HTTP_AUTHORIZATION"] == reporter_filter.cleansed_substitute


def test_log_lines_carry_the_request_id(client, caplog):
    caplog.set_level(logging.WARNING)
    client.get("/api/v1/auth/me/", HTTP_X_REQUEST_ID="req-42-abcdef")
    unauthorized = [record for record in caplog.records if "Unauthorized" in record.getMessage()]
    assert unauthorized
    assert all(getattr(record, "request_id", None) == "req-42-abcdef" for record in unauthorized)


def test_password_never_reaches_the_logs(api_client, caplog, user):
    caplog.set_level(logging.DEBUG)
    api_client.post("/api/v1/auth/token/", {"username": user.username, "password": "Sup3r-secret-pw"})
    assert "Sup3r-secret-pw" not in caplog.text


def _production_json_formatter(settings) -> logging.Formatter:
    from django.utils.module_loading import import_string

    config = dict(settings.LOGGING["formatters"]["json"])
    return import_string(config.pop("()"))(**config)


def test_json_log_lines_name_the_path_but_never_the_search_or_tag_asked_for(auth_client, settings, caplog):
    """A search past its last page (404), with an invalid filter (400) or throttled (429)
    is logged by django.request with the request: what someone searched their journal
    for, or the tag they filtered by, must not be written to the logs with it."""
    caplog.set_level(logging.WARNING, logger="django.request")
    assert auth_client.get("/api/v1/entries/", {"q": "my secret divorce", "page": 99}).status_code == 404
    assert auth_client.get("/api/v1/entries/", {"tag": "affair", "mood": 9}).status_code == 400
    records = [record for record in caplog.records if record.name == "django.request"]
    assert len(records) == 2
    formatter = _production_json_formatter(settings)
    for record in records:
        line = formatter.format(record)
        assert "/api/v1/entries/" in line  # the operator still sees where it happened
        for secret in ("secret", "divorce", "affair"):
            assert secret not in line, line


def test_error_reports_mailed_to_admins_hold_no_query_or_cookie_values(settings, mailoutbox):
    """An error during a search mails the admins a report: the report names the path and
    the parameters, never what was searched for, nor the session cookie (a report
    sitting in a mailbox must not let its reader sign in as the person)."""
    settings.ADMINS = [("Operator", "ops@example.org")]
    settings.DEBUG = False
    request = RequestFactory().get("/search/", {"q": "my secret divorce", "tag": "affair"})
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "sessionvalue0123456789abcdefghij"
    request.META["RAW_URI"] = request.get_full_path()  # gunicorn's raw request line
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=True, extra={"status_code": 500, "request": request}
        )
    assert len(mailoutbox) == 1
    report = mailoutbox[0].subject + mailoutbox[0].body
    assert "/search/" in report
    assert "RuntimeError" in report
    for secret in ("secret", "divorce", "affair", "sessionvalue0123456789abcdefghij"):
        assert secret not in report, secret


def test_the_gunicorn_access_log_if_switched_on_leaves_out_query_strings_and_referrers():
    import runpy
    from pathlib import Path

    import journal_project

    config = runpy.run_path(str(Path(journal_project.__file__).parent / "gunicorn.conf.py"))
    log_format = config["access_log_format"]
    assert "%(U)s" in log_format  # the path
    for atom in ("%(r)s", "%(q)s", "%(f)s", "{"):  # request line, query string, referrer, raw headers
        assert atom not in log_format, atom


def test_the_development_servers_log_lines_leave_out_query_strings(settings):
    """`make run` serves with runserver, whose django.server logger writes the request line
    of every 4xx and 5xx: a search past its last page logged what was searched for."""
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_production_json_formatter(settings))
    server_logger = logging.getLogger("django.server")
    server_logger.addHandler(handler)
    try:
        # As django.core.servers.basehttp.WSGIRequestHandler.log_message logs it.
        server_logger.warning('"%s" %s %s', "GET /search/?q=my+secret+divorce&page=9 HTTP/1.1", "404", "1843")
    finally:
        server_logger.removeHandler(handler)
    line = stream.getvalue()
    assert "GET /search/ HTTP/1.1" in line
    assert "404" in line
    for secret in ("secret", "divorce", "page=9"):
        assert secret not in line, line


def test_json_log_times_are_utc_with_their_zone_whatever_time_zone_the_server_has(monkeypatch):
    """Ninth pass (operator): Django sets the process's zone to TIME_ZONE, so with
    TIME_ZONE=Europe/Berlin the app's lines said "2026-11-29 09:53:39,125" for 08:53 UTC,
    without an offset, next to gunicorn's and other processes' UTC lines."""
    import time

    from journal_project.logging import PrivateJsonFormatter

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        record = logging.LogRecord("journal", logging.INFO, __file__, 1, "hello", None, None)
        record.created = 1795942419.125  # 2026-11-29 08:53:39.125 UTC
        formatter = PrivateJsonFormatter("%(asctime)s %(message)s", rename_fields={"asctime": "time"})
        assert json.loads(formatter.format(record))["time"] == "2026-11-29T08:53:39.125Z"
    finally:
        monkeypatch.undo()
        time.tzset()
