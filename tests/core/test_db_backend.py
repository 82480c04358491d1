"""The PostgreSQL backend's health check: no round trip for a healthy connection, and a
connection the server ended is replaced before the request's first query."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db(transaction=True)


def _new_request() -> None:
    # What Django does at the start of each request: reused connections get checked once.
    for conn in connections.all(initialized_only=True):
        conn.health_check_done = False


def test_the_backend_is_ours():
    assert connection.settings_dict["ENGINE"] == "journal_project.db.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.vendor == "postgresql"


def test_a_healthy_connection_is_checked_without_a_query():
    connection.ensure_connection()
    executed: list[str] = []  # what runs on the raw psycopg connection, where Django's check runs

    original = connection.connection.cursor

    def spying_cursor(*args, **kwargs):
        cursor = original(*args, **kwargs)
        real_execute = cursor.execute

        def execute(query, *a, **k):
            executed.append(str(query))
            return real_execute(query, *a, **k)

        cursor.execute = execute
        return cursor

    connection.connection.cursor = spying_cursor
    try:
        _new_request()
        with CaptureQueriesContext(connection), connection.cursor() as cursor:
            cursor.execute("SELECT 42")
    finally:
        connection.connection.cursor = original
    assert "SELECT 1" not in executed  # Django's check would have run it


def test_a_connection_ended_by_the_server_is_replaced_before_the_first_query():
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    dsn = connection.connection.info.dsn
    with psycopg.connect(dsn, autocommit=True) as admin:
        # Waits until the backend is gone, so its goodbye is on the socket.
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [backend_pid])
    new_connections: list[object] = []

    def created(sender, connection, **kwargs):
        new_connections.append(connection)

    connection_created.connect(created)
    try:
        _new_request()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 42")
            assert cursor.fetchone() == (42,)
    finally:
        connection_created.disconnect(created)
    assert new_connections  # the dead one was closed and a new one opened
    assert connection.connection.info.backend_pid != backend_pid


def test_the_statement_every_request_runs_is_prepared_on_its_connection(auth_client):
    """Authentication runs on every API request; PostgreSQL plans it once per connection,
    not once per request (DATABASE_PREPARED_STATEMENTS, on by default)."""
    for _ in range(6):
        assert auth_client.get("/api/v1/auth/me/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "accounts_apitoken"' in statement for statement in prepared), prepared
