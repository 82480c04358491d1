"""Every timestamp the API and the export write has one shape: UTC, six fractional digits, `Z`."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from journal_project.timestamps import iso_timestamp
from tests.conftest import make_api_client
from tests.monitoring.factories import ViolationFactory

pytestmark = pytest.mark.django_db

SHAPE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT")


def timestamps(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every (path, string) in a JSON value that starts like a date and time."""
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in timestamps(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in timestamps(item, f"{path}[{index}]")]
    return [(path, value)] if isinstance(value, str) and MOMENT.match(value) else []


def test_iso_timestamp_keeps_zero_microseconds_and_writes_utc():
    paris = datetime.timezone(datetime.timedelta(hours=2))
    assert iso_timestamp(datetime.datetime(2024, 5, 1, 20, 3, 11, tzinfo=paris)) == "2024-05-01T18:03:11.000000Z"
    assert (
        iso_timestamp(datetime.datetime(2024, 5, 1, 18, 3, 11, 5, tzinfo=datetime.UTC)) == "2024-05-01T18:03:11.000005Z"
    )
    assert iso_timestamp(datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)) == "0001-01-02T00:00:00.000000Z"
    assert iso_timestamp(None) is None


def test_imported_whole_second_timestamps_keep_the_shape_of_every_other_timestamp(auth_client, staff_user):
    # An export from elsewhere has whole seconds; Python's isoformat() wrote them without
    # the fraction ("…:11Z") next to "…:11.204512Z" from ordinary writes.
    document = {
        "format": "journal-export",
        "version": 2,
        "exported_at": "2024-05-01T00:00:00Z",
        "profile": {"time_zone": "UTC"},
        "entries": [
            {
                "uid": "6d7b3f2e-2c1a-4b7e-9a51-0c4f8c1e2a33",
                "title": "Imported",
                "body": "From another app.",
                "entry_date": "2024-05-01",
                "created_at": "2024-05-01T18:03:11Z",
            }
        ],
        "sessions": [
            {
                "uid": "0e6c2b1a-9f3d-4c57-8d2e-1a2b3c4d5e6f",
                "title": "Evening",
                "technique": None,
                "status": "ended",
                "summary": None,
                "started_at": "2024-05-01T10:00:00Z",
                "last_activity_at": "2024-05-01T10:05:00Z",
                "ended_at": "2024-05-01T10:05:00+00:00",
                "entry_uid": None,
                "messages": [
                    {"role": "user", "content": "Hello", "created_at": "2024-05-01T10:01:00Z"},
                    {"role": "companion", "content": "Hi", "created_at": "2024-05-01T10:02:00Z"},
                ],
            }
        ],
    }
    assert auth_client.post("/api/v1/import/", document, format="json").status_code == 201
    entry_id = auth_client.get("/api/v1/entries/").json()["results"][0]["id"]
    session_id = auth_client.get("/api/v1/sessions/").json()["results"][0]["id"]
    gone = auth_client.post("/api/v1/entries/", {"title": "Gone", "body": "Deleted, for a tombstone."}, format="json")
    auth_client.delete(f"/api/v1/entries/{gone.json()['id']}/")
    since = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answers = {
        "list": auth_client.get("/api/v1/entries/").json(),
        "detail": auth_client.get(f"/api/v1/entries/{entry_id}/").json(),
        "sync": auth_client.get(f"/api/v1/entries/?updated_since={since}").json(),
        "sessions": auth_client.get("/api/v1/sessions/").json(),
        "session": auth_client.get(f"/api/v1/sessions/{session_id}/").json(),
        "export": auth_client.get("/api/v1/export/").json(),
        "me": auth_client.get("/api/v1/auth/me/").json(),
    }
    assert answers["detail"]["created_at"] == "2024-05-01T18:03:11.000000Z"
    assert answers["session"]["messages"][0]["created_at"] == "2024-05-01T10:01:00.000000Z"
    assert answers["sync"]["deleted"], "the sync answer's tombstone is checked too"
    found = timestamps(answers)
    assert len(found) > 20
    assert [(path, value) for path, value in found if not SHAPE.match(value)] == []


def test_a_token_and_the_monitoring_summary_use_the_same_shape(api_client, user, password, staff_user):
    token = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": password}, format="json")
    assert SHAPE.match(token.json()["expires_at"])
    ViolationFactory(started_at=datetime.datetime(2024, 5, 1, 18, 0, tzinfo=datetime.UTC))
    results = make_api_client(staff_user).get("/api/v1/monitoring/summary/").json()["results"]
    assert [r["violation_open_since"] for r in results if r["violation_open_since"]] == ["2024-05-01T18:00:00.000000Z"]
