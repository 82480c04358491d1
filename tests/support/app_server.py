"""The app in a process of its own (`manage.py runserver`, or gunicorn as in production),
for faults the test process cannot take and for behaviour that belongs to the server.

Used where the app must meet a broken service that the test itself still needs: the
server talks to PostgreSQL through a TcpProxy the test cuts, while the test keeps its own
connection to set up and check data.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


class AppServer:
    def __init__(self, env: dict[str, str], *, gunicorn: bool = False, workers: int = 1) -> None:
        self.port = free_port()
        self.gunicorn = gunicorn
        self.workers = workers
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "journal_project.settings.base",
            "LOG_FORMAT": "text",
            **env,
        }
        self.process: subprocess.Popen | None = None
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"journal-app-server-{self.port}.log"

    def start(self) -> None:
        log = self.log_path.open("w")
        if self.gunicorn:
            command = [sys.executable, "-m", "gunicorn", "-c", "journal_project/gunicorn.conf.py"]
            command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "journal_project.wsgi"]
        else:
            command = [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                "--skip-checks",
                f"127.0.0.1:{self.port}",
            ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app server exited:\n{self.log()}")
            try:
                if self.request("GET", "/health/live/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the app server did not start:\n{self.log()}")

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: str | None = None,
        timeout: float = 15,
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        self.log_path.unlink(missing_ok=True)


def suite_database_url(address: str | None = None) -> str:
    """The test database's URL, at `address` (host:port) when a proxy stands in front of it."""
    from django.db import connection

    database = connection.settings_dict
    user = f"{database['USER']}@" if database["USER"] else ""
    address = address or f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{user}{address}/{database['NAME']}"


def suite_cache_env() -> dict[str, str]:
    """A process of its own on the suite's Redis and key space (what the test caches, it
    reads, and the other way round), without a broker (tasks run inline)."""
    from django.conf import settings

    return {
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "CELERY_BROKER_URL": "",
    }


@contextmanager
def serving(env: dict[str, str], *, gunicorn: bool = False, workers: int = 1) -> Iterator[AppServer]:
    """An AppServer started with `env`, stopped after."""
    server = AppServer(env, gunicorn=gunicorn, workers=workers)
    server.start()
    try:
        yield server
    finally:
        server.stop()
