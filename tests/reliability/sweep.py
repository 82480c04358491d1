"""One person's whole surface, for fault tests: every API read and every page, and some writes.

A fault test runs the sweep before, during and after a fault and checks each answer.
Add a read here when an endpoint or page is added, and every fault test covers it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rest_framework.test import APIClient

from entries.models import Entry
from journal_project import caching
from sessions_app.models import ReflectionSession


@dataclass
class Journal:
    """What the sweep reads: one person's entries, a session and a technique."""

    api: APIClient
    browser: Any  # django.test.Client, logged in
    entry_id: int
    doomed_entry_id: int  # deleted by a write during the fault
    session_id: int
    slug: str


def build_journal(api: APIClient, browser: Any) -> Journal:
    first = api.post(
        "/api/v1/entries/",
        {"title": "Before the fault", "body": "A calm morning walk by the river.", "tags": ["walk"], "mood": 4},
        format="json",
    )
    doomed = api.post("/api/v1/entries/", {"title": "To be deleted", "body": "Short lived."}, format="json")
    session = api.post("/api/v1/sessions/", {"title": "Check-in"}, format="json")
    assert first.status_code == doomed.status_code == session.status_code == 201
    slug = api.get("/api/v1/knowledge/").json()["results"][0]["slug"]
    return Journal(api, browser, first.json()["id"], doomed.json()["id"], session.json()["id"], slug)


def api_reads(journal: Journal) -> list[str]:
    return [
        "/api/v1/entries/",
        f"/api/v1/entries/{journal.entry_id}/",
        "/api/v1/entries/?q=river",
        "/api/v1/entries/?tag=walk&mood=4",
        "/api/v1/tags/",
        "/api/v1/stats/",
        "/api/v1/export/",
        "/api/v1/sessions/",
        f"/api/v1/sessions/{journal.session_id}/",
        "/api/v1/knowledge/",
        f"/api/v1/knowledge/{journal.slug}/",
        "/api/v1/knowledge/?q=breathing",
        "/api/v1/prompts/today/",
        "/api/v1/auth/me/",
    ]


def page_reads(journal: Journal) -> list[str]:
    return [
        "/today/",
        "/entries/",
        f"/entries/{journal.entry_id}/",
        f"/entries/{journal.entry_id}/edit/",
        "/search/?q=river",
        "/calendar/",
        "/insights/",
        "/export/",
        "/reflect/",
        f"/reflect/{journal.session_id}/",
        "/library/",
        f"/library/{journal.slug}/",
        "/accounts/settings/",
    ]


@dataclass
class Answer:
    label: str
    status: int
    seconds: float
    response: Any


def read_everything(journal: Journal) -> list[Answer]:
    answers = []
    for path in api_reads(journal):
        answers.append(_timed(f"GET {path}", journal.api.get, path))
    for path in page_reads(journal):
        answers.append(_timed(f"page {path}", journal.browser.get, path))
    return answers


def write_during_fault(journal: Journal) -> dict[str, Any]:
    """Writes through the API and a page; returns what each should have left behind."""
    api = journal.api
    answers = [
        _timed(
            "POST /api/v1/entries/",
            api.post,
            "/api/v1/entries/",
            {"title": "Written during the fault", "body": "The lights flickered."},
            format="json",
        ),
        _timed(
            "PATCH entry",
            api.patch,
            f"/api/v1/entries/{journal.entry_id}/",
            {"title": "Edited during the fault"},
            format="json",
        ),
        _timed("DELETE entry", api.delete, f"/api/v1/entries/{journal.doomed_entry_id}/"),
        _timed(
            "POST message",
            api.post,
            f"/api/v1/sessions/{journal.session_id}/messages/",
            {"content": "Said during the fault."},
            format="json",
        ),
        _timed(
            "POST /api/v1/import/",
            api.post,
            "/api/v1/import/",
            {"entries": [{"title": "Imported during the fault", "body": "From a file."}]},
            format="json",
        ),
        _timed(
            "page POST /entries/new/",
            journal.browser.post,
            "/entries/new/",
            {"title": "Typed during the fault", "body": "In the browser.", "mood": "3"},
        ),
    ]
    return {"answers": answers}


def assert_writes_are_visible(journal: Journal, user: Any) -> None:
    """Every write made during the fault is in PostgreSQL and in what the API answers now."""
    titles = set(Entry.objects.filter(user=user).values_list("title", flat=True))
    assert {
        "Written during the fault",
        "Edited during the fault",
        "Imported during the fault",
        "Typed during the fault",
    } <= titles
    assert not Entry.objects.filter(pk=journal.doomed_entry_id).exists()
    assert ReflectionSession.objects.get(pk=journal.session_id).messages.filter(content="Said during the fault.")

    listed = {item["title"] for item in journal.api.get("/api/v1/entries/?page_size=100").json()["results"]}
    assert {"Written during the fault", "Edited during the fault", "Imported during the fault"} <= listed
    assert "Before the fault" not in listed
    assert "To be deleted" not in listed
    assert journal.api.get(f"/api/v1/entries/{journal.entry_id}/").json()["title"] == "Edited during the fault"
    assert journal.api.get(f"/api/v1/entries/{journal.doomed_entry_id}/").status_code == 404
    messages = journal.api.get(f"/api/v1/sessions/{journal.session_id}/").json()["messages"]
    assert "Said during the fault." in [message["content"] for message in messages]
    assert journal.api.get("/api/v1/stats/").json()["entries_count"] == len(titles)
    assert "Edited during the fault" in journal.browser.get("/entries/").content.decode()


def hit_rate(counts: dict[tuple[str, str], int]) -> float:
    hits = sum(n for (_, result), n in counts.items() if result in ("hit", "local_hit"))
    total = sum(n for (_, result), n in counts.items() if result in ("hit", "local_hit", "miss", "error"))
    return hits / total if total else 0.0


def new_process() -> None:
    """As if the next request came from another process: no remembered generations, empty L1."""
    caching.reset_request_state()
    caching.local_cache.clear()


def wait_for_cache(journal: Journal, limit: float = 10) -> float:
    """Seconds until a repeated read is a Redis hit again, after the breaker's cool-down."""
    started = time.monotonic()
    deadline = started + limit
    while time.monotonic() < deadline:
        caching.stats.reset()
        for _ in range(2):
            new_process()
            journal.api.get(f"/api/v1/entries/{journal.entry_id}/")
        if caching.stats.snapshot().get(("entries", "hit"), 0):
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"the cache did not recover within {limit:g} s of Redis coming back")


def _timed(label: str, call: Any, *args: Any, **kwargs: Any) -> Answer:
    started = time.perf_counter()
    response = call(*args, **kwargs)
    return Answer(label, response.status_code, time.perf_counter() - started, response)
