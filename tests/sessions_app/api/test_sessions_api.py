"""The sessions API: list/create, detail, messages, end; strict input; 404 for others; 409 after end."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sessions_app import services

pytestmark = pytest.mark.usefixtures("knowledge_base")


def create(client, **body):
    response = client.post("/api/v1/sessions/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_returns_the_session_with_its_opening_message(auth_client):
    session = create(auth_client, title="Evening check-in", technique="thought-record")
    assert session["title"] == "Evening check-in"
    assert session["status"] == "active"
    assert session["technique"]["slug"] == "thought-record"
    [opening] = session["messages"]
    assert opening["role"] == "companion"
    assert set(opening) == {"id", "role", "content", "created_at", "technique", "technique_name", "safety", "reply_to"}
    assert opening["reply_to"] is None  # it answers nothing


def test_create_validates_strictly(auth_client):
    assert auth_client.post("/api/v1/sessions/", {"technique": "nope"}, format="json").status_code == 400
    response = auth_client.post("/api/v1/sessions/", {"title": "x", "mood": 3}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["mood"] == ["Unknown field."]
    response = auth_client.post("/api/v1/sessions/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert auth_client.post("/api/v1/sessions/", {"title": "t" * 201}, format="json").status_code == 400


def test_list_is_paginated_and_newest_first(auth_client):
    first = create(auth_client)
    second = create(auth_client)
    body = auth_client.get("/api/v1/sessions/?page_size=1").json()
    assert body["count"] == 2
    assert [s["id"] for s in body["results"]] == [second["id"]]
    assert body["next"]
    assert auth_client.get(body["next"]).json()["results"][0]["id"] == first["id"]


def test_posting_a_message_returns_it_with_the_reply(auth_client):
    session = create(auth_client)
    response = auth_client.post(
        f"/api/v1/sessions/{session['id']}/messages/", {"content": "I'm such an idiot."}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "complete"
    assert body["message"]["content"] == "I'm such an idiot."
    assert body["reply"]["role"] == "companion"
    assert body["reply"]["technique"] == "labeling"
    detail = auth_client.get(f"/api/v1/sessions/{session['id']}/").json()
    assert [m["id"] for m in detail["messages"]][-2:] == [body["message"]["id"], body["reply"]["id"]]
    assert (body["message"]["reply_to"], body["reply"]["reply_to"]) == (None, body["message"]["id"])


def test_each_reply_names_the_message_it_answers(auth_client):
    """Replies come in order, but a client that posts fast could not tell which message a
    reply in the session answers (crisis replies included)."""
    session = create(auth_client)
    url = f"/api/v1/sessions/{session['id']}/messages/"
    sent = [
        auth_client.post(url, {"content": content}, format="json").json()["message"]["id"]
        for content in ("Work was hard.", "I want to end my life.", "I'm such an idiot.")
    ]
    messages = auth_client.get(f"/api/v1/sessions/{session['id']}/").json()["messages"]
    replies = {m["reply_to"]: m for m in messages if m["role"] == "companion" and m["reply_to"] is not None}
    assert sorted(replies) == sorted(sent)
    assert replies[sent[1]]["safety"] is True
    assert all(m["reply_to"] is None for m in messages if m["role"] == "user")


def test_a_crisis_message_is_answered_with_resources_and_flagged(auth_client):
    session = create(auth_client)
    body = auth_client.post(
        f"/api/v1/sessions/{session['id']}/messages/", {"content": "I want to end my life."}, format="json"
    ).json()
    assert body["message"]["safety"] is True
    assert body["reply"]["safety"] is True
    assert "findahelpline.com" in body["reply"]["content"]


@pytest.mark.parametrize(
    "content",
    ["I wanna die", "I'm planning to jump off the bridge", "I have pills saved up and tonight is the night", "kms"],
)
def test_everyday_crisis_phrasings_get_the_safety_reply_and_never_reach_the_provider(
    auth_client, provider, content, django_capture_on_commit_callbacks
):
    session = create(auth_client)
    with django_capture_on_commit_callbacks(execute=True):
        body = auth_client.post(
            f"/api/v1/sessions/{session['id']}/messages/", {"content": content}, format="json"
        ).json()
    assert body["status"] == "complete"
    assert body["message"]["safety"] is True
    assert body["reply"]["safety"] is True
    assert provider.requests == []


def test_with_a_provider_the_answer_is_pending_while_a_worker_owes_the_reply(auth_client, provider):
    # The test's transaction stays open around the request, so the reply is owed after
    # its commit, as when a worker writes it (the inline case is in test_tasks.py).
    session = create(auth_client)
    body = auth_client.post(
        f"/api/v1/sessions/{session['id']}/messages/", {"content": "Work was hard."}, format="json"
    ).json()
    assert body["reply"] is None
    assert body["status"] == "pending"
    detail = auth_client.get(f"/api/v1/sessions/{session['id']}/").json()
    assert detail["awaiting_reply"] is True


def test_message_input_is_validated(auth_client):
    session = create(auth_client)
    url = f"/api/v1/sessions/{session['id']}/messages/"
    assert auth_client.post(url, {"content": ""}, format="json").status_code == 400
    assert auth_client.post(url, {"content": "   "}, format="json").status_code == 400
    assert auth_client.post(url, {}, format="json").status_code == 400
    assert auth_client.post(url, {"content": "x" * 5001}, format="json").status_code == 400
    assert auth_client.post(url, {"content": "hi", "role": "companion"}, format="json").status_code == 400
    assert auth_client.post(url, {"content": 0}, format="json").status_code == 400  # fuzzer: was the message "0"
    response = auth_client.post(url, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_end_returns_the_summary_and_then_409s(auth_client):
    session = create(auth_client)
    url = f"/api/v1/sessions/{session['id']}/"
    auth_client.post(f"{url}messages/", {"content": "I can't sleep, work is stressful."}, format="json")
    ended = auth_client.post(f"{url}end/", {}, format="json")
    assert ended.status_code == 200
    summary = ended.json()["summary"]
    assert "work" in summary["themes"]
    assert summary["mood"] is not None
    assert summary["text"]
    response = auth_client.post(f"{url}messages/", {"content": "Still here?"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_closed"
    again = auth_client.post(f"{url}end/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "session_closed",
        "message": "This session has already ended.",
        "entry_id": None,  # the first end filed no entry
    }


def test_a_retried_end_that_filed_an_entry_answers_409_with_the_entrys_id(auth_client):
    # A mobile client whose first answer was lost retries: the 409 tells where the summary went.
    session = create(auth_client, title="Lost answer")
    url = f"/api/v1/sessions/{session['id']}/end/"
    auth_client.post(f"/api/v1/sessions/{session['id']}/messages/", {"content": "A long day."}, format="json")
    first = auth_client.post(url, {"save_as_entry": True}, format="json").json()
    for retry in ({"save_as_entry": True}, {}):
        again = auth_client.post(url, retry, format="json")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "session_closed"
        assert again.json()["error"]["entry_id"] == first["entry_id"]
    assert auth_client.get(f"/api/v1/entries/{first['entry_id']}/").json()["title"] == "Lost answer"
    assert auth_client.get("/api/v1/entries/").json()["count"] == 1  # filed once


def test_end_can_save_as_an_entry(auth_client):
    session = create(auth_client, title="Saved one")
    url = f"/api/v1/sessions/{session['id']}/"
    auth_client.post(f"{url}messages/", {"content": "A calm day, all things considered."}, format="json")
    body = auth_client.post(f"{url}end/", {"save_as_entry": True}, format="json").json()
    assert body["entry_id"]
    entry = auth_client.get(f"/api/v1/entries/{body['entry_id']}/")
    assert entry.status_code == 200
    assert entry.json()["title"] == "Saved one"
    assert auth_client.post(f"{url}end/", {"save_as_entry": "maybe"}, format="json").status_code in (400, 409)


def test_deleting_the_entry_a_session_was_saved_as_unlinks_it(auth_client):
    # The session named the deleted entry for ever: `entry_id` (and a retried end's 409)
    # pointed at a 404, and a client holding the session's ETag was told nothing changed.
    session = create(auth_client, title="Filed then deleted")
    url = f"/api/v1/sessions/{session['id']}/"
    auth_client.post(f"{url}messages/", {"content": "A long day."}, format="json")
    entry_id = auth_client.post(f"{url}end/", {"save_as_entry": True}, format="json").json()["entry_id"]
    kept = create(auth_client, title="Another one")  # ended and filed too: must keep its entry
    auth_client.post(f"/api/v1/sessions/{kept['id']}/messages/", {"content": "Fine."}, format="json")
    kept_entry = auth_client.post(f"/api/v1/sessions/{kept['id']}/end/", {"save_as_entry": True}, format="json")
    kept_entry_id = kept_entry.json()["entry_id"]
    etag = auth_client.get(url).headers["ETag"]

    assert auth_client.delete(f"/api/v1/entries/{entry_id}/").status_code == 204

    assert auth_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert auth_client.get(url).json()["entry_id"] is None
    again = auth_client.post(f"{url}end/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["entry_id"] is None
    assert auth_client.get(f"/api/v1/sessions/{kept['id']}/").json()["entry_id"] == kept_entry_id


def test_detail_supports_conditional_get_and_changes_after_a_message(auth_client):
    session = create(auth_client)
    url = f"/api/v1/sessions/{session['id']}/"
    etag = auth_client.get(url)["ETag"]
    assert auth_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    auth_client.post(f"{url}messages/", {"content": "Something new."}, format="json")
    assert auth_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_another_users_session_is_404_everywhere(auth_client, other_user):
    theirs = services.session_create(user=other_user)
    base = f"/api/v1/sessions/{theirs.pk}/"
    assert auth_client.get(base).status_code == 404
    assert auth_client.post(f"{base}messages/", {"content": "hello"}, format="json").status_code == 404
    assert auth_client.post(f"{base}end/", {}, format="json").status_code == 404
    assert auth_client.get("/api/v1/sessions/999999/").status_code == 404
    assert theirs.pk not in [s["id"] for s in auth_client.get("/api/v1/sessions/").json()["results"]]
    assert auth_client.get(base).json() == {"error": {"code": "not_found", "message": "Session not found."}}


def test_authentication_is_required():
    client = APIClient()
    assert client.get("/api/v1/sessions/").status_code in (401, 403)
    assert client.post("/api/v1/sessions/", {}, format="json").status_code in (401, 403)


def test_companion_messages_are_throttled(auth_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "companion": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    session = create(auth_client)
    url = f"/api/v1/sessions/{session['id']}/messages/"
    for _ in range(2):
        assert auth_client.post(url, {"content": "hello there"}, format="json").status_code == 201
    response = auth_client.post(url, {"content": "hello there"}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"]


@pytest.mark.fault
def test_a_redis_outage_is_served_correctly_from_postgresql(auth_client, redis_proxy):
    session = create(auth_client)
    url = f"/api/v1/sessions/{session['id']}/"
    assert auth_client.get(url).status_code == 200  # cached

    redis_proxy.cut()
    posted = auth_client.post(f"{url}messages/", {"content": "Written during the outage."}, format="json")
    assert posted.status_code == 201
    during = auth_client.get(url)
    assert during.status_code == 200
    assert during.json()["messages"][1]["content"] == "Written during the outage."
    assert auth_client.get("/api/v1/knowledge/box-breathing/").status_code == 200

    redis_proxy.restore()
    from journal_project import cache_backend

    for breaker in cache_backend.all_breakers().values():
        breaker.reset()
    after = auth_client.get(url).json()
    assert [m["content"] for m in after["messages"]][1] == "Written during the outage."


@pytest.mark.fault
def test_a_hung_redis_costs_at_most_one_short_timeout(auth_client, redis_proxy):
    import time

    session = create(auth_client)
    redis_proxy.hang()
    started = time.monotonic()
    for _ in range(3):
        assert auth_client.get(f"/api/v1/sessions/{session['id']}/").status_code == 200
    assert time.monotonic() - started < 2.0


def test_end_refuses_a_non_boolean_save_as_entry(auth_client):
    """Found by the fuzzer: `0` was read as false; JSON input must have the schema's types."""
    session = create(auth_client)
    response = auth_client.post(f"/api/v1/sessions/{session['id']}/end/", {"save_as_entry": 0}, format="json")
    assert response.status_code == 400
    assert "save_as_entry" in response.json()["error"]["fields"]
    assert auth_client.get(f"/api/v1/sessions/{session['id']}/").json()["status"] == "active"


def test_the_answers_of_a_whole_session_conform_to_the_typed_schema(auth_client):
    """The summary's `mood` and `techniques` and the session's `techniques_used` are typed in
    the schema now (they were free objects); the answers must fit those types exactly."""
    from tests.core.test_schema import assert_conforms

    session = create(auth_client, technique="thought-record")
    url = f"/api/v1/sessions/{session['id']}/"
    posted = auth_client.post(f"{url}messages/", {"content": "I always fail, I should be perfect."}, format="json")
    assert posted.json()["status"] == "complete"
    assert_conforms(posted.json(), "MessagePostOut")
    ended = auth_client.post(f"{url}end/", {}, format="json").json()
    assert ended["techniques_used"]
    assert set(ended["techniques_used"][0]) == {"slug", "name"}
    assert set(ended["summary"]["mood"]) == {"first", "last", "shift", "direction"}
    assert_conforms(ended, "SessionOut")
    # A session ended without a word of the person's: no mood to report.
    empty = create(auth_client)
    ended_empty = auth_client.post(f"/api/v1/sessions/{empty['id']}/end/", {}, format="json").json()
    assert ended_empty["summary"]["mood"] is None
    assert_conforms(ended_empty, "SessionOut")
