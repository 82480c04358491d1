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
