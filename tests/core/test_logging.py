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
