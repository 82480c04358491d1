"""The settings profiles, exercised in fresh processes exactly as an operator would start them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
MANAGE = str(ROOT / "manage.py")


def clean_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SQLITE_")
        )
    }
    env.update(overrides)
    return env


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, MANAGE, *args], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage(
        "check",
        env=clean_env(DJANGO_SETTINGS_MODULE="journal_project.settings.production", ALLOWED_HOSTS="journal.example"),
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_profile_passes_check_deploy():
    env = clean_env(
        DJANGO_SETTINGS_MODULE="journal_project.settings.production",
        SECRET_KEY="x" * 20 + "a-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="journal.example",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL="redis://127.0.0.1:6379/14",
    )
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def embedded_server(tmp_path):
    port = free_port()
    env = clean_env(SQLITE_PATH=str(tmp_path / "journal.sqlite3"), LOG_FORMAT="text")
    migrate = run_manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stderr
    process = subprocess.Popen(
        [sys.executable, MANAGE, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/health/live/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_embedded_default_boots_and_serves_pages(embedded_server):
    base, process = embedded_server
    assert fetch(base + "/")[0] == 200
    assert fetch(base + "/login/")[0] == 200
    assert fetch(base + "/health/live/")[0] == 200
    status, schema = fetch(base + "/api/v1/schema/")
    assert status == 200
    assert "openapi" in schema
    assert fetch(base + "/api/v1/docs/")[0] == 200
    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert "embedded default mode" in output


@pytest.mark.parametrize(("value", "expected"), [(None, "True 5"), ("false", "None None")])
def test_prepared_statements_are_on_unless_turned_off(value, expected):
    env = clean_env(DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres")
    if value is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = value
    code = (
        "from django.conf import settings; options = settings.DATABASES['default']['OPTIONS']; "
        "print(options.get('server_side_binding'), options.get('prepare_threshold'))"
    )
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "journal", "DATABASE_URL must be a PostgreSQL URL"),
        ("DATABASE_URL", "postgress://postgres@127.0.0.1:5432/journal", "DATABASE_URL must be a PostgreSQL URL"),
        ("REDIS_URL", "http://127.0.0.1:6379/0", "REDIS_URL must start with redis://, rediss:// (TLS) or unix://"),
        ("REDIS_URL", "redis://127.0.0.1:6379/cache", "REDIS_URL's path must be a database number"),
    ],
)
def test_a_malformed_service_url_stops_the_process_at_start_saying_what_is_wrong(variable, value, message):
    # Before: a KeyError traceback (no scheme), Django's list of its backends, or a process
    # that started and answered /health/ with a 500 (an http:// Redis URL), or used
    # database 0 for a path that is no number.
    env = clean_env(
        DJANGO_SETTINGS_MODULE="journal_project.settings.production",
        SECRET_KEY="x" * 20 + "a-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="journal.example",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL="redis://127.0.0.1:6379/14",
    )
    env[variable] = value
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


@pytest.mark.parametrize(
    "value", ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379/", "rediss://:secret@redis.example:6380/2"]
)
def test_redis_urls_with_or_without_a_database_number_are_accepted(value):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.REDIS_URL)", env=clean_env(REDIS_URL=value)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == value
