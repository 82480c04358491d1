"""GET/POST /api/v1/entries/: pagination, filters, validation, sync, conditional GET, search."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entries import selectors, services
from entries.models import Entry
from tests.entries.conftest import entry_tables_touched, fresh_process
from tests.entries.factories import EntryFactory

URL = "/api/v1/entries/"
pytestmark = pytest.mark.django_db


def test_list_is_paginated_newest_first(auth_client, user):
    today = datetime.date(2024, 5, 10)
    for offset in range(25):
        EntryFactory(user=user, title=f"day {offset}", entry_date=today - datetime.timedelta(days=offset))
    response = auth_client.get(URL)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 25
    assert len(data["results"]) == 20
    assert [item["title"] for item in data["results"][:2]] == ["day 0", "day 1"]
    assert data["previous"] is None
    assert "page=2" in data["next"]
    second = auth_client.get(data["next"]).json()
    assert [item["title"] for item in second["results"]] == [f"day {n}" for n in range(20, 25)]
    assert (second["count"], second["next"]) == (25, None)
    assert auth_client.get(URL, {"page": 3}).status_code == 404  # past the last page


def test_entry_has_the_contract_fields(auth_client, user):
    EntryFactory(user=user, title="Fields", body="Some **bold** words", mood=3, tags=["a"])
    item = auth_client.get(URL).json()["results"][0]
    assert set(item) == {
        "id", "uid", "title", "body", "body_html", "mood", "sentiment", "tags", "entry_date",
        "created_at", "updated_at", "word_count",
    }  # fmt: skip
    assert item["body_html"] == "<p>Some <strong>bold</strong> words</p>"
    assert item["word_count"] == 3
    assert item["tags"] == ["a"]


def test_page_beyond_the_end_is_404(auth_client, user):
    EntryFactory(user=user)
    assert auth_client.get(URL, {"page": 5}).status_code == 404
    assert auth_client.get(URL, {"page": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "WORK"}, ["work day"]),
        ({"tag": "#work"}, ["work day"]),
        ({"mood": 5}, ["great day"]),
        ({"date_from": "2024-01-02"}, ["great day", "work day"]),
        ({"date_to": "2024-01-01"}, ["old day"]),
        ({"date_from": "2024-01-02", "date_to": "2024-01-02"}, ["work day"]),
        ({"tag": "work", "mood": 5}, []),
    ],
)
def test_filters(auth_client, user, params, expected):
    EntryFactory(user=user, title="old day", entry_date=datetime.date(2024, 1, 1), mood=1)
    EntryFactory(user=user, title="work day", entry_date=datetime.date(2024, 1, 2), tags=["Work"], mood=2)
    EntryFactory(user=user, title="great day", entry_date=datetime.date(2024, 1, 3), mood=5)
    response = auth_client.get(URL, params)
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"mood": 6}, "mood"),
        ({"mood": 0}, "mood"),
        ({"mood": "happy"}, "mood"),
        ({"date_from": "2024-13-01"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2024-02-02", "date_to": "2024-02-01"}, "date_to"),
        ({"updated_since": "not-a-time"}, "updated_since"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_filters_are_a_clear_400(auth_client, params, field):
    response = auth_client.get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_create_returns_201_with_the_entry(auth_client, user):
    response = auth_client.post(
        URL, {"title": "Hello", "body": "First *entry*", "mood": 4, "tags": ["Life", "life", " #work "]}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Hello"
    assert data["body_html"] == "<p>First <em>entry</em></p>"
    assert data["tags"] == ["Life", "work"]
    assert data["mood"] == 4
    assert response["Location"] == f"/api/v1/entries/{data['id']}/"
    assert Entry.objects.get(pk=data["id"]).user == user


def _read_back(user, entry_id):
    """The entry as a read from the database represents it (no cache involved)."""
    rows = selectors._with_tag_names(list(selectors._entry_rows(user.pk).filter(pk=entry_id)))
    return selectors.entry_to_dict(rows[0])


def test_a_write_answers_with_the_entry_as_stored_without_reading_it_back(auth_client, user):
    EntryFactory(user=user, tags=["Work"])
    with CaptureQueriesContext(connection) as queries:
        created = auth_client.post(URL, {"title": "Hi", "body": "A *good* day", "mood": 4, "tags": ["work", "New"]})
    assert created.status_code == 201
    data = created.json()
    # The existing tag keeps its case; the sentiment came with the write.
    assert data["tags"] == ["New", "Work"]
    assert data["sentiment"] > 0
    assert data == _read_back(user, data["id"])
    # Nothing after the insert reads the entry again.
    sqls = [query["sql"] for query in queries.captured_queries]
    insert = next(index for index, sql in enumerate(sqls) if sql.startswith('INSERT INTO "entries_entry"'))
    assert not [sql for sql in sqls[insert:] if sql.startswith("SELECT") and 'FROM "entries_entry"' in sql]
    for change in ({"mood": 2}, {"body": "A *sad* day", "tags": ["other"]}, {"tags": ["work", "new"]}):
        patched = auth_client.patch(f"{URL}{data['id']}/", change)
        assert patched.status_code == 200
        assert patched.json() == _read_back(user, data["id"])
    # And the stored value is the one later reads get: only the version is queried.
    with CaptureQueriesContext(connection) as queries:
        detail = auth_client.get(f"{URL}{data['id']}/").json()
    assert not [query for query in queries.captured_queries if '"entries_entry"."body"' in query["sql"]]
    assert detail == _read_back(user, data["id"])


def test_an_edit_that_keeps_the_tags_reads_them_once(auth_client, user):
    entry = EntryFactory(user=user, tags=["Work", "home"])
    with CaptureQueriesContext(connection) as queries:
        patched = auth_client.patch(f"{URL}{entry.pk}/", {"tags": ["work", "Home"], "mood": 3})
    assert patched.status_code == 200
    assert patched.json() == _read_back(user, entry.pk)
    # The edit compares the tags it read; the answer uses the same names.
    sqls = [query["sql"] for query in queries.captured_queries]
    tag_reads = [sql for sql in sqls if sql.startswith("SELECT") and '"entries_entry_tags"' in sql]
    assert len(tag_reads) == 1


def test_create_defaults_entry_date_to_today_in_the_users_zone(auth_client, user):
    user.profile.time_zone = "Pacific/Kiritimati"  # UTC+14: usually a different date than UTC
    user.profile.save()
    response = auth_client.post(URL, {"title": "t", "body": "b"}, format="json")
    expected = timezone.now().astimezone(user.profile.zone).date().isoformat()
    assert response.json()["entry_date"] == expected


def test_create_with_a_known_uid_returns_the_existing_entry(auth_client, user):
    first = auth_client.post(URL, {"title": "t", "body": "b", "uid": "6d7b3f2e-2c1a-4b7e-9a51-0c4f8c1e2a33"})
    again = auth_client.post(URL, {"title": "t", "body": "b", "uid": "6d7b3f2e-2c1a-4b7e-9a51-0c4f8c1e2a33"})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Entry.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "t", "body": "b", "colour": "red"}, "colour"),
        ({"title": "t", "body": "b", "mood": 6}, "mood"),
        ({"title": "t", "body": "b", "mood": 0}, "mood"),
        ({"title": "x" * 201, "body": "b"}, "title"),
        ({"title": "t", "body": "x" * 100_001}, "body"),
        ({"title": "t", "body": "   "}, "body"),
        ({"body": "b"}, "title"),
        ({"title": "t", "body": "b", "entry_date": "2024-02-30"}, "entry_date"),
        ({"title": "t", "body": "b", "tags": "not-a-list"}, "tags"),
        ({"title": "t", "body": "b", "tags": ["x" * 51]}, "tags"),
        ({"title": "t", "body": "b", "tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"title": "t", "body": "b", "uid": "nope"}, "uid"),
        # Found by the fuzzer: DRF coerced these (false became the nil UUID, 0 the tag "0").
        ({"title": "t", "body": "b", "uid": False}, "uid"),
        ({"title": "t", "body": "b", "uid": 7}, "uid"),
        ({"title": "t", "body": "b", "tags": [0]}, "tags"),
        ({"title": 5, "body": "b"}, "title"),
        ({"title": "t", "body": "b", "mood": "3"}, "mood"),
        ({"title": "t", "body": "b", "mood": True}, "mood"),
        ({"title": " " * 5 + "t" * 199, "body": "b"}, "title"),  # fuzzer: over 200 as sent, 199 once trimmed
    ],
)
def test_create_rejects_bad_input_with_a_clear_400(auth_client, user, payload, field):
    response = auth_client.post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Entry.objects.filter(user=user).exists()


def test_non_json_body_is_a_400_not_a_500(auth_client):
    response = auth_client.generic("POST", URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    response = auth_client.post(URL, ["a", "list"], format="json")
    assert response.status_code == 400


def test_anonymous_gets_401(api_client):
    assert api_client.get(URL).status_code == 401


# --- Incremental sync -------------------------------------------------------------------


def test_updated_since_returns_changes_and_deletions(auth_client, user):
    kept = EntryFactory(user=user, title="kept")
    gone = EntryFactory(user=user, title="gone")
    since = timezone.now()
    changed = services.entry_update(entry=kept, title="changed")
    services.entry_delete(entry=gone)
    response = auth_client.get(URL, {"updated_since": since.isoformat()})
    data = response.json()
    assert [item["id"] for item in data["results"]] == [changed.pk]
    assert data["deleted"] == [{"id": gone.pk, "uid": str(gone.uid), "deleted_at": data["deleted"][0]["deleted_at"]}]
    assert "deleted" not in auth_client.get(URL).json()


def _sync(client, since, page_size, between_pages=None):
    """Follow a sync's `next` links as a client does; `between_pages` runs after the first page."""
    data = client.get(URL, {"updated_since": since, "page_size": page_size}).json()
    seen, deleted = [item["title"] for item in data["results"]], {item["id"] for item in data["deleted"]}
    if between_pages is not None:
        between_pages()
    while data["next"]:
        response = client.get(data["next"])
        assert response.status_code == 200, response.content
        data = response.json()
        seen += [item["title"] for item in data["results"]]
        deleted |= {item["id"] for item in data["deleted"]}
    return seen, deleted


