"""Creates made safe to retry with an `Idempotency-Key` (docs/api.md, Retrying writes).

A phone that lost the answer to its POST sends it again with the same key and gets the
first answer back (`Idempotent-Replayed: true`) instead of a duplicate.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from entries.models import Entry
from journal_project import idempotency
from journal_project.accounts.services import user_delete
from journal_project.models import IdempotencyRecord
from sessions_app import services as session_services
from sessions_app.models import Message, ReflectionSession
from tests.conftest import make_api_client
from tests.sessions_app.stub_llm import StubChatServer
from tests.support.concurrency import in_thread, release_when_blocked

pytestmark = pytest.mark.usefixtures("knowledge_base")

ENTRY = {"title": "A walk", "body": "By the *river*.", "mood": 4, "tags": ["outdoors"]}


def post(client, path, body, key=None):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(path, body, format="json", **headers)


def messages_path(user) -> str:
    session = ReflectionSession.objects.filter(user=user).first() or session_services.session_create(user=user)
    return f"/api/v1/sessions/{session.pk}/messages/"


# The three creates, and how to count what each writes.
OPERATIONS = {
    "entry": (lambda user: "/api/v1/entries/", ENTRY, lambda user: Entry.objects.filter(user=user).count()),
    "session": (
        lambda user: "/api/v1/sessions/",
        {"title": "Evening"},
        lambda user: ReflectionSession.objects.filter(user=user).count(),
    ),
    "message": (
        messages_path,
        {"content": "I keep putting things off."},
        lambda user: Message.objects.filter(session__user=user).count(),
    ),
}


# --- First request and replay -------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_repeat_with_the_same_key_replays_the_first_answer_and_writes_nothing(auth_client, user, operation):
    path_for, body, written = OPERATIONS[operation]
    path = path_for(user)
    before = written(user)
    first = post(auth_client, path, body, key="key-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    after_first = written(user)
    assert after_first > before

    again = post(auth_client, path, body, key="key-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content  # the same bytes: ids, timestamps, the reply
    assert again["Content-Type"] == first["Content-Type"]
    assert written(user) == after_first
    assert IdempotencyRecord.objects.filter(user=user).count() == 1


def test_the_replay_repeats_the_location_of_the_created_entry(auth_client):
    first = post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    again = post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    assert again["Location"] == first["Location"] == f"/api/v1/entries/{first.json()['id']}/"


def test_the_record_holds_the_answer_the_client_received(auth_client, user):
    response = post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    record = IdempotencyRecord.objects.get(user=user)
    assert record.operation == "POST api/v1/entries/"
    assert record.status_code == 201
    assert record.response_body.encode() == response.content
    assert record.response_headers == {"Location": response["Location"], "Content-Type": response["Content-Type"]}


def test_the_same_body_with_its_keys_in_another_order_is_the_same_request(auth_client, user):
    body = json.dumps(ENTRY)
    reordered = json.dumps(dict(reversed(list(ENTRY.items()))), indent=2)
    first = auth_client.post("/api/v1/entries/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    again = auth_client.post("/api/v1/entries/", reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Entry.objects.filter(user=user).count() == 1


def test_without_the_header_every_post_creates(auth_client, user):
    assert post(auth_client, "/api/v1/entries/", ENTRY).status_code == 201
    second = post(auth_client, "/api/v1/entries/", ENTRY)
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert Entry.objects.filter(user=user).count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_new_key_is_a_new_request(auth_client, user):
    first = post(auth_client, "/api/v1/entries/", ENTRY, key="k1")
    second = post(auth_client, "/api/v1/entries/", ENTRY, key="k2")
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert second.json()["id"] != first.json()["id"]
    assert Entry.objects.filter(user=user).count() == 2


# --- Reuse and bad keys ---------------------------------------------------------------


def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(auth_client, user):
    post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    response = post(auth_client, "/api/v1/entries/", {**ENTRY, "title": "Another walk"}, key="k")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in response
    assert list(Entry.objects.filter(user=user).values_list("title", flat=True)) == ["A walk"]


def test_the_same_key_for_a_message_to_another_session_is_a_422(auth_client, user):
    one = session_services.session_create(user=user)
    other = session_services.session_create(user=user)
    body = {"content": "Hello"}
    assert post(auth_client, f"/api/v1/sessions/{one.pk}/messages/", body, key="k").status_code == 201
    response = post(auth_client, f"/api/v1/sessions/{other.pk}/messages/", body, key="k")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not Message.objects.filter(session=other, role=Message.Role.USER).exists()


def test_the_same_key_on_another_endpoint_is_another_key(auth_client, user):
    assert post(auth_client, "/api/v1/entries/", ENTRY, key="k").status_code == 201
    response = post(auth_client, "/api/v1/sessions/", {}, key="k")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert IdempotencyRecord.objects.filter(user=user, key="k").count() == 2


@pytest.mark.parametrize(
    "key",
    ["", " leading-space", "trailing-space ", "k" * 256, "clé", "tab\tinside", "\x7f"],
    ids=["empty", "leading space", "trailing space", "too long", "not ascii", "control", "delete"],
)
def test_a_malformed_key_is_a_400_and_nothing_is_written(auth_client, user, key):
    response = post(auth_client, "/api/v1/entries/", ENTRY, key=key)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_invalid"
    assert "Idempotency-Key" in error["message"]
    assert not Entry.objects.filter(user=user).exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["a", "k" * 255, "3f0c6a4e-8d7b-4a53-9a0e-3c1d2b7f9e10", "with inner space", "!~"])
def test_well_formed_keys_are_accepted(auth_client, key):
    assert post(auth_client, "/api/v1/entries/", ENTRY, key=key).status_code == 201
    assert post(auth_client, "/api/v1/entries/", ENTRY, key=key)["Idempotent-Replayed"] == "true"


# --- Isolation ------------------------------------------------------------------------


def test_another_users_same_key_neither_collides_nor_reveals_anything(auth_client, other_client, user, other_user):
    mine = post(auth_client, "/api/v1/entries/", {**ENTRY, "title": "Private"}, key="shared")
    theirs = post(other_client, "/api/v1/entries/", {**ENTRY, "title": "Theirs"}, key="shared")
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["title"] == "Theirs"
    assert b"Private" not in theirs.content
    # The same request as mine, from them: processed as theirs, not my answer replayed.
    same = post(other_client, "/api/v1/entries/", {**ENTRY, "title": "Private"}, key="shared-2")
    post(auth_client, "/api/v1/entries/", {**ENTRY, "title": "Private"}, key="shared-2")
    assert same.json()["id"] != mine.json()["id"]
    assert Entry.objects.filter(user=other_user).count() == 2
    assert Entry.objects.filter(user=user).count() == 2


# --- Failures are not stored ----------------------------------------------------------


def test_a_validation_error_is_not_stored_so_the_fixed_request_can_use_the_same_key(auth_client, user):
    response = post(auth_client, "/api/v1/entries/", {**ENTRY, "mood": 9}, key="k")
    assert response.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    fixed = post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed
    assert Entry.objects.filter(user=user).count() == 1


def test_a_message_to_an_ended_session_is_a_409_and_not_stored(auth_client, user):
    session = session_services.session_create(user=user)
    session_services.session_end(user=user, session_id=session.pk)
    response = post(auth_client, f"/api/v1/sessions/{session.pk}/messages/", {"content": "Hi"}, key="k")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_closed"
    assert not IdempotencyRecord.objects.exists()


def test_a_404_is_not_stored(auth_client, other_user):
    theirs = session_services.session_create(user=other_user)
    response = post(auth_client, f"/api/v1/sessions/{theirs.pk}/messages/", {"content": "Hi"}, key="k")
    assert response.status_code == 404
    assert not IdempotencyRecord.objects.exists()


# --- One transaction --------------------------------------------------------------------


def test_a_failure_storing_the_answer_rolls_back_the_write(auth_client, user):
    with mock.patch.object(idempotency, "idempotency_complete", side_effect=OperationalError("connection lost")):
        response = post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    assert response.status_code == 503
    assert not Entry.objects.filter(user=user).exists()
    assert not IdempotencyRecord.objects.exists()
    # The retry the client then sends is processed as the first.
    retry = post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Entry.objects.filter(user=user).count() == 1


def test_a_failure_after_the_write_rolls_back_the_write_and_the_record(auth_client, user):
    with mock.patch("entries.selectors.entry_written", side_effect=OperationalError("connection lost")):
        response = post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    assert response.status_code == 503
    assert not Entry.objects.filter(user=user).exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_claim_refuses_to_run_outside_a_transaction(user):
    with pytest.raises(RuntimeError):
        idempotency.idempotency_claim(user=user, key="k", operation="POST x", fingerprint="f")


@pytest.fixture
def provider(settings):
    server = StubChatServer()
    settings.AI_PROVIDER_URL = server.url
    settings.AI_MODEL = "test-model"
    settings.AI_TIMEOUT = 0.5
    settings.AI_MAX_RETRIES = 0
    try:
        yield server
    finally:
        server.close()


def test_with_a_provider_a_keyed_message_answers_pending_and_the_reply_follows_the_commit(
    auth_client, user, provider, django_capture_on_commit_callbacks
):
    # The provider's reply is written after the commit of the message and its record (it
    # may take seconds, and no lock may be held meanwhile), so the stored answer, and its
    # replays, say `pending`; the reply appears in the session, as with a worker.
    path = messages_path(user)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(auth_client, path, {"content": "Work was hard."}, key="k")
    assert first.status_code == 201
    assert first.json()["status"] == "pending"
    assert first.json()["reply"] is None
    message_id = first.json()["message"]["id"]
    assert Message.objects.filter(reply_to_id=message_id).exists()
    again = post(auth_client, path, {"content": "Work was hard."}, key="k")
    assert again.content == first.content
    assert len(provider.requests) == 1


# --- Expiry -------------------------------------------------------------------------------


def _age(record_filter, hours: float) -> None:
    IdempotencyRecord.objects.filter(**record_filter).update(created_at=timezone.now() - timedelta(hours=hours))


def test_an_expired_record_does_not_replay(auth_client, user):
    first = post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    _age({"user": user}, settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    again = post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert again.json()["id"] != first.json()["id"]
    # The key now names the new request, for another TTL.
    assert IdempotencyRecord.objects.get(user=user).response_body.encode() == again.content
    assert post(auth_client, "/api/v1/entries/", ENTRY, key="k").json()["id"] == again.json()["id"]


def test_an_expired_key_may_carry_another_body(auth_client, user):
    post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    _age({"user": user}, settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    assert post(auth_client, "/api/v1/entries/", {**ENTRY, "title": "Other"}, key="k").status_code == 201


def test_the_ttl_comes_from_the_setting(auth_client, user, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 1
    post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    _age({"user": user}, 0.5)
    assert post(auth_client, "/api/v1/entries/", ENTRY, key="k")["Idempotent-Replayed"] == "true"
    _age({"user": user}, 1.5)
    assert "Idempotent-Replayed" not in post(auth_client, "/api/v1/entries/", ENTRY, key="k")


def test_the_periodic_prune_deletes_only_expired_records(auth_client, user):
    from journal_project.tasks import idempotency_records_prune

    post(auth_client, "/api/v1/entries/", ENTRY, key="old")
    post(auth_client, "/api/v1/entries/", ENTRY, key="new")
    _age({"key": "old"}, settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    assert idempotency_records_prune() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert Entry.objects.filter(user=user).count() == 2  # the entries stay, of course


def test_the_prune_is_on_the_beat_schedule():
    from journal_project.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["core-prune-idempotency-records"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["options"]["expire_seconds"]


# --- Accounts, export, caches ---------------------------------------------------------------


def test_deleting_the_account_deletes_its_records(auth_client, other_client, user, other_user):
    post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    post(other_client, "/api/v1/entries/", ENTRY, key="k")
    user_delete(user=user)
    assert list(IdempotencyRecord.objects.values_list("user_id", flat=True)) == [other_user.pk]


def test_the_export_is_the_same_with_or_without_keys(auth_client, user):
    post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    exported = auth_client.get("/api/v1/export/?format=json").json()
    assert len(exported["entries"]) == 1
    assert "idempotency" not in json.dumps(exported).lower()


def test_cached_reads_see_the_create_and_nothing_after_a_replay(auth_client, user):
    assert auth_client.get("/api/v1/entries/").json()["count"] == 0  # cached now
    created = post(auth_client, "/api/v1/entries/", ENTRY, key="k").json()
    listed = auth_client.get("/api/v1/entries/").json()
    assert [item["id"] for item in listed["results"]] == [created["id"]]
    etag = auth_client.get("/api/v1/entries/")["ETag"]
    post(auth_client, "/api/v1/entries/", ENTRY, key="k")
    # A replay writes nothing: the list, and its ETag, are as they were.
    assert auth_client.get("/api/v1/entries/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert auth_client.get(f"/api/v1/entries/{created['id']}/").json()["title"] == "A walk"


# --- Concurrency (real PostgreSQL, two connections) -------------------------------------------


def _held_request(client, path, body, key, *, commit: bool):
    """Send a keyed request inside a transaction of its own thread, kept open until released."""
    done, release = threading.Event(), threading.Event()
    results: list = []

    def run() -> None:
        try:
            with transaction.atomic():
                results.append(post(client, path, body, key=key))
                done.set()
                release.wait(20)
                if not commit:
                    transaction.set_rollback(True)
        finally:
            done.set()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert done.wait(20)
    assert results, "the first request did not answer"
    assert results[0].status_code == 201, results[0].content
    return thread, release, results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_concurrent_repeat_waits_for_the_first_and_replays_it(user, operation):
    path_for, body, _written = OPERATIONS[operation]
    path = path_for(user)
    client = make_api_client(user)
    first_thread, release, first = _held_request(client, path, body, "k", commit=True)
    second_thread, second = in_thread(lambda: post(make_api_client(user), path, body, key="k"))
    release_when_blocked(release, first_thread, second_thread)
    assert second[0].status_code == 201, second[0].content
    assert second[0]["Idempotent-Replayed"] == "true"
    assert second[0].content == first[0].content
    assert IdempotencyRecord.objects.filter(user=user).count() == 1
    if operation == "entry":
        assert Entry.objects.filter(user=user).count() == 1
    elif operation == "session":
        assert ReflectionSession.objects.filter(user=user).count() == 1
    else:
        assert Message.objects.filter(session__user=user, role=Message.Role.USER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_repeat_runs_itself_when_the_first_rolls_back(user):
    client = make_api_client(user)
    first_thread, release, _ = _held_request(client, "/api/v1/entries/", ENTRY, "k", commit=False)
    second_thread, second = in_thread(lambda: post(make_api_client(user), "/api/v1/entries/", ENTRY, key="k"))
    release_when_blocked(release, first_thread, second_thread)
    assert second[0].status_code == 201, second[0].content
    assert "Idempotent-Replayed" not in second[0]
    assert Entry.objects.filter(user=user).count() == 1
    assert IdempotencyRecord.objects.get(user=user).response_body.encode() == second[0].content


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_request_with_another_body_gets_422_once_the_first_commits(user):
    client = make_api_client(user)
    first_thread, release, _ = _held_request(client, "/api/v1/entries/", ENTRY, "k", commit=True)
    second_thread, second = in_thread(
        lambda: post(make_api_client(user), "/api/v1/entries/", {**ENTRY, "title": "Other"}, key="k")
    )
    release_when_blocked(release, first_thread, second_thread)
    assert second[0].status_code == 422
    assert list(Entry.objects.filter(user=user).values_list("title", flat=True)) == ["A walk"]
