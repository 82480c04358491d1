"""Another person's journal is invisible: 404 like a missing id, and never in search, stats,
tags, export, ETags or the cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from entries.models import Entry
from journal_project import caching
from tests.entries.factories import EntryFactory

pytestmark = pytest.mark.django_db
SECRET = "zanzibarsecret"


@pytest.fixture
def their_entry(other_user):
    return EntryFactory(user=other_user, title=f"{SECRET} title", body=f"{SECRET} body", tags=[SECRET], mood=1)


@pytest.mark.parametrize(
    ("method", "payload"),
    [
        ("get", None),
        ("put", {"title": "hijack", "body": "x"}),
        ("patch", {"title": "hijack"}),
        ("patch", {"mood": 99}),  # even an invalid body gets 404, not a 400 that confirms the id
        ("delete", None),
    ],
)
def test_every_entry_endpoint_answers_404_exactly_like_a_missing_id(auth_client, their_entry, method, payload):
    call = getattr(auth_client, method)
    theirs = call(f"/api/v1/entries/{their_entry.pk}/", payload, format="json")
    missing = call("/api/v1/entries/999999999/", payload, format="json")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert "ETag" not in theirs
    their_entry.refresh_from_db()
    assert their_entry.title == f"{SECRET} title"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/entries/{id}/"),
        ("get", "/entries/{id}/edit/"),
        ("post", "/entries/{id}/edit/"),
        ("get", "/entries/{id}/delete/"),
        ("post", "/entries/{id}/delete/"),
    ],
)
def test_every_entry_page_answers_404(browser_client, their_entry, method, path):
    response = getattr(browser_client, method)(path.format(id=their_entry.pk), {"title": "x", "body": "y"})
    assert response.status_code == 404
    assert SECRET.encode() not in response.content
    assert Entry.objects.filter(pk=their_entry.pk).exists()


def test_never_in_my_lists_search_tags_stats_or_export(auth_client, browser_client, their_entry, user):
    EntryFactory(user=user, title="mine", body="ordinary words")
    responses = [
        auth_client.get("/api/v1/entries/"),
        auth_client.get("/api/v1/entries/", {"q": SECRET}),
        auth_client.get("/api/v1/entries/", {"tag": SECRET}),
        auth_client.get("/api/v1/tags/"),
        auth_client.get("/api/v1/stats/"),
        auth_client.get("/api/v1/export/"),
        auth_client.get("/api/v1/export/", {"format": "markdown"}),
        browser_client.get("/entries/"),
        browser_client.get("/today/"),
        browser_client.get("/calendar/"),
        browser_client.get("/insights/"),
        browser_client.get("/export/download/", {"format": "json"}),
    ]
    for response in responses:
        assert response.status_code == 200
        assert SECRET.encode() not in response.content
    search_page = browser_client.get("/search/", {"q": SECRET})  # echoes the query, nothing else
    assert f"{SECRET} title".encode() not in search_page.content
    assert f"{SECRET} body".encode() not in search_page.content
    assert b"0 results" in search_page.content
    assert auth_client.get("/api/v1/entries/", {"q": SECRET}).json()["count"] == 0
    stats = auth_client.get("/api/v1/stats/").json()
    assert stats["entries_count"] == 1
    assert stats["mood_trend"][0]["avg_mood"] is None  # their mood 1 is not mixed in


def test_etags_are_per_user(auth_client, other_client, their_entry):
    theirs = other_client.get("/api/v1/entries/")
    mine = auth_client.get("/api/v1/entries/", HTTP_IF_NONE_MATCH=theirs["ETag"])
    assert mine.status_code == 200  # their ETag never validates my request
    assert mine["ETag"] != theirs["ETag"]


def test_never_in_my_cache_keys_or_values(auth_client, other_client, their_entry, user, other_user):
    other_client.get(f"/api/v1/entries/{their_entry.pk}/")
    other_client.get("/api/v1/entries/", {"q": SECRET})
    auth_client.get(f"/api/v1/entries/{their_entry.pk}/")  # probing caches only "not found", under my id
    auth_client.get("/api/v1/entries/", {"q": SECRET})
    auth_client.get("/api/v1/stats/")
    mine = cache.keys(f"j:entries:{user.pk}:*")
    theirs = cache.keys(f"j:entries:{other_user.pk}:*")
    assert mine
    assert theirs
    for key in mine:
        if key.endswith(":lock"):
            assert cache.get(key) == 1  # a rebuild's stampede lock (left to expire) holds no data
            continue
        assert SECRET not in repr(_stored(key)), key
    # The one place their text lives in the cache is under their own scope.
    assert any(SECRET in repr(_stored(key)) for key in theirs if not key.endswith(":lock"))


def _stored(key: str):
    """A cached value as data: rendered responses are stored as their JSON bytes."""
    payload = caching._get_payload(key)
    return payload.decode() if ":response:" in key else caching._decode(payload)
