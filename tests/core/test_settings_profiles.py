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


def production_env(**overrides: str) -> dict[str, str]:
    """The production profile with every required variable, against the local services."""
    return clean_env(
        DJANGO_SETTINGS_MODULE="journal_project.settings.production",
        SECRET_KEY="x" * 20 + "a-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="journal.example",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL="redis://127.0.0.1:6379/14",
        **overrides,
    )


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
    env = production_env()
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


@pytest.fixture
def project_copy(tmp_path):
    """The code in a directory of its own, so a test can give it a `.env` (the repository's
    own stays untouched: other runs share it)."""
    import shutil

    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("journal_project", "entries", "sessions_app", "monitoring", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    return tmp_path


def test_env_file_chooses_the_settings_profile_and_gunicorn_settings(project_copy):
    """.env.example lists DJANGO_SETTINGS_MODULE and the gunicorn variables; set in `.env`
    they were ignored (the profile was chosen, and gunicorn's file read, before the settings
    read `.env`), so a production server silently ran the base profile."""
    (project_copy / ".env").write_text(
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/from_the_env_file\n"
        'DJANGO_SETTINGS_MODULE="journal_project.settings.production"  # chosen here\n'
        "SECRET_KEY=a-production-secret-key-from-the-env-file-0123456789abcdef\n"
        "ALLOWED_HOSTS=journal.example\n"
        "WEB_CONCURRENCY=3\n"
        "GUNICORN_TIMEOUT=45\n"
    )
    env = clean_env(SQLITE_PATH=str(project_copy / "journal.sqlite3"))
    env.pop("WEB_CONCURRENCY", None)
    env.pop("GUNICORN_TIMEOUT", None)

    def run(*command: str, **environment: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *command],
            env={**env, **environment},
            cwd=project_copy,
            capture_output=True,
            text=True,
            timeout=120,
        )

    chosen = "import os, journal_project; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    shown = run("manage.py", "shell", "-c", "from django.conf import settings; print(settings.SETTINGS_MODULE)")
    assert shown.stdout.strip().splitlines()[-1] == "journal_project.settings.production", shown.stderr[-2000:]
    # The WSGI module and the Celery worker choose the profile through the package.
    imported = run("-c", chosen)
    assert imported.stdout.strip() == "journal_project.settings.production", imported.stderr[-2000:]
    gunicorn = run(
        "-c", "import runpy; c = runpy.run_path('journal_project/gunicorn.conf.py'); print(c['workers'], c['timeout'])"
    )
    assert gunicorn.stdout.strip() == "3 45", gunicorn.stderr[-2000:]
    # A real environment variable still wins over the file.
    overridden = run("-c", chosen, DJANGO_SETTINGS_MODULE="journal_project.settings.base")
    assert overridden.stdout.strip() == "journal_project.settings.base", overridden.stderr[-2000:]
    # The test profile's own database default still wins over a developer's `.env`, as before.
    tested = run(
        "manage.py",
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES)",
        DJANGO_SETTINGS_MODULE="journal_project.settings.test",
    )
    assert "'NAME': 'journal'" in tested.stdout, tested.stderr[-2000:]
    assert "from_the_env_file" not in tested.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "journal", "DATABASE_URL must be a PostgreSQL URL"),
        ("DATABASE_URL", "postgress://postgres@127.0.0.1:5432/journal", "DATABASE_URL must be a PostgreSQL URL"),
        (
            "REDIS_URL",
            "http://127.0.0.1:6379/0",
            "REDIS_URL must be a URL starting with redis://, rediss:// (TLS) or unix://",
        ),
        ("REDIS_URL", "redis://127.0.0.1:6379/cache", "REDIS_URL must be a URL whose path is a database number"),
    ],
)
def test_a_malformed_service_url_stops_the_process_at_start_saying_what_is_wrong(variable, value, message):
    # Before: a KeyError traceback (no scheme), Django's list of its backends, or a process
    # that started and answered /health/ with a 500 (an http:// Redis URL), or used
    # database 0 for a path that is no number.
    env = production_env()
    env[variable] = value
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert result.stderr.startswith(f"ImproperlyConfigured: {message}")
    assert len(result.stderr.splitlines()) == 1  # the line alone, no traceback


