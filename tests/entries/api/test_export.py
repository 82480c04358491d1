"""GET /api/v1/export/: JSON (lossless) and Markdown (a zip, one file per entry and per session)."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from unittest.mock import ANY

import markdown
import pytest
from django.utils import timezone

from entries.models import Entry
from entries.portability import iso
from sessions_app.models import ReflectionSession
from tests.entries.conftest import reflection_session
from tests.entries.factories import EntryFactory

URL = "/api/v1/export/"
pytestmark = pytest.mark.django_db


def test_json_export_is_lossless(auth_client, user, run_commit_hooks):
    entry = run_commit_hooks(
        EntryFactory,
        user=user,
        title='Quotes "and" colons: fine',
        body="Line one\n\n* a list\n",
        mood=4,
        tags=["Travel", "family"],
        entry_date=datetime.date(2023, 7, 1),
    )
    entry.refresh_from_db()
    response = auth_client.get(URL, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="journal-')
    document = json.loads(response.content)
    assert (document["format"], document["version"]) == ("journal-export", 3)
    (item,) = document["entries"]
    assert item == {
        "uid": str(entry.uid),
        "title": entry.title,
        "body": entry.body,
        "mood": 4,
        "sentiment": entry.sentiment,
        "tags": ["family", "Travel"],
        "entry_date": "2023-07-01",
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }
    assert entry.sentiment is not None
    assert datetime.datetime.fromisoformat(item["created_at"]) == entry.created_at


def test_json_is_the_default_format(auth_client, user):
    EntryFactory(user=user)
    response = auth_client.get(URL)
    assert len(json.loads(response.content)["entries"]) == 1


def test_markdown_export_is_a_zip_with_front_matter(auth_client, user):
    EntryFactory(
        user=user, title="A day: out", body="**Bold** text", mood=3, tags=["x"], entry_date=datetime.date(2024, 1, 2)
    )
    EntryFactory(user=user, title="A day: out", body="Second", entry_date=datetime.date(2024, 1, 2))
    response = auth_client.get(URL, {"format": "markdown"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == ["journal/2024-01-02-a-day-out-2.md", "journal/2024-01-02-a-day-out.md"]
    text = archive.read("journal/2024-01-02-a-day-out.md").decode()
    assert text.startswith('---\ntitle: "A day: out"\ndate: 2024-01-02\nmood: 3\n')
    assert 'tags: ["x"]' in text
    assert text.endswith("---\n**Bold** text\n")


def test_markdown_export_names_files_after_titles_in_any_script(auth_client, user):
    day = datetime.date(2024, 1, 2)
    for title in ("Москва утром", "東京の朝", "يوم جميل", "Café Zoë", "😀🎉", "\u200fשלום\u200f"):
        EntryFactory(user=user, title=title, body="x", entry_date=day)
    archive = zipfile.ZipFile(io.BytesIO(auth_client.get(URL, {"format": "markdown"}).content))
    assert sorted(archive.namelist()) == sorted(
        f"journal/2024-01-02-{stem}.md"
        for stem in ("москва-утром", "東京の朝", "يوم-جميل", "café-zoë", "entry", "שלום")
    )
    assert all(info.flag_bits & 0x800 for info in archive.infolist() if not info.filename.isascii())  # UTF-8 names
    assert archive.read("journal/2024-01-02-москва-утром.md").decode().startswith('---\ntitle: "Москва утром"')


def test_unknown_format_is_a_400(auth_client):
    response = auth_client.get(URL, {"format": "pdf"})
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


def test_export_is_throttled(auth_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "export": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert auth_client.get(URL).status_code == 200
    assert auth_client.get(URL).status_code == 200
    response = auth_client.get(URL)
    assert response.status_code == 429
    assert "Retry-After" in response
    assert response.json()["error"]["code"] == "throttled"


# --- Reflection sessions and the time zone ---------------------------------------------


@pytest.mark.usefixtures("knowledge_base")
def test_json_export_holds_every_session_with_its_messages_and_the_time_zone(auth_client, user):
    user.profile.time_zone = "Europe/Paris"
    user.profile.save()
    session = reflection_session(user)
    entry = Entry.objects.get(user=user, pk=session.entry_id)
    document = json.loads(auth_client.get(URL).content)
    assert document["profile"] == {"time_zone": "Europe/Paris"}
    (item,) = document["sessions"]
    assert item == {
        "uid": str(session.uid),
        "title": "Evening: worries",
        "technique": "box-breathing",
        "status": "ended",
        "summary": session.summary,
        "started_at": iso(session.started_at),
        "last_activity_at": iso(session.last_activity_at),
        "ended_at": iso(session.ended_at),
        "entry_uid": str(entry.uid),
        "messages": [
            {
                "role": message.role,
                "content": message.content,
                "created_at": iso(message.created_at),
                "technique": message.technique.slug if message.technique else None,
                "safety": message.safety_flag,
                "reply_to": ANY,
            }
            for message in session.messages.order_by("created_at", "id")
        ],
    }
    roles = [(message["role"], message["safety"], message["reply_to"]) for message in item["messages"]]
    assert roles == [
        ("companion", False, None),  # the opening answers nothing
        ("user", False, None),
        ("companion", False, 1),  # by place in the list: ids mean nothing on another server
        ("user", True, None),  # the crisis message stays flagged
        ("companion", True, 3),  # and its fixed safety reply
    ]
    assert item["summary"]["text"]
    assert "Evening: worries" in [entry["title"] for entry in document["entries"]]


def test_an_account_without_sessions_exports_an_empty_list(auth_client, user):
    EntryFactory(user=user)
    document = json.loads(auth_client.get(URL).content)
    assert document["sessions"] == []
    assert document["profile"] == {"time_zone": "UTC"}


@pytest.mark.usefixtures("knowledge_base")
def test_markdown_export_has_one_conversation_file_per_session(auth_client, user):
    user.profile.time_zone = "Pacific/Auckland"
    user.profile.save()
    session = reflection_session(user, title="Evening: worries")
    ReflectionSession.objects.filter(pk=session.pk).update(
        started_at=datetime.datetime(2024, 3, 1, 20, 0, tzinfo=datetime.UTC)  # 2 March in Auckland
    )
    reflection_session(user, title="Evening: worries", save_as_entry=False)
    archive = zipfile.ZipFile(io.BytesIO(auth_client.get(URL, {"format": "markdown"}).content))
    names = sorted(name for name in archive.namelist() if name.startswith("sessions/"))
    today = timezone.localtime(timezone.now(), user.profile.zone).date()
    assert names == sorted([f"sessions/{today}-evening-worries.md", "sessions/2024-03-02-evening-worries.md"])
    text = archive.read("sessions/2024-03-02-evening-worries.md").decode()
    assert text.startswith('---\ntitle: "Evening: worries"\n')
    assert f'uid: "{session.uid}"' in text
    assert '\nstatus: "ended"\n' in text
    assert "## Summary" in text
    assert "**You** (" in text
    assert "> I always mess things up at work." in text
    assert "> I want to kill myself." in text
    assert "flagged: crisis" in text
    assert "safety reply" in text
    assert text.index("mess things up") < text.index("kill myself")
    # Entries keep their own folder, unchanged.
    assert any(name.startswith("journal/") for name in archive.namelist())


@pytest.mark.usefixtures("knowledge_base")
def test_a_session_title_is_its_text_in_the_markdown_export_heading(auth_client, user):
    """Titles are plain text everywhere: "**Sunday**" came out bold in the file's heading."""
    reflection_session(user, title="**Sunday** <b>notes</b>", save_as_entry=False)
    archive = zipfile.ZipFile(io.BytesIO(auth_client.get(URL, {"format": "markdown"}).content))
    [name] = [name for name in archive.namelist() if name.startswith("sessions/")]
    text = archive.read(name).decode()
    assert "\n# \\*\\*Sunday\\*\\* &lt;b>notes&lt;/b>\n" in text
    assert markdown.markdown(text.split("\n# ", 1)[1].split("\n", 1)[0]) == "<p>**Sunday** &lt;b&gt;notes&lt;/b&gt;</p>"


@pytest.mark.usefixtures("knowledge_base")
def test_export_costs_the_same_queries_for_one_session_or_many(auth_client, user, capture_queries):
    reflection_session(user, title="first")

    def export_queries() -> int:
        with capture_queries() as queries:
            assert auth_client.get(URL).status_code == 200
            assert auth_client.get(URL, {"format": "markdown"}).status_code == 200
        return len(queries.captured_queries)

    export_queries()  # the first request of a token also records its use
    one = export_queries()
    for n in range(4):
        reflection_session(user, title=f"more {n}")
    many = export_queries()
    assert len(json.loads(auth_client.get(URL).content)["sessions"]) == 5
    assert many == one
