"""Behaviour that belongs to the production server (gunicorn), checked on a real one."""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator

import pytest

from tests.core.test_settings_profiles import run_manage
from tests.support.app_server import AppServer, serving, suite_cache_env

pytestmark = pytest.mark.fault  # a process of its own, like the fault tests


def _gunicorn(environment: dict[str, str]) -> Iterator[AppServer]:
    """One gunicorn worker on the suite's Redis key space, without a broker."""
    env = {**environment, **suite_cache_env(), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "1"}
    with serving(env, gunicorn=True) as server:
        yield server


@pytest.fixture(scope="module")
def gunicorn_server() -> Iterator[AppServer]:
    yield from _gunicorn({})


@pytest.mark.parametrize("size", [1024 * 1024, 3 * 1024 * 1024])  # under and over the upload limit
def test_a_large_body_refused_unread_leaves_the_connection_usable(gunicorn_server: AppServer, size: int):
    # A mobile client's long entry meets a 401 (no or an expired token) or a 413; it then
    # retries on the same pooled connection, which must still work.
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn_server.port, timeout=10)
    try:
        connection.request("POST", "/api/v1/entries/", body=b"x" * size, headers={"Content-Type": "application/json"})
        refused = connection.getresponse()
        refused.read()
        assert refused.status in (401, 413)
        assert refused.getheader("Connection") == "keep-alive"

        connection.request("GET", "/health/live/")
        again = connection.getresponse()
        assert again.status == 200, gunicorn_server.log()
        again.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/", "/login/", "/health/live/", "/static/css/app.css"])
def test_head_answers_carry_gets_length_and_no_body_and_log_nothing(gunicorn_server: AppServer, path: str):
    # Load balancers and uptime checks probe with HEAD; gunicorn logged a warning for each
    # answer that came with a body.
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn_server.port, timeout=10)
    try:
        connection.request("GET", path)
        got = connection.getresponse()
        body = got.read()
        connection.request("HEAD", path)
        head = connection.getresponse()
        assert head.read() == b""
        assert head.status == got.status
        assert int(head.getheader("Content-Length")) == len(body) > 0
    finally:
        connection.close()
    assert "no-body response" not in gunicorn_server.log()


@pytest.fixture(scope="module")
def production_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    environment = {
        "DJANGO_SETTINGS_MODULE": "journal_project.settings.production",
        "SECRET_KEY": "a-production-key-for-this-test-only-" + "x" * 30,
        "ALLOWED_HOSTS": "127.0.0.1",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",  # the proxy
        "LOG_FORMAT": "JSON",  # as an operator may write it
        "STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
    }
    # As an operator deploys: the production start refuses to run without them.
    collected = run_manage("collectstatic", "--noinput", "-v0", env={**os.environ, **environment})
    assert collected.returncode == 0, collected.stderr
    yield from _gunicorn(environment)


def test_with_json_logs_gunicorns_own_lines_are_json_too(production_server: AppServer):
    # The app logged JSON but gunicorn wrote "[2026-11-29 08:36:42 +0000] [27542] [INFO]
    # Booting worker ..." to the same stream, which a JSON log pipeline cannot parse.
    lines = [line for line in production_server.log().splitlines() if line.strip()]
    gunicorn_lines = [json.loads(line) for line in lines if '"gunicorn.error"' in line]
    assert any(line["message"].startswith("Booting worker") for line in gunicorn_lines)
    for line in lines:
        assert json.loads(line)["time"].endswith("Z"), line  # UTC, the app's and gunicorn's alike


def _get_from(server: AppServer, source: str, headers: dict[str, str]) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=(source, 0))
    try:
        connection.request("GET", "/api/v1/schema/", headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def test_only_the_trusted_proxy_can_say_a_request_came_over_https(production_server: AppServer):
    # Django trusted `X-Forwarded-Proto: https` from anyone, so a client reaching gunicorn
    # directly was served over plain HTTP without the redirect, and told https links.
    https = {"X-Forwarded-Proto": "https"}
    assert _get_from(production_server, "127.0.0.1", https)[0] == 200  # the proxy, in FORWARDED_ALLOW_IPS
    plain = _get_from(production_server, "127.0.0.1", {})
    assert plain[0] == 301
    assert plain[1].startswith("https://")
    spoofed = _get_from(production_server, "127.0.0.2", https)  # not a trusted proxy
    assert spoofed[0] == 301, production_server.log()
    assert spoofed[1].startswith("https://")


def test_the_production_start_refuses_to_run_without_collected_static_files(settings, tmp_path):
    # Without `collectstatic` every page linking a stylesheet was a 500 under the production
    # profile's manifest storage, and so was the 500 page; the start said nothing.
    import runpy
    from pathlib import Path

    import journal_project

    config = runpy.run_path(str(Path(journal_project.__file__).parent / "gunicorn.conf.py"))
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = str(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        config["on_starting"](None)
    assert str(stopped.value).startswith("ImproperlyConfigured: the static files are not collected (")
    assert "python manage.py collectstatic --noinput" in str(stopped.value)

    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    config["on_starting"](None)  # collected: the start goes on
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    (tmp_path / "staticfiles.json").unlink()
    config["on_starting"](None)  # the base profile serves from the apps: nothing to collect
