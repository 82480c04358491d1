"""POST /api/v1/import/: entries and reflection sessions, all or nothing, and idempotent."""

from __future__ import annotations

import datetime
import io
import json

import pytest

from entries.models import Entry, Tag
from journal_project import caching
from sessions_app.models import Message, ReflectionSession
from tests.entries.conftest import fresh_process, reflection_session
from tests.entries.factories import EntryFactory
from tests.sessions_app.stub_llm import StubChatServer

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
    assert response.json() == {"imported": 2, "sessions": 0}
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
    assert auth_client.post(URL, upload(data), format="multipart").json() == {"imported": 2, "sessions": 0}
    assert auth_client.post(URL, upload(data), format="multipart").json() == {"imported": 0, "sessions": 0}
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
    assert auth_client.post(URL, data, format="json").json() == {"imported": 0, "sessions": 0}


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
        json.dumps({"version": 4, "entries": [item(1)]}).encode(),
        json.dumps({"entries": []}).encode(),
        json.dumps({"entries": [item(1, colour="red")]}).encode(),
        json.dumps("a string").encode(),
        b'{"entries": ' + b"[" * 5000 + b"]" * 5000 + b"}",  # nested deeper than the decoder recurses
        # Half a UTF-16 pair, where an error message repeats it (a field name, a choice): was a 500.
        b'{"entries": [{"title": "t", "body": "b", "\\ud800": 1}]}',
        b'{"entries": [], "sessions": [{"title": "t", "status": "\\udfff"}]}',
        # More digits than Python converts (4,300): a ValueError the decoder does not wrap, a 500.
        b'{"version": 2, "entries": [{"title": "t", "body": "b", "mood": ' + b"9" * 5000 + b"}]}",
        b'{"version": ' + b"1" * 4301 + b', "entries": []}',
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
    assert response.json() == {"imported": 1, "sessions": 0}
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


# --- Reflection sessions ---------------------------------------------------------------


def session_item(n: int, **extra):
    return {
        "uid": f"00000000-0000-4000-9000-{n:012d}",
        "title": f"Session {n}",
        "technique": None,
        "status": "ended",
        "summary": None,
        "started_at": "2024-05-01T18:00:00Z",
        "last_activity_at": "2024-05-01T18:10:00Z",
        "ended_at": "2024-05-01T18:10:00Z",
        "messages": [
            {"role": "companion", "content": "What's on your mind today?", "created_at": "2024-05-01T18:00:00Z"},
            {"role": "user", "content": f"Words {n}", "created_at": "2024-05-01T18:05:00Z"},
            {"role": "companion", "content": "Tell me more.", "created_at": "2024-05-01T18:05:01Z"},
        ],
        **extra,
    }


def sessions_document(*sessions, entries=()):
    return {"format": "journal-export", "version": 3, "entries": list(entries), "sessions": list(sessions)}


def sessions_snapshot(user) -> list[tuple]:
    sessions = ReflectionSession.objects.filter(user=user).order_by("started_at", "pk")
    places = {
        pk: place
        for session in sessions
        for place, pk in enumerate(session.messages.order_by("created_at", "id").values_list("id", flat=True))
    }
    return [
        (
            session.uid,
            session.title,
            session.technique.slug if session.technique else None,
            session.status,
            session.summary,
            session.started_at,
            session.last_activity_at,
            session.ended_at,
            Entry.objects.get(pk=session.entry_id).uid if session.entry_id else None,
            [
                (
                    m.role,
                    m.content,
                    m.created_at,
                    m.technique.slug if m.technique else None,
                    m.safety_flag,
                    m.sentiment,  # recomputed on import, as when the message was sent
                    m.analysis,
                    places.get(m.reply_to_id),  # the message it answers, by place (ids differ)
                )
                for m in session.messages.order_by("created_at", "id")
            ],
        )
        for session in sessions
    ]