def test_a_paged_sync_skips_nothing_when_another_device_deletes_meanwhile(auth_client, user):
    since = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()
    made = [EntryFactory(user=user, title=f"e{n}", entry_date=datetime.date(2024, 5, n + 1)) for n in range(6)]
    # Another device deletes an entry of the page just read: with pages by offset, the
    # first entry of the next page moved onto the page already read and was never seen
    # (and, unchanged, no later sync brings it either).
    seen, deleted = _sync(auth_client, since, 2, lambda: services.entry_delete(entry=made[-1]))
    assert set(seen) >= {f"e{n}" for n in range(5)}
    assert deleted == {made[-1].pk}


def test_a_paged_sync_is_oldest_change_first_and_brings_edits_made_meanwhile(auth_client, user):
    since = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()
    made = [EntryFactory(user=user, title=f"e{n}", entry_date=datetime.date(2024, 5, n + 1)) for n in range(5)]
    first = auth_client.get(URL, {"updated_since": since, "page_size": 2}).json()
    assert [item["title"] for item in first["results"]] == ["e0", "e1"]
    assert "cursor=" in first["next"]
    assert "page=" not in first["next"]
    seen, _ = _sync(auth_client, since, 2, lambda: services.entry_update(entry=made[0], title="e0 edited"))
    # An entry already read and changed meanwhile comes again, in its new state, at the end.
    assert seen == ["e0", "e1", "e2", "e3", "e4", "e0 edited"]


