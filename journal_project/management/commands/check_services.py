"""Say whether PostgreSQL and Redis answer, and exactly what to start when they don't."""

from __future__ import annotations

import socket
import warnings
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port {port} --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


class Command(BaseCommand):
    help = "Check that the configured PostgreSQL and Redis answer; print how to start them if not."

    def handle(self, *args: object, **options: object) -> None:
        problems: list[str] = []
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("postgresql"):
            try:
                # The test database does not exist yet; the server's maintenance DB will do.
                # Django warns (a RuntimeWarning of several lines) before retrying another
                # database when that one does not answer either: printed ahead of the
                # message below, it buried what to start under what Django "normally" does.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    with connection._nodb_cursor() as cursor:
                        cursor.execute("SELECT 1")
            except Exception as error:
                host = database.get("HOST") or "127.0.0.1"
                port = database.get("PORT") or 5432
                problems.append(
                    f"PostgreSQL at {host}:{port} does not answer ({type(error).__name__}).\n"
                    f"  Start it with:  {START_POSTGRES}\n"
                    f"  or point DATABASE_URL at a running server."
                )
        redis_url = getattr(settings, "REDIS_URL", "")
        if redis_url:
            parsed = urlparse(redis_url)
            host, port = parsed.hostname or "127.0.0.1", parsed.port or 6379
            try:
                with socket.create_connection((host, port), timeout=2) as sock:
                    sock.sendall(b"PING\r\n")
                    if not sock.recv(16).startswith(b"+PONG"):
                        raise ConnectionError("unexpected answer")
            except Exception as error:
                problems.append(
                    f"Redis at {host}:{port} does not answer ({type(error).__name__}).\n"
                    f"  Start it with:  {START_REDIS.format(port=port)}\n"
                    f"  or point REDIS_URL at a running server."
                )
        if problems:
            raise CommandError("The test suite needs real services:\n" + "\n".join(problems))
        self.stdout.write("PostgreSQL and Redis answer.")
