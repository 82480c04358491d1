"""`make test` first runs check_services: it must name what to start, where it is configured."""

from __future__ import annotations

import socket

import pytest
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
