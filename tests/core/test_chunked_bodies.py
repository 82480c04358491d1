"""Request bodies sent with `Transfer-Encoding: chunked` (no `Content-Length`), on real servers.

OkHttp and URLSession send a body streamed or of unknown length that way. Django read
nothing of it: a chunked PATCH answered 200 having changed nothing.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from entries.models import Entry
from journal_project.accounts.services import token_issue
from tests.entries.factories import EntryFactory
from tests.factories import UserFactory
from tests.support.app_server import AppServer, serving, suite_cache_env, suite_database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]  # servers of their own


def _server(*, gunicorn: bool) -> Iterator[AppServer]:
    env = {"DATABASE_URL": suite_database_url(), **suite_cache_env(), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "1"}
    with serving(env, gunicorn=gunicorn) as server:
        yield server


@pytest.fixture
def gunicorn_server() -> Iterator[AppServer]:
    yield from _server(gunicorn=True)


@pytest.fixture
def development_server() -> Iterator[AppServer]:
    yield from _server(gunicorn=False)


def _chunks(data: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _send_chunked(
    connection: http.client.HTTPConnection, method: str, path: str, body: bytes, token: str
) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # An iterable body without a length: http.client sends it chunked.
    connection.request(method, path, body=_chunks(body), headers=headers, encode_chunked=True)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")


def test_gunicorn_reads_a_chunked_body(gunicorn_server: AppServer):
    user = UserFactory()
    token = token_issue(user=user).raw
    entry = EntryFactory(user=user, title="Before", mood=2)
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn_server.port, timeout=20)
    try:
        status, body = _send_chunked(
            connection,
            "PATCH",
            f"/api/v1/entries/{entry.pk}/",
            json.dumps({"title": "After", "mood": 5}).encode(),
            token,
        )
        assert (status, body["title"], body["mood"]) == (200, "After", 5), gunicorn_server.log()
        status, body = _send_chunked(
            connection, "POST", "/api/v1/entries/", json.dumps({"title": "Streamed", "body": "x"}).encode(), token
        )
        assert status == 201, body
        # Past the largest body the app takes: a 413, and the connection still serves.
        status, body = _send_chunked(connection, "POST", "/api/v1/entries/", b"x" * (27 * 1024 * 1024), token)
        assert (status, body["error"]["code"]) == (413, "too_large")
        status, body = _send_chunked(connection, "PATCH", f"/api/v1/entries/{entry.pk}/", b'{"mood": 1}', token)
        assert (status, body["mood"]) == (200, 1)
    finally:
        connection.close()
    entry.refresh_from_db()
    assert (entry.title, entry.mood) == ("After", 1)
    assert Entry.objects.filter(user=user, title="Streamed").exists()


def test_a_server_that_cannot_read_chunks_refuses_them_clearly(development_server: AppServer):
    # Django's runserver passes the chunks on undecoded: a 411, not a 200 that dropped the body.
    user = UserFactory()
    token = token_issue(user=user).raw
    entry = EntryFactory(user=user, title="Before")
    connection = http.client.HTTPConnection("127.0.0.1", development_server.port, timeout=20)
    try:
        status, body = _send_chunked(
            connection, "PATCH", f"/api/v1/entries/{entry.pk}/", json.dumps({"title": "After"}).encode(), token
        )
    finally:
        connection.close()
    assert (status, body["error"]["code"]) == (411, "length_required"), development_server.log()
    entry.refresh_from_db()
    assert entry.title == "Before"
