"""Django's PostgreSQL backend, with a connection health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django runs `SELECT 1` before the first query of every request
that reuses a persistent connection. On a cached read that is one of its only two
database round trips (the other is authentication): a twentieth of the request's cost
(docs/performance.md).

When the server ends a connection (a restart, `pg_terminate_backend`, an idle timeout),
it writes its reason on the socket and closes it, so a reused connection with anything
to read is suspect, and one with nothing to read is as healthy as `SELECT 1` would find
it. The check therefore polls the socket without waiting: silent means usable; anything
there falls back to Django's `SELECT 1`, which decides exactly as before. (A connection
cut without a word, by a dead network path, is caught by neither before the query.)
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        if readable:
            return super().is_usable()
        return True
