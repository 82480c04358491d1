"""GET /api/v1/export/: JSON (lossless) and Markdown (a zip, one file per entry)."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest

from tests.entries.factories import EntryFactory

URL = "/api/v1/export/"
pytestmark = pytest.mark.django_db


def test_json_export_is_lossless(auth_client, user, run_commit_hooks):
    entry = run_commit_hooks(
        EntryFactory,
        user=user,
        title='Quotes "and" colons: fine',
        body="Line one\n\n* a list\n",
        mood=4,
        tags=["Travel", "family"],
        entry_date=datetime.date(2023, 7, 1),
    )
    entry.refresh_from_db()
    response = auth_client.get(URL, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="journal-')
    document = json.loads(response.content)
    assert (document["format"], document["version"]) == ("journal-export", 1)
    (item,) = document["entries"]
    assert item == {
        "uid": str(entry.uid),
        "title": entry.title,
        "body": entry.body,
        "mood": 4,
        "sentiment": entry.sentiment,
        "tags": ["family", "Travel"],
        "entry_date": "2023-07-01",
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }
    assert entry.sentiment is not None
    assert datetime.datetime.fromisoformat(item["created_at"]) == entry.created_at


def test_json_is_the_default_format(auth_client, user):
    EntryFactory(user=user)
    response = auth_client.get(URL)
    assert len(json.loads(response.content)["entries"]) == 1


def test_markdown_export_is_a_zip_with_front_matter(auth_client, user):
    EntryFactory(
        user=user, title="A day: out", body="**Bold** text", mood=3, tags=["x"], entry_date=datetime.date(2024, 1, 2)
    )
    EntryFactory(user=user, title="A day: out", body="Second", entry_date=datetime.date(2024, 1, 2))
    response = auth_client.get(URL, {"format": "markdown"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == ["journal/2024-01-02-a-day-out-2.md", "journal/2024-01-02-a-day-out.md"]
    text = archive.read("journal/2024-01-02-a-day-out.md").decode()
    assert text.startswith('---\ntitle: "A day: out"\ndate: 2024-01-02\nmood: 3\n')
    assert 'tags: ["x"]' in text
    assert text.endswith("---\n**Bold** text\n")


def test_unknown_format_is_a_400(auth_client):
    response = auth_client.get(URL, {"format": "pdf"})
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


def test_export_is_throttled(auth_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "export": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert auth_client.get(URL).status_code == 200
    assert auth_client.get(URL).status_code == 200
    response = auth_client.get(URL)
    assert response.status_code == 429
    assert "Retry-After" in response
    assert response.json()["error"]["code"] == "throttled"
