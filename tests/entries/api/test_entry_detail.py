"""GET/PUT/PATCH/DELETE /api/v1/entries/{id}/."""

from __future__ import annotations

import pytest

from entries.models import Entry, EntryTombstone, Tag
from tests.entries.conftest import entry_tables_touched, fresh_process
from tests.entries.factories import EntryFactory

pytestmark = pytest.mark.django_db


def url(entry_id: int) -> str:
    return f"/api/v1/entries/{entry_id}/"


def test_get_returns_the_entry(auth_client, user):
    entry = EntryFactory(user=user, title="Mine", tags=["x"])
    response = auth_client.get(url(entry.pk))
    assert response.status_code == 200
    assert response.json()["title"] == "Mine"
    assert response.json()["uid"] == str(entry.uid)


def test_missing_id_is_404(auth_client):
    assert auth_client.get(url(987654)).status_code == 404
    assert auth_client.get(url(2**63 + 5)).status_code == 404
    assert auth_client.get("/api/v1/entries/abc/").status_code == 404


def test_put_replaces_the_editable_fields(auth_client, user):
    entry = EntryFactory(user=user, title="Before", mood=2, tags=["old"])
    response = auth_client.put(url(entry.pk), {"title": "After", "body": "New body"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["title"], data["body"], data["mood"], data["tags"]) == ("After", "New body", None, [])
    assert data["entry_date"] == entry.entry_date.isoformat()  # kept, not moved to today
    assert not Tag.objects.filter(user=user).exists()  # the unused tag is gone


def test_put_requires_title_and_body(auth_client, user):
    entry = EntryFactory(user=user)
    response = auth_client.put(url(entry.pk), {"title": "Only a title"}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()["error"]["fields"]


def test_patch_changes_only_what_is_sent(auth_client, user):
    entry = EntryFactory(user=user, title="Keep", body="Body", mood=2, tags=["a"])
    response = auth_client.patch(url(entry.pk), {"mood": 5}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["title"], data["body"], data["mood"], data["tags"]) == ("Keep", "Body", 5, ["a"])


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"title": "Same title"},
        {"title": "Same title", "body": "Same body.", "mood": 3, "tags": ["Work"]},  # tags in another case
    ],
    ids=["empty", "same-title", "same-everything"],
)
def test_a_patch_that_changes_nothing_makes_no_new_version(auth_client, user, change):
    """`PATCH {}` moved updated_at: a syncing client saw a change that was none, and the caches emptied."""
    entry = EntryFactory(user=user, title="Same title", body="Same body.", mood=3, tags=["work"])
    before = auth_client.get(url(entry.pk))
    response = auth_client.patch(url(entry.pk), change, format="json")
    assert response.status_code == 200
    assert response.json()["updated_at"] == before.json()["updated_at"]
    after = auth_client.get(url(entry.pk))
    assert after["ETag"] == before["ETag"]
    assert after.json() == before.json()
    assert Entry.objects.get(pk=entry.pk).updated_at == entry.updated_at


def test_patch_rerenders_html_and_counts_words(auth_client, user):
    entry = EntryFactory(user=user, body="one")
    data = auth_client.patch(url(entry.pk), {"body": "# Title\n\nthree more words"}, format="json").json()
    assert data["body_html"] == "<h1>Title</h1>\n<p>three more words</p>"
    assert data["word_count"] == 4


def test_a_list_right_after_a_line_is_a_list_in_body_html(auth_client, user):
    """ "Shopping:" then "- milk" on the next line rendered one paragraph with the dashes in it."""
    created = auth_client.post(
        "/api/v1/entries/", {"title": "Errands", "body": "Shopping:\n- milk\n- eggs"}, format="json"
    ).json()
    assert created["body_html"] == "<p>Shopping:</p>\n<ul>\n<li>milk</li>\n<li>eggs</li>\n</ul>"
    data = auth_client.patch(url(created["id"]), {"body": "Today I did\n1. laundry\n2. call mum"}, format="json")
    assert data.json()["body_html"] == "<p>Today I did</p>\n<ol>\n<li>laundry</li>\n<li>call mum</li>\n</ol>"
    assert data.json()["body"] == "Today I did\n1. laundry\n2. call mum"  # the body as written
    assert auth_client.get(url(created["id"])).json()["body_html"] == data.json()["body_html"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mood": 9}, "mood"),
        ({"title": ""}, "title"),
        ({"title": "y" * 201}, "title"),
        ({"uid": "6d7b3f2e-2c1a-4b7e-9a51-0c4f8c1e2a33"}, "uid"),
        ({"body_html": "<script>"}, "body_html"),
        ({"entry_date": "31/12/2024"}, "entry_date"),
        ({"tags": [0]}, "tags"),  # found by the fuzzer: was stored as the tag "0"
        ({"entry_date": 20240101}, "entry_date"),
    ],
)
def test_patch_rejects_bad_input(auth_client, user, payload, field):
    entry = EntryFactory(user=user, title="Same")
    response = auth_client.patch(url(entry.pk), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Entry.objects.get(pk=entry.pk).title == "Same"


def test_delete_leaves_a_tombstone(auth_client, user):
    entry = EntryFactory(user=user)
    response = auth_client.delete(url(entry.pk))
    assert response.status_code == 204
    assert not Entry.objects.filter(pk=entry.pk).exists()
    tombstone = EntryTombstone.objects.get(entry_id=entry.pk)
    assert (tombstone.user_id, tombstone.uid) == (user.pk, entry.uid)
    assert auth_client.get(url(entry.pk)).status_code == 404
    assert auth_client.delete(url(entry.pk)).status_code == 404


def test_detail_etag_and_304_without_entry_queries(auth_client, user, capture_queries):
    entry = EntryFactory(user=user)
    etag = auth_client.get(url(entry.pk))["ETag"]
    fresh_process()
    with capture_queries() as queries:
        response = auth_client.get(url(entry.pk), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert entry_tables_touched(queries) == []


def test_cached_detail_costs_only_the_authentication_query(auth_client, user, django_assert_num_queries):
    entry = EntryFactory(user=user, tags=["a"])
    auth_client.get(url(entry.pk))
    fresh_process()
    with django_assert_num_queries(1):
        assert auth_client.get(url(entry.pk)).status_code == 200
    # And from the process-local level, too.
    with django_assert_num_queries(1):
        assert auth_client.get(url(entry.pk)).status_code == 200


def test_uncached_detail_query_count(auth_client, user, django_assert_max_num_queries):
    entry = EntryFactory(user=user, tags=["a", "b", "c"])
    auth_client.get("/api/v1/tags/")  # first use of the token
    with django_assert_max_num_queries(4):  # auth, the entry's version, the entry, its tags
        auth_client.get(url(entry.pk))


def test_if_none_match_star_answers_304_only_for_an_entry_that_exists(auth_client, user, other_user):
    """Found by the fuzzer: "*" used to answer 304 before the view ran, even for a missing id."""
    entry = EntryFactory(user=user)
    theirs = EntryFactory(user=other_user)
    assert auth_client.get(url(entry.pk), HTTP_IF_NONE_MATCH="*").status_code == 304
    assert auth_client.get(url(987654), HTTP_IF_NONE_MATCH="*").status_code == 404
    assert auth_client.get(url(theirs.pk), HTTP_IF_NONE_MATCH="*").status_code == 404
    assert auth_client.get("/api/v1/entries/", {"mood": 9}, HTTP_IF_NONE_MATCH="*").status_code == 400
