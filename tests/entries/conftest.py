"""Helpers for the entries tests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal_project import caching


def new_request() -> None:
    """What the start of a new request does to the process-local cache state (another client)."""
    caching.reset_request_state()


def fresh_process() -> None:
    """As if the next read came from another process: no remembered generations, empty L1."""
    caching.reset_request_state()
    caching.local_cache.clear()


def entry_tables_touched(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if "entries_" in query["sql"]]


@pytest.fixture
def capture_queries():
    def make() -> CaptureQueriesContext:
        return CaptureQueriesContext(connection)

    return make


@pytest.fixture
def run_commit_hooks(django_capture_on_commit_callbacks):
    """Run on_commit hooks (the sentiment task) inside a test wrapped in a transaction."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def reflection_session(user, *, title="Evening: worries", save_as_entry=True, end=True):
    """A real session through the services: a technique, a distortion, a crisis message, ended and saved."""
    from sessions_app import services

    session = services.session_create(user=user, title=title, technique_slug="box-breathing")
    services.message_post(user=user, session_id=session.pk, content="I always mess things up at work.")
    services.message_post(user=user, session_id=session.pk, content="I want to kill myself.")
    if end:
        services.session_end(user=user, session_id=session.pk, save_as_entry=save_as_entry)
    session.refresh_from_db()
    return session
