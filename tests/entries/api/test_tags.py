"""GET /api/v1/tags/."""

from __future__ import annotations

import pytest

from tests.entries.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_tags_with_counts(auth_client, user):
    EntryFactory(user=user, tags=["Work", "family"])
    EntryFactory(user=user, tags=["work"])
    response = auth_client.get("/api/v1/tags/")
    assert response.status_code == 200
    data = response.json()
    assert data["results"] == [{"name": "family", "count": 1}, {"name": "Work", "count": 2}]  # any case, by name
    assert data["count"] == 2


def test_tags_are_paginated(auth_client, user):
    EntryFactory(user=user, tags=[f"t{n:02}" for n in range(15)])
    data = auth_client.get("/api/v1/tags/", {"page_size": 10}).json()
    assert len(data["results"]) == 10
    assert data["next"]


def test_cached_tags_cost_only_the_authentication_query(auth_client, user, django_assert_num_queries):
    EntryFactory(user=user, tags=["a"])
    auth_client.get("/api/v1/tags/")
    with django_assert_num_queries(1):
        assert auth_client.get("/api/v1/tags/").json()["results"] == [{"name": "a", "count": 1}]


def test_removing_the_last_use_removes_the_tag(auth_client, user):
    entry = EntryFactory(user=user, tags=["temporary", "kept"])
    auth_client.patch(f"/api/v1/entries/{entry.pk}/", {"tags": ["kept"]}, format="json")
    assert auth_client.get("/api/v1/tags/").json()["results"] == [{"name": "kept", "count": 1}]


# Names whose lower case differs between Python and PostgreSQL: "ΟΔΟΣ" lowers to "οδος"
# in Python (final sigma) and "οδοσ" in PostgreSQL; "İ" is two characters in Python's
# lower case, one in PostgreSQL's. Each was a 500 on create, edit and import, and a tag
# filter that found nothing.
DIVERGENT_NAMES = ["ΟΔΟΣ", "İstanbul"]


@pytest.mark.parametrize("name", DIVERGENT_NAMES)
def test_tags_whose_lower_case_differs_between_python_and_the_database(auth_client, user, name):
    created = auth_client.post("/api/v1/entries/", {"title": "t", "body": "b", "tags": [name]}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["tags"] == [name]
    again = auth_client.post("/api/v1/entries/", {"title": "t2", "body": "b", "tags": [name]}, format="json")
    assert again.status_code == 201, again.content  # the existing tag is found, not created twice
    edited = auth_client.patch(f"/api/v1/entries/{again.json()['id']}/", {"tags": [name, "x"]}, format="json")
    assert edited.status_code == 200, edited.content
    imported = auth_client.post("/api/v1/import/", [{"title": "i", "body": "b", "tags": [name]}], format="json")
    assert imported.status_code == 201, imported.content
    tags = auth_client.get("/api/v1/tags/").json()["results"]
    assert sorted((tag["name"], tag["count"]) for tag in tags) == sorted([(name, 3), ("x", 1)])
    assert auth_client.get("/api/v1/entries/", {"tag": name}).json()["count"] == 3


def test_two_spellings_of_one_tag_in_an_entry_link_it_once(auth_client, user):
    # Different to Python's casefold(), one tag to the database's lower(): one link.
    response = auth_client.post(
        "/api/v1/entries/", {"title": "t", "body": "b", "tags": ["İstanbul", "istanbul"]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["tags"] == ["İstanbul"]
    imported = auth_client.post(
        "/api/v1/import/", [{"title": "i", "body": "b", "tags": ["İstanbul", "istanbul"]}], format="json"
    )
    assert imported.status_code == 201, imported.content
    assert auth_client.get("/api/v1/tags/").json()["results"] == [{"name": "İstanbul", "count": 2}]


def test_a_decomposed_accent_is_the_same_tag(auth_client, user):
    composed, decomposed = "Café", "Cafe\u0301"
    auth_client.post("/api/v1/entries/", {"title": "t", "body": "b", "tags": [composed]}, format="json")
    response = auth_client.post("/api/v1/entries/", {"title": "t", "body": "b", "tags": [decomposed]}, format="json")
    assert response.json()["tags"] == [composed]
    assert auth_client.get("/api/v1/tags/").json()["results"] == [{"name": composed, "count": 2}]
    assert auth_client.get("/api/v1/entries/", {"tag": decomposed}).json()["count"] == 2