@pytest.mark.usefixtures("knowledge_base")
def test_sessions_round_trip_into_another_account_with_every_field(auth_client, other_client, user, other_user):
    reflection_session(user, title="Saved as an entry")
    reflection_session(user, title="Not saved", save_as_entry=False)
    EntryFactory(user=user, title="A plain entry")
    exported = auth_client.get("/api/v1/export/").content
    response = other_client.post(URL, upload(exported), format="multipart")
    assert response.status_code == 201, response.content
    assert response.json() == {"imported": 2, "sessions": 2}
    assert sessions_snapshot(other_user) == sessions_snapshot(user)
    # The copy links the copy of the entry its summary was saved as, not the original.
    copy = ReflectionSession.objects.get(user=other_user, title="Saved as an entry")
    assert Entry.objects.get(pk=copy.entry_id).user == other_user
    # And the API shows it as the original's owner sees hers.
    original = ReflectionSession.objects.get(user=user, title="Not saved")
    theirs = other_client.get(
        f"/api/v1/sessions/{ReflectionSession.objects.get(user=other_user, title='Not saved').pk}/"
    )
    mine = auth_client.get(f"/api/v1/sessions/{original.pk}/")
    strip = ("id", "entry_id")
    assert {k: v for k, v in theirs.json().items() if k not in strip} | {"messages": None} == {
        k: v for k, v in mine.json().items() if k not in strip
    } | {"messages": None}

    def by_place(messages):
        places = {m["id"]: place for place, m in enumerate(messages)}
        return [{k: v for k, v in m.items() if k != "id"} | {"reply_to": places.get(m["reply_to"])} for m in messages]

    assert by_place(theirs.json()["messages"]) == by_place(mine.json()["messages"])
    assert any(m["reply_to"] is not None for m in theirs.json()["messages"])  # the pairs came along


def test_a_reply_answers_an_earlier_message_of_the_person_once(auth_client):
    def session(*messages):
        return {
            "uid": "6f2c1b1e-8d4e-4a57-9a51-5a1f7d1c0a01",
            "title": "Pairs",
            "status": "ended",
            "started_at": "2024-05-01T10:00:00Z",
            "messages": [
                {"role": role, "content": "words", "created_at": f"2024-05-01T10:0{n}:00Z", "reply_to": target}
                for n, (role, target) in enumerate(messages)
            ],
        }

    bad = {
        "a person's message as a reply": session(("user", None), ("user", 0)),
        "a reply to a later message": session(("companion", 1), ("user", None)),
        "a reply to itself": session(("user", None), ("companion", 1)),
        "a reply to the companion": session(("companion", None), ("companion", 0)),
        "two replies to one message": session(("user", None), ("companion", 0), ("companion", 0)),
        "a place past the end": session(("user", None), ("companion", 7)),
    }
    for name, document in bad.items():
        response = auth_client.post(URL, sessions_document(document), format="json")
        assert response.status_code == 400, name
        assert any(key.endswith(".reply_to") for key in response.json()["error"]["fields"]), (name, response.json())
    assert ReflectionSession.objects.count() == 0
    good = auth_client.post(
        URL, sessions_document(session(("user", None), ("companion", 0), ("user", None))), format="json"
    )
    assert good.status_code == 201, good.content
    [imported] = ReflectionSession.objects.all()
    first, reply, last = imported.messages.order_by("created_at")
    assert (reply.reply_to_id, first.reply_to_id, last.reply_to_id) == (first.pk, None, None)


