"""The rendered-response level of conditional GET (journal_project.api.conditional.cached_response)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from entries import selectors
from journal_project import caching
from tests.entries.conftest import fresh_process
from tests.entries.factories import EntryFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/entries/"


def response_keys(user_id: int) -> list[str]:
    return [key for key in cache.keys(f"j:entries:{user_id}:*") if ":response:" in key]


@pytest.fixture
def selector_calls(monkeypatch):
    """Counts calls of the list selector (the view runs it only when the response is not cached)."""
    calls = []
    original = selectors.entry_list

    def counting(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(selectors, "entry_list", counting)
    return calls


def test_a_repeated_read_is_the_stored_bytes_without_running_the_view(auth_client, user, selector_calls):
    EntryFactory(user=user, title="first")
    first = auth_client.get(URL)
    assert len(selector_calls) == 1
    assert len(response_keys(user.pk)) == 1
    fresh_process()  # another process: only the shared level has it
    again = auth_client.get(URL)
    assert len(selector_calls) == 1
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == "application/json"
    assert again["ETag"] == first["ETag"]
    assert again.get("Vary") == first.get("Vary")


def test_a_write_makes_the_next_read_render_again(auth_client, user, selector_calls):
    entry = EntryFactory(user=user, title="before")
    auth_client.get(URL)
    auth_client.patch(f"{URL}{entry.pk}/", {"title": "after"}, format="json")
    assert auth_client.get(URL).json()["results"][0]["title"] == "after"
    assert len(selector_calls) == 2


def test_each_user_has_their_own_responses(auth_client, other_client, user, other_user):
    EntryFactory(user=user, title="mine")
    EntryFactory(user=other_user, title="theirs")
    assert [item["title"] for item in auth_client.get(URL).json()["results"]] == ["mine"]
    assert [item["title"] for item in other_client.get(URL).json()["results"]] == ["theirs"]
    assert [item["title"] for item in auth_client.get(URL).json()["results"]] == ["mine"]


def test_links_follow_the_host_and_the_media_type_is_honoured(auth_client, user):
    for _ in range(21):
        EntryFactory(user=user)
    assert auth_client.get(URL, HTTP_HOST="localhost").json()["next"].startswith("http://localhost/")
    assert auth_client.get(URL, HTTP_HOST="127.0.0.1").json()["next"].startswith("http://127.0.0.1/")
    compact = auth_client.get(URL).content
    indented = auth_client.get(URL, HTTP_ACCEPT="application/json; indent=2").content
    assert b"\n  " in indented
    assert b"\n" not in compact


def test_errors_are_not_stored(auth_client, user):
    EntryFactory(user=user)
    assert auth_client.get(f"{URL}999999/").status_code == 404
    assert auth_client.get(URL, {"page": 7}).status_code == 404
    assert auth_client.get(URL, {"mood": 9}).status_code == 400
    assert response_keys(user.pk) == []


def test_stats_responses_are_stored_per_local_day(auth_client, user):
    EntryFactory(user=user)
    first = auth_client.get("/api/v1/stats/")
    assert auth_client.get("/api/v1/stats/").content == first.content
    assert len(response_keys(user.pk)) == 1


def test_the_uncached_configuration_stores_nothing(auth_client, user, settings):
    settings.JOURNAL_CACHE_ENABLED = False
    EntryFactory(user=user)
    assert auth_client.get(URL).status_code == 200
    assert response_keys(user.pk) == []


def test_a_response_hit_counts_as_the_requests_lookup(auth_client, user):
    EntryFactory(user=user)
    auth_client.get(URL)
    caching.stats.reset()
    auth_client.get(URL)
    counts = caching.stats.snapshot()
    assert counts.get(("entries", "hit"), 0) + counts.get(("entries", "local_hit"), 0) == 1
    assert counts.get(("entries", "miss"), 0) == 0


def test_head_answers_like_get_without_a_body(auth_client, user):
    EntryFactory(user=user)
    get = auth_client.get(URL)
    head = auth_client.head(URL)
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]


def _same_generations(*users) -> None:
    """Give every user the same generation in every namespace, as the clock can."""
    from journal_project.models import CacheGeneration

    for namespace in caching.USER_NAMESPACES:
        caching.current_generation(namespace, users[0].pk)
        for user in users:
            caching.current_generation(namespace, user.pk)
        CacheGeneration.objects.filter(namespace=namespace.name, scope_id__in=[u.pk for u in users]).update(
            value=1_764_000_000_000_000
        )
    fresh_process()


def test_people_whose_generations_coincide_never_share_an_etag(auth_client, other_client, user, other_user):
    # Generations start from the clock (microseconds) and move by one per write, so two
    # people's can be equal. A browser or app cache shared by both keys its copy by URL:
    # it revalidated Ada's stored list with Bob's credentials, and a shared ETag was a 304.
    EntryFactory(user=user, title="mine")
    EntryFactory(user=other_user, title="theirs")
    _same_generations(user, other_user)
    for path in (URL, "/api/v1/tags/", "/api/v1/stats/", "/api/v1/sessions/"):
        mine = auth_client.get(path)
        theirs = other_client.get(path, HTTP_IF_NONE_MATCH=mine["ETag"])
        assert theirs.status_code == 200, path
        assert theirs["ETag"] != mine["ETag"], path
    assert [item["title"] for item in other_client.get(URL).json()["results"]] == ["theirs"]


def test_an_etag_cannot_be_computed_without_the_secret_key(auth_client, user, settings):
    # Unkeyed, an ETag seen in a log or on a device could be searched offline for the
    # generation behind it: when the person started writing and how often they have since.
    EntryFactory(user=user)
    first = auth_client.get(URL)["ETag"]
    fresh_process()
    assert auth_client.get(URL)["ETag"] == first
    settings.SECRET_KEY = "another-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    fresh_process()
    assert auth_client.get(URL)["ETag"] != first
