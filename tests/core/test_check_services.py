"""`make test` first runs check_services: it must name what to start, where it is configured."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_both_services_answering_is_said_plainly(capsys):
    call_command("check_services")
    assert "PostgreSQL and Redis answer." in capsys.readouterr().out


def test_a_redis_that_does_not_answer_is_named_with_the_command_for_its_own_port(settings):
    port = _closed_port()
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/3"
    with pytest.raises(CommandError) as raised:
        call_command("check_services")
    message = str(raised.value)
    assert f"Redis at 127.0.0.1:{port} does not answer" in message
    assert f"--port {port} " in message
    assert "or point REDIS_URL at a running server" in message
    assert "PostgreSQL" not in message  # only what is down is named


def test_a_postgresql_that_does_not_answer_is_named_without_djangos_warning_first():
    # As `make test` runs it: its own process, DATABASE_URL at a port nothing listens on.
    # Django's RuntimeWarning about the 'postgres' database used to come first, several
    # lines that read like the failure, ahead of the one line saying what to start.
    port = _closed_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "journal_project.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/journal",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check_services"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"PostgreSQL at 127.0.0.1:{port} does not answer" in result.stderr
    assert "Start it with:" in result.stderr
    assert "RuntimeWarning" not in result.stderr + result.stdout
    assert "Normally Django" not in result.stderr + result.stdout