def test_imported_replies_name_the_message_they_answer(auth_client, user):
    # A file without the pairing (versions 1 and 2): a provider's replies after two
    # messages, and a safety reply to a flagged message sent while one was still waiting.
    item = session_item(1)
    item["messages"] = [
        {"role": "companion", "content": "What's on your mind today?", "created_at": "2024-05-01T18:00:00Z"},
        {"role": "user", "content": "First", "created_at": "2024-05-01T18:01:00Z"},
        {"role": "companion", "content": "About the first.", "created_at": "2024-05-01T18:01:01Z"},
        {"role": "user", "content": "Second", "created_at": "2024-05-01T18:02:00Z"},
        {"role": "user", "content": "Third", "created_at": "2024-05-01T18:02:30Z"},
        {"role": "user", "content": "I want to end it all.", "created_at": "2024-05-01T18:03:00Z", "safety": True},
        {"role": "companion", "content": "Please call.", "created_at": "2024-05-01T18:03:00Z", "safety": True},
        {"role": "companion", "content": "About the second.", "created_at": "2024-05-01T18:04:00Z"},
        {"role": "companion", "content": "About the third.", "created_at": "2024-05-01T18:05:00Z"},
        {"role": "companion", "content": "Anything else?", "created_at": "2024-05-01T18:06:00Z"},
    ]
    assert auth_client.post(URL, sessions_document(item), format="json").status_code == 201
    session = ReflectionSession.objects.get(user=user)
    messages = auth_client.get(f"/api/v1/sessions/{session.pk}/").json()["messages"]
    content = {message["id"]: message["content"] for message in messages}
    assert [(m["content"], content.get(m["reply_to"])) for m in messages if m["role"] == "companion"] == [
        ("What's on your mind today?", None),
        ("About the first.", "First"),
        ("Please call.", "I want to end it all."),
        ("About the second.", "Second"),
        ("About the third.", "Third"),
        ("Anything else?", None),
    ]
    assert all(m["reply_to"] is None for m in messages if m["role"] == "user")


def test_a_version_1_file_without_sessions_imports_as_before(auth_client, user):
    data = {"format": "journal-export", "version": 1, "exported_at": "2023-01-01T00:00:00Z", "entries": [item(1)]}
    response = auth_client.post(URL, upload(data), format="multipart")
    assert response.status_code == 201, response.content
    assert response.json() == {"imported": 1, "sessions": 0}
    assert Entry.objects.get(user=user).title == "Imported 1"
    assert not ReflectionSession.objects.filter(user=user).exists()


def test_reimporting_sessions_imports_nothing_the_second_time(auth_client, user):
    data = sessions_document(session_item(1), session_item(2), entries=[item(1)])
    assert auth_client.post(URL, data, format="json").json() == {"imported": 1, "sessions": 2}
    before = sessions_snapshot(user)
    assert auth_client.post(URL, data, format="json").json() == {"imported": 0, "sessions": 0}
    assert sessions_snapshot(user) == before
    assert Message.objects.filter(session__user=user).count() == 6


def test_a_session_without_uid_is_still_imported_once(auth_client, user):
    without_uid = {k: v for k, v in session_item(1).items() if k != "uid"}
    data = sessions_document(without_uid, without_uid)  # the same session twice in one file, too
    assert auth_client.post(URL, data, format="json").json() == {"imported": 0, "sessions": 1}
    assert auth_client.post(URL, data, format="json").json() == {"imported": 0, "sessions": 0}
    assert ReflectionSession.objects.filter(user=user).count() == 1