def test_a_paged_sync_pages_through_entries_with_one_updated_at(auth_client, user):
    since = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()
    for n in range(5):
        EntryFactory(user=user, title=f"e{n}")
    Entry.objects.filter(user=user).update(updated_at=timezone.now())  # as an import leaves them
    seen, _ = _sync(auth_client, since, 2)
    assert sorted(seen) == [f"e{n}" for n in range(5)]


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "bm90IGEgY3Vyc29y"},  # "not a cursor"
        {"cursor": "%%%"},
        {"cursor": "MjAyNC0wMS0wMVQwMDowMDowMCswMDowMHwx"},  # a real one without updated_since
        {"cursor": "MjAyNC0wMS0wMVQwMDowMDowMCswMDowMHwx", "updated_since": "2024-01-01T00:00:00Z", "q": "x"},
    ],
)
def test_a_cursor_that_is_not_from_a_next_link_is_a_400(auth_client, query, settings):
    settings.JOURNAL_TOMBSTONE_DAYS = 100_000
    response = auth_client.get(URL, query)
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-11:00"])
def test_updated_since_outside_the_years_of_utc_is_a_400_not_a_500(auth_client, since):
    response = auth_client.get(URL, {"updated_since": since})
    assert response.status_code == 400
    assert "updated_since" in response.json()["error"]["fields"]


