"""POST /api/v1/import/: all or nothing, and idempotent."""

from __future__ import annotations

import io
import json

import pytest

from entries.models import Entry, Tag
from tests.entries.factories import EntryFactory

URL = "/api/v1/import/"
pytestmark = pytest.mark.django_db


def document(*entries):
    return {"format": "journal-export", "version": 1, "entries": list(entries)}


def item(n: int, **extra):
    return {"uid": f"00000000-0000-4000-8000-{n:012d}", "title": f"Imported {n}", "body": f"Body {n}", **extra}


def upload(data) -> dict:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return {"file": io.BytesIO(raw)}


def test_import_a_file(auth_client, user):
    data = document(item(1, tags=["A", "b"], mood=4, entry_date="2020-02-02"), item(2))
    response = auth_client.post(URL, upload(data), format="multipart")
    assert response.status_code == 201, response.content
    assert response.json() == {"imported": 2}
    first = Entry.objects.get(user=user, title="Imported 1")
    assert (first.mood, first.entry_date.isoformat()) == (4, "2020-02-02")
    assert sorted(first.tags.values_list("name", flat=True)) == ["A", "b"]
    assert first.body_html == "<p>Body 1</p>"


def test_blank_tag_names_are_dropped_as_when_writing_an_entry(auth_client, user):
    """The API drops `""` from an entry's tags; an import refused the whole file for it."""
    response = auth_client.post(URL, upload(document(item(1, tags=["", "  ", "calm"]))), format="multipart")
    assert response.status_code == 201, response.content
    assert list(Entry.objects.get(user=user).tags.values_list("name", flat=True)) == ["calm"]


def test_import_a_json_body(auth_client, user):
    response = auth_client.post(URL, document(item(1)), format="json")
    assert response.status_code == 201
    assert Entry.objects.filter(user=user).count() == 1


def test_reimporting_the_same_file_creates_nothing(auth_client, user):
    data = document(item(1, tags=["x"]), item(2))
    assert auth_client.post(URL, upload(data), format="multipart").json() == {"imported": 2}
    assert auth_client.post(URL, upload(data), format="multipart").json() == {"imported": 0}
    assert Entry.objects.filter(user=user).count() == 2
    assert Tag.objects.filter(user=user).count() == 1


def test_entries_without_uid_are_still_imported_once(auth_client, user):
    data = document({"title": "No uid", "body": "text", "entry_date": "2021-01-01"})
    auth_client.post(URL, data, format="json")
    auth_client.post(URL, data, format="json")
    assert Entry.objects.filter(user=user).count() == 1


def test_an_entry_with_a_null_uid_gets_one_derived_from_its_content(auth_client, user):
    data = document({"uid": None, "title": "Null uid", "body": "text"})
    assert auth_client.post(URL, data, format="json").status_code == 201
    assert auth_client.post(URL, data, format="json").json() == {"imported": 0}


def test_two_entries_with_one_uid_in_a_file_are_a_400_and_import_nothing(auth_client, user):
    first = item(1)
    data = document(first, item(2), {**item(3), "uid": first["uid"]})
    response = auth_client.post(URL, data, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"entries[2].uid": ["Already used by entries[0]."]}
    assert not Entry.objects.filter(user=user).exists()


def test_a_bad_entry_imports_nothing(auth_client, user):
    EntryFactory(user=user, title="already here")
    data = document(item(1), item(2, mood=9), item(3), item(4, title=""))
    response = auth_client.post(URL, upload(data), format="multipart")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "entries[1].mood" in fields
    assert "entries[3].title" in fields
    assert list(Entry.objects.filter(user=user).values_list("title", flat=True)) == ["already here"]


@pytest.mark.parametrize(
    "raw",
    [
        b"not json at all",
        b"\xff\xfe\x00garbage",
        json.dumps({"entries": "nope"}).encode(),
        json.dumps({"format": "other", "entries": []}).encode(),
        json.dumps({"version": 2, "entries": [item(1)]}).encode(),
        json.dumps({"entries": []}).encode(),
        json.dumps({"entries": [item(1, colour="red")]}).encode(),
        json.dumps("a string").encode(),
        b'{"entries": ' + b"[" * 5000 + b"]" * 5000 + b"}",  # nested deeper than the decoder recurses
    ],
)
def test_bad_files_are_a_400(auth_client, user, raw):
    response = auth_client.post(URL, upload(raw), format="multipart")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert not Entry.objects.filter(user=user).exists()


def test_missing_file_is_a_400(auth_client):
    response = auth_client.post(URL, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_export_then_import_round_trips_into_another_account(auth_client, other_client, other_user, user):
    EntryFactory(user=user, title="Round trip", body="Body **md**", mood=2, tags=["t1", "T2"])
    exported = auth_client.get("/api/v1/export/").content
    response = other_client.post(URL, upload(exported), format="multipart")
    assert response.json() == {"imported": 1}
    copy = Entry.objects.get(user=other_user)
    original = Entry.objects.get(user=user)
    for field in ("uid", "title", "body", "body_html", "mood", "entry_date", "created_at", "word_count"):
        assert getattr(copy, field) == getattr(original, field), field
    assert sorted(copy.tags.values_list("name", flat=True)) == ["T2", "t1"]


def test_imported_entries_are_visible_at_once(auth_client, user):
    assert auth_client.get("/api/v1/entries/").json()["count"] == 0
    auth_client.post(URL, document(item(1), item(2)), format="json")
    assert auth_client.get("/api/v1/entries/").json()["count"] == 2
    assert auth_client.get("/api/v1/stats/").json()["entries_count"] == 2