@pytest.mark.usefixtures("knowledge_base")
def test_another_persons_session_uid_makes_a_session_of_ones_own(auth_client, other_client, user, other_user):
    """As with entries: the uid check looks at the importer's rows only; the owner's session is untouched
    and the answer is the same as for a uid nobody has."""
    theirs = reflection_session(user, title="Ada's own")
    before = sessions_snapshot(user)
    colliding = session_item(1, uid=str(theirs.uid), title="Bob's copy")
    fresh = session_item(2)
    answers = [other_client.post(URL, sessions_document(data), format="json") for data in (colliding, fresh)]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json() == answers[1].json() == {"imported": 0, "sessions": 1}
    assert sessions_snapshot(user) == before
    copy = ReflectionSession.objects.get(user=other_user, uid=theirs.uid)
    assert copy.title == "Bob's copy"
    assert [m.content for m in copy.messages.order_by("created_at")] == [m["content"] for m in colliding["messages"]]
    # Importing it again is idempotent for Bob, still without touching Ada's.
    assert other_client.post(URL, sessions_document(colliding), format="json").json()["sessions"] == 0
    assert sessions_snapshot(user) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "paused"}, "sessions[1].status"),
        ({"title": ""}, "sessions[1].title"),
        ({"title": "x" * 201}, "sessions[1].title"),
        ({"started_at": "yesterday"}, "sessions[1].started_at"),
        ({"technique": "not a slug!"}, "sessions[1].technique"),
        ({"colour": "red"}, "sessions[1].colour"),
        ({"messages": "hello"}, "sessions[1].messages"),
        ({"messages": ["hello"]}, "sessions[1].messages[0].non_field_errors"),
        (
            {"messages": [{"role": "system", "content": "x", "created_at": "2024-05-01T18:00:00Z"}]},
            "sessions[1].messages[0].role",
        ),
        (
            {"messages": [{"role": "user", "content": "x" * 5001, "created_at": "2024-05-01T18:00:00Z"}]},
            "sessions[1].messages[0].content",
        ),
        (
            {"messages": [{"role": "user", "content": "   ", "created_at": "2024-05-01T18:00:00Z"}]},
            "sessions[1].messages[0].content",
        ),
        (
            {"messages": [{"role": "user", "content": 7, "created_at": "2024-05-01T18:00:00Z"}]},
            "sessions[1].messages[0].content",
        ),
        ({"messages": [{"role": "user", "content": "x"}]}, "sessions[1].messages[0].created_at"),
        (
            {"messages": [{"role": "user", "content": "x", "created_at": "2024-05-01T18:00:00Z", "safety": "yes"}]},
            "sessions[1].messages[0].safety",
        ),
        ({"summary": "fine"}, "sessions[1].summary"),
        (
            {
                "summary": {
                    "themes": [],
                    "techniques": [{"slug": "../../admin", "name": "x"}],
                    "mood": None,
                    "message_count": 1,
                    "text": "t",
                }
            },
            "sessions[1].summary",
        ),
        ({"uid": "00000000-0000-4000-9000-000000000001"}, "sessions[1].uid"),
    ],
)
def test_a_bad_session_imports_nothing_entries_included(auth_client, user, change, field):
    data = sessions_document(session_item(1), session_item(2, **change), entries=[item(1), item(2)])
    response = auth_client.post(URL, upload(data), format="multipart")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Entry.objects.filter(user=user).exists()
    assert not ReflectionSession.objects.filter(user=user).exists()


def test_one_answer_names_the_bad_places_of_entries_and_sessions(auth_client, user):
    bad_message = {"role": "robot", "content": "x", "created_at": "2024-05-01T18:00:00Z"}
    data = sessions_document(session_item(1, messages=[bad_message]), entries=[item(1, mood=0)])
    response = auth_client.post(URL, data, format="json")
    assert response.status_code == 400
    assert {"entries[0].mood", "sessions[0].messages[0].role"} <= set(response.json()["error"]["fields"])


def test_too_many_messages_are_a_400_before_any_is_checked(auth_client, user, monkeypatch):
    from entries import portability

    monkeypatch.setattr(portability, "MAX_IMPORT_MESSAGES", 5)
    data = sessions_document(session_item(1), session_item(2), entries=[item(1)])
    response = auth_client.post(URL, data, format="json")
    assert response.status_code == 400
    assert "sessions" in response.json()["error"]["fields"]
    assert not Entry.objects.filter(user=user).exists()


@pytest.mark.usefixtures("knowledge_base")
def test_an_unknown_technique_keeps_the_session_without_it(auth_client, user):
    messages = [
        {"role": "companion", "content": "Try this.", "created_at": "2024-05-01T18:00:00Z", "technique": "gone-now"},
        {
            "role": "companion",
            "content": "Breathe.",
            "created_at": "2024-05-01T18:01:00Z",
            "technique": "box-breathing",
        },
    ]
    data = sessions_document(session_item(1, technique="retired-technique", messages=messages))
    assert auth_client.post(URL, data, format="json").status_code == 201
    session = ReflectionSession.objects.get(user=user)
    assert session.technique is None
    assert [m.technique.slug if m.technique else None for m in session.messages.all()] == [None, "box-breathing"]