def test_updated_since_before_the_tombstone_window_is_410(auth_client, settings):
    settings.JOURNAL_TOMBSTONE_DAYS = 90
    old = (timezone.now() - datetime.timedelta(days=91)).isoformat()
    response = auth_client.get(URL, {"updated_since": old})
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "sync_expired"


# --- Conditional GET and query counts ---------------------------------------------------


def test_list_has_an_etag_and_answers_304_without_touching_entry_tables(auth_client, user, capture_queries):
    EntryFactory(user=user)
    first = auth_client.get(URL)
    etag = first["ETag"]
    fresh_process()
    with capture_queries() as queries:
        response = auth_client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert entry_tables_touched(queries) == []
    assert len(queries) == 1  # authentication only


def test_etag_changes_after_a_write(auth_client, user):
    entry = EntryFactory(user=user)
    etag = auth_client.get(URL)["ETag"]
    services.entry_update(entry=entry, mood=2)
    response = auth_client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_cached_list_costs_only_the_authentication_query(auth_client, user, django_assert_num_queries):
    EntryFactory.create_batch(3, user=user, tags=["a", "b"])
    auth_client.get(URL, {"tag": "a"})  # builds and stores the page
    fresh_process()  # another process: no L1, value comes from Redis
    with django_assert_num_queries(1):
        response = auth_client.get(URL, {"tag": "a"})
    assert response.json()["count"] == 3


def test_uncached_list_has_no_n_plus_one(auth_client, user, capture_queries):
    EntryFactory.create_batch(2, user=user, tags=["a", "b"])
    auth_client.get("/api/v1/tags/")  # token's first use records last_used_at
    with capture_queries() as few:
        auth_client.get(URL)
    EntryFactory.create_batch(12, user=user, tags=["c", "d", "e"])
    with capture_queries() as many:
        auth_client.get(URL)
    assert len(many) == len(few)
    assert len(many) <= 5  # auth, count, the page's ids and versions, the entries not stored yet, their tags


def test_each_filter_combination_is_cached_separately(auth_client, user):
    EntryFactory(user=user, mood=1)
    EntryFactory(user=user, mood=5)
    assert auth_client.get(URL, {"mood": 1}).json()["count"] == 1
    assert auth_client.get(URL, {"mood": 5}).json()["count"] == 1
    assert auth_client.get(URL).json()["count"] == 2


# Zero-width space, BOM, direction marks and isolates show nothing: a title or a tag made of
# them was accepted (a blank one is not), and "\u200bx" was a second tag that looks like "x".
INVISIBLE = ["\u200b", "\ufeff", "\u200e\u200f", "\u2066\u2069", "\u00ad", "\u2060 \u200b"]


@pytest.mark.parametrize("title", INVISIBLE)
def test_a_title_or_body_of_invisible_characters_is_blank(auth_client, title):
    response = auth_client.post(URL, {"title": title, "body": "b"}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()["error"]["fields"]
    response = auth_client.post(URL, {"title": "t", "body": title}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()["error"]["fields"]
    assert not Entry.objects.exists()


def test_invisible_characters_at_the_edges_of_titles_and_tags_are_dropped(auth_client, user):
    body = {"title": "\ufeffA walk\u200b", "body": "b", "tags": ["x", "\u200bx", "\u200b", "\u2066y\u2069", "#\u200ez"]}
    created = auth_client.post(URL, body, format="json").json()
    assert created["title"] == "A walk"
    assert created["tags"] == ["x", "y", "z"]
    assert auth_client.get(URL, {"tag": "\u200bx"}).json()["count"] == 1
    # Inside a name they do work, and stay: a family emoji's joiners, a mark between scripts.
    kept = auth_client.post(
        URL, {"title": "👨\u200d👩\u200d👧 abc\u200fשלום", "body": "b", "tags": ["👨\u200d👩\u200d👧"]}, format="json"
    )
    assert kept.json()["title"] == "👨\u200d👩\u200d👧 abc\u200fשלום"
    assert kept.json()["tags"] == ["👨\u200d👩\u200d👧"]


def test_a_session_titled_with_invisible_characters_gets_the_default_title(auth_client):
    session = auth_client.post("/api/v1/sessions/", {"title": "\u200b\ufeff"}, format="json").json()
    assert session["title"].startswith("Reflection · ")