def test_log_level_is_taken_in_any_case_as_gunicorn_takes_it():
    """Black-box pass (scaling out): `LOG_LEVEL=warning`, which gunicorn accepts, stopped
    every manage.py command and the app itself with "ValueError: Unknown level: 'warning'"."""
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.LOG_LEVEL)", env=clean_env(LOG_LEVEL="warning")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "WARNING"
    result = run_manage("check", env=clean_env(LOG_LEVEL="loud"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: LOG_LEVEL must be one of" in result.stderr


def test_log_format_is_taken_in_any_case_and_a_typo_says_what_is_allowed():
    """Ninth pass (operator): `LOG_FORMAT=JSON` or `xml` stopped every process with
    "ValueError: Unable to configure handler 'console'" and a traceback."""
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.LOG_FORMAT)", env=clean_env(LOG_FORMAT=" JSON")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "json"
    result = run_manage("check", env=clean_env(LOG_FORMAT="xml"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: LOG_FORMAT must be json or text" in result.stderr


def test_a_throttle_rate_drf_cannot_read_stops_the_process_naming_it():
    """Ninth pass (operator): `THROTTLE_SEARCH=lots` passed `manage.py check` and then made
    every entry list (searching or not) a 500; `60 / MIN` too (DRF reads the period's first
    character, case-sensitively)."""
    result = run_manage("check", env=clean_env(THROTTLE_SEARCH="lots"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: THROTTLE_SEARCH must be a number of requests per" in result.stderr
    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['search'])"
    result = run_manage("shell", "-c", code, env=clean_env(THROTTLE_SEARCH=" 60 / MIN"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "60/min"


def test_a_number_that_cannot_be_read_names_its_variable():
    # "ValueError: could not convert string to float: ''" said neither which nor what.
    result = run_manage("check", env=clean_env(AI_TIMEOUT="fast"))
    assert result.returncode != 0
    assert result.stderr == (
        "ImproperlyConfigured: AI_TIMEOUT must be a number of seconds above 0 and at most 3600 (not 'fast').\n"
    )


@pytest.mark.parametrize(
    "value", ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379/", "rediss://:secret@redis.example:6380/2"]
)
def test_redis_urls_with_or_without_a_database_number_are_accepted(value):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.REDIS_URL)", env=clean_env(REDIS_URL=value)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == value


def test_gunicorn_takes_no_shared_control_socket_unless_given_a_path(monkeypatch):
    """gunicorn 25+ opens $HOME/.gunicorn/gunicorn.ctl by default: a second instance on the
    machine took the first one's over."""
    import runpy

    path = str(ROOT / "journal_project" / "gunicorn.conf.py")
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    config = runpy.run_path(path)
    assert config["control_socket_disable"] is True
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", "/run/journal/gunicorn.ctl")
    config = runpy.run_path(path)
    assert (config["control_socket"], config["control_socket_disable"]) == ("/run/journal/gunicorn.ctl", False)


def test_embedded_default_queues_tasks_inline_without_a_broker_warning(tmp_path):
    """Celery acquires a producer even for an inline task, and with no broker set it fell back
    to amqp://localhost: every `make run` logged kombu's "No hostname was supplied. Reverting
    to default 'localhost'" the first time an entry was saved, as if something were
    misconfigured."""
    env = clean_env(SQLITE_PATH=str(tmp_path / "journal.sqlite3"), LOG_FORMAT="text")
    code = (
        "from journal_project.celery import app; from entries import tasks; "
        "tasks.entries_sentiment_compute.delay([]); print('broker', app.conf.broker_url)"
    )
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert "No hostname was supplied" not in result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "broker memory://localhost//"


@pytest.mark.parametrize("module", ["journal_project.wsgi", "journal_project.asgi"])
def test_a_server_freezes_what_it_loaded_before_its_first_request(module):
    # Frozen objects are out of every collection's walk; without the freeze a worker's
    # full collections walk its whole loaded app again (journal_project.startup).
    probe = (
        f"import gc, sys; import {module}; "
        "print(gc.get_freeze_count(), 'entries.api.views' in sys.modules, 'sessions_app.api.views' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120
    )
    frozen, entries_views, sessions_views = done.stdout.split()[-3:]
    assert int(frozen) > 50_000, done.stderr[-2000:]
    assert entries_views == sessions_views == "True"  # the URLconf's views were loaded first