def test_an_active_session_is_restored_closed_and_nothing_answers_it(auth_client, user, settings):
    """A message waiting for its reply in the file must neither get one (no provider call, no task)
    nor leave the session waiting for ever."""
    stub = StubChatServer()
    try:
        settings.AI_PROVIDER_URL = stub.url
        settings.AI_MODEL = "test-model"
        settings.AI_TIMEOUT = 0.5
        pending = session_item(1, status="active", ended_at=None, last_activity_at=None)
        pending["messages"].append({"role": "user", "content": "Still there?", "created_at": "2024-05-01T18:20:00Z"})
        flagged = session_item(2)
        flagged["messages"][1:] = [
            {"role": "user", "content": "I want to kill myself.", "created_at": "2024-05-01T18:05:00Z", "safety": True},
            {"role": "companion", "content": "Please call.", "created_at": "2024-05-01T18:05:01Z", "safety": True},
        ]
        response = auth_client.post(URL, sessions_document(pending, flagged), format="json")
        assert response.status_code == 201, response.content
        session = ReflectionSession.objects.get(user=user, title="Session 1")
        detail = auth_client.get(f"/api/v1/sessions/{session.pk}/").json()
        assert (detail["status"], detail["awaiting_reply"]) == ("abandoned", False)
        assert detail["ended_at"] == detail["last_activity_at"] == "2024-05-01T18:20:00.000000Z"
        assert [m["content"] for m in detail["messages"]][-1] == "Still there?"
        assert Message.objects.filter(session__user=user).count() == 4 + 3
        assert stub.requests == []
        # The crisis message and its safety reply stay flagged, and never go to a provider.
        safety = ReflectionSession.objects.get(user=user, title="Session 2").messages.filter(safety_flag=True)
        assert [(m.role, m.provider) for m in safety.order_by("created_at")] == [("user", ""), ("companion", "safety")]
        assert (
            auth_client.post(f"/api/v1/sessions/{session.pk}/messages/", {"content": "hi"}, format="json").status_code
            == 409
        )
        assert stub.requests == []
    finally:
        stub.close()


def test_the_file_time_zone_does_not_change_the_accounts(auth_client, user):
    user.profile.time_zone = "America/Chicago"
    user.profile.save()
    data = {**sessions_document(session_item(1)), "profile": {"time_zone": "Asia/Tokyo"}}
    assert auth_client.post(URL, data, format="json").status_code == 201
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "America/Chicago"
    bad = {**sessions_document(session_item(2)), "profile": {"time_zone": 5}}
    response = auth_client.post(URL, bad, format="json")
    assert response.status_code == 400
    assert "profile.time_zone" in response.json()["error"]["fields"]


@pytest.mark.django_db(transaction=True)
def test_imported_sessions_show_at_once_through_the_cache(user):
    """Real Redis, real commits: the list and a detail read before the import are cached; after
    it (as in another process) both show the imported sessions at once."""
    from tests.conftest import make_api_client

    client = make_api_client(user)
    assert client.get("/api/v1/sessions/").json()["count"] == 0
    fresh_process()
    assert client.get("/api/v1/sessions/").json()["count"] == 0
    assert caching.stats.snapshot().get(("sessions", "hit"), 0) >= 1  # the cache is really on
    response = client.post(URL, sessions_document(session_item(1), session_item(2)), format="json")
    assert response.json() == {"imported": 0, "sessions": 2}
    fresh_process()
    listing = client.get("/api/v1/sessions/").json()
    assert [item["title"] for item in listing["results"]] == ["Session 2", "Session 1"]
    assert [item["message_count"] for item in listing["results"]] == [3, 3]
    detail = client.get(f"/api/v1/sessions/{listing['results'][0]['id']}/").json()
    assert [m["content"] for m in detail["messages"]] == ["What's on your mind today?", "Words 2", "Tell me more."]


def test_import_page_names_the_sessions(browser_client, user):
    data = sessions_document(session_item(1), entries=[item(1)])
    response = browser_client.post("/export/", {"file": io.BytesIO(json.dumps(data).encode())})
    assert response.status_code == 302
    assert b"Imported 1 new entry and 1 reflection session." in browser_client.get(response["Location"]).content


# --- Timestamps: what every time zone can show, and the same reading on every route -----------


def _set_zone(user, zone: str) -> None:
    user.profile.time_zone = zone
    user.profile.save()


@pytest.mark.parametrize(
    ("zone", "moment"),
    [
        ("Pacific/Kiritimati", "9999-12-31T23:00:00Z"),  # 1 January 10000 there
        ("Pacific/Honolulu", "0001-01-01T01:00:00Z"),  # 31 December of year 0 there
    ],
)
def test_a_timestamp_no_time_zone_can_show_is_a_400_not_a_500(auth_client, browser_client, user, zone, moment):
    """Such a file imported (a 500 without an `entry_date`), and then the entry's page, the
    sessions page and the Markdown export answered 500 for anyone whose zone is past the edge."""
    _set_zone(user, zone)
    entry = auth_client.post(URL, document(item(1, created_at=moment)), format="json")
    assert entry.status_code == 400
    assert "entries[0].created_at" in entry.json()["error"]["fields"]
    dated = auth_client.post(URL, document(item(2, created_at=moment, entry_date="2024-01-01")), format="json")
    assert dated.status_code == 400
    session = session_item(1, started_at=moment, last_activity_at=moment, ended_at=moment)
    answer = auth_client.post(URL, sessions_document(session), format="json")
    assert answer.status_code == 400
    assert {"sessions[0].started_at", "sessions[0].last_activity_at", "sessions[0].ended_at"} <= set(
        answer.json()["error"]["fields"]
    )
    session = session_item(1)
    session["messages"][0]["created_at"] = moment
    answer = auth_client.post(URL, sessions_document(session), format="json")
    assert answer.status_code == 400
    assert "sessions[0].messages[0].created_at" in answer.json()["error"]["fields"]
    assert not Entry.objects.filter(user=user).exists()
    assert not ReflectionSession.objects.filter(user=user).exists()
    # Every page and download still works, and a day inside the edge imports.
    inside = "9999-12-30T12:00:00Z" if moment.startswith("9999") else "0001-01-02T12:00:00Z"
    session = session_item(2, started_at=inside, last_activity_at=inside, ended_at=inside)
    for message in session["messages"]:
        message["created_at"] = inside
    response = auth_client.post(URL, sessions_document(session, entries=[item(3, created_at=inside)]), format="json")
    assert response.status_code == 201, response.content
    entry_id = Entry.objects.get(user=user).pk
    session_id = ReflectionSession.objects.get(user=user).pk
    for path in (f"/entries/{entry_id}/", "/reflect/", f"/reflect/{session_id}/", "/export/download/?format=markdown"):
        assert browser_client.get(path).status_code == 200, path


def test_a_timestamp_without_offset_is_utc_on_the_import_page_as_in_the_api(browser_client, auth_client, user):
    """The import page runs in the person's time zone (UserTimezoneMiddleware): the same file
    gave `created_at` 03:00 UTC there and 12:00 UTC through the API."""
    _set_zone(user, "Asia/Tokyo")
    naive = "2024-05-01T12:00:00"
    session = session_item(1, started_at=naive, last_activity_at=naive, ended_at=naive)
    for message in session["messages"]:
        message["created_at"] = naive
    page = browser_client.post("/export/", upload(sessions_document(session, entries=[item(1, created_at=naive)])))
    assert page.status_code == 302
    api = auth_client.post(URL, document(item(2, created_at=naive)), format="json")
    assert api.status_code == 201
    noon = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    assert [entry.created_at for entry in Entry.objects.filter(user=user).order_by("title")] == [noon, noon]
    imported = ReflectionSession.objects.get(user=user)
    assert (imported.started_at, imported.ended_at) == (noon, noon)
    assert set(Message.objects.filter(session=imported).values_list("created_at", flat=True)) == {noon}


def test_a_zip_archive_is_named_as_such_in_the_error(auth_client, user):
    """The Markdown export uploaded here answered the decoder's "'utf-8' codec can't decode…"."""
    EntryFactory(user=user)
    archive = auth_client.get("/api/v1/export/", {"format": "markdown"}).content
    response = auth_client.post(URL, upload(archive), format="multipart")
    assert response.status_code == 400
    (message,) = response.json()["error"]["fields"]["file"]
    assert message == "Not a JSON file: this is a zip archive (a Markdown export?). Only a JSON export can be imported."
