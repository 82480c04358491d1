"""Every value the settings read from the environment either means what was written or stops
the start with one line naming the variable and what it accepts (journal_project/environment.py).

Most cases run the settings module itself in this process (fast); the end-to-end cases start
the real entry points (manage.py, Celery, the production gunicorn start, `make run`) and check
that what an operator sees is that one line, not a traceback.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from journal_project.environment import ConfigurationError
from tests.core.test_settings_profiles import MANAGE, ROOT, clean_env, production_env


def load_settings(monkeypatch: pytest.MonkeyPatch, profile: str = "base", **values: str) -> dict:
    """The settings module run afresh with these variables set (the rest as the test run has them)."""
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    if profile == "production":
        monkeypatch.setenv("SECRET_KEY", values.get("SECRET_KEY", "a-production-secret-key-0123456789abcdef"))
        monkeypatch.setenv("ALLOWED_HOSTS", values.get("ALLOWED_HOSTS", "journal.example"))
        # production.py's `from .base import *` reads the base module the test run already
        # loaded, so its own variables are what is tested here.
    # Executed as a module of its own (not the one the test run uses, left in sys.modules).
    spec = importlib.util.find_spec(f"journal_project.settings.{profile}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def refusal(monkeypatch: pytest.MonkeyPatch, profile: str = "base", **values: str) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(monkeypatch, profile, **values)
    message = str(caught.value)
    assert "\n" not in message
    return message


BASE_SWITCHES = [
    "DEBUG",
    "DATABASE_PREPARED_STATEMENTS",
    "JOURNAL_CACHE_ENABLED",
    "JOURNAL_ADMIN_SHOWS_CONTENT",
    "MONITORING_ENABLED",
    "PASSWORD_RESET_ENABLED",
]
PRODUCTION_SWITCHES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("true", True),
        ("True", True),
        (" YES ", True),
        ("on", True),
        ("1", True),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        (" Off", False),
        ("0", False),
    ],
)
def test_true_false_settings_take_the_usual_spellings(monkeypatch, written, meant):
    values = load_settings(monkeypatch, **dict.fromkeys(BASE_SWITCHES, written))
    assert [values[name] for name in ("DEBUG", "JOURNAL_CACHE_ENABLED", "MONITORING_ENABLED")] == [meant] * 3
    assert values["JOURNAL_ADMIN_SHOWS_CONTENT"] is meant
    assert values["PASSWORD_RESET_ENABLED"] is meant


@pytest.mark.parametrize("name", BASE_SWITCHES)
@pytest.mark.parametrize("written", ["maybe", "ture", "2", "enabled"])
def test_a_true_false_setting_that_is_neither_stops_the_start_naming_it(monkeypatch, name, written):
    # `JOURNAL_CACHE_ENABLED=maybe` or `DEBUG=ture` was read as false, silently.
    assert refusal(monkeypatch, **{name: written}) == (
        f"{name} must be true or false, or 1/0, yes/no, on/off, in any case (not {written!r})."
    )


@pytest.mark.parametrize("name", PRODUCTION_SWITCHES)
def test_the_production_switches_are_read_the_same_way(monkeypatch, name):
    assert load_settings(monkeypatch, "production", **{name: " On "})[name] is True
    assert f"{name} must be true or false" in refusal(monkeypatch, "production", **{name: "flase"})


# Each numeric setting with values outside what it accepts: garbage, negative, zero
# where zero means nothing, nan and inf, and too large to be meant (or to work: a TTL
# Redis refuses, a timedelta Python cannot make).
NUMBERS = {
    "CONN_MAX_AGE": ["-1", "sixty", "86401"],
    "DATABASE_CONNECT_TIMEOUT": ["0", "-3", "3.5"],
    "CACHE_DEFAULT_TIMEOUT": ["0", "-1", "99999999999"],
    "CACHE_BREAKER_COOLDOWN": ["0", "-1", "nan", "inf"],
    "JOURNAL_CACHE_TTL": ["0", "-5", "1e12", "99999999999999999999"],
    "JOURNAL_CACHE_LOCAL_ENTRIES": ["-1", "many"],
    "JOURNAL_CACHE_LOCAL_MB": ["-1", "99999999999999999999"],
    "REDIS_SOCKET_TIMEOUT": ["0", "-0.25", "nan", "1e300", "fast"],
    "REDIS_CONNECT_TIMEOUT": ["0", "inf"],
    "REDIS_MAX_CONNECTIONS": ["0", "-1", "50.5"],
    "CELERY_TASK_TIME_LIMIT": ["0", "-120"],
    "CELERY_TASK_SOFT_TIME_LIMIT": ["0", "-90"],
    "CELERY_BROKER_SOCKET_TIMEOUT": ["0", "-1", "nan"],
    "API_TOKEN_TTL_DAYS": ["0", "-30", "99999999999"],
    "AXES_FAILURE_LIMIT": ["0", "-1"],
    "AXES_COOLOFF_MINUTES": ["0", "-15", "99999999999"],
    "LOGIN_RECORDS_DAYS": ["0", "99999999999"],
    "DATA_UPLOAD_MAX_MEMORY_SIZE": ["0", "-1"],
    "FILE_UPLOAD_MAX_MEMORY_SIZE": ["-1"],
    "NUM_PROXIES": ["-1", "one"],
    "JOURNAL_TOMBSTONE_DAYS": ["0", "-90"],
    "IDEMPOTENCY_KEY_TTL_HOURS": ["0", "-24", "99999999999"],
    "AI_TIMEOUT": ["-1", "0", "nan", "inf", "-inf"],
    "AI_MAX_RETRIES": ["-1", "1000"],
    "AI_RETRY_BACKOFF": ["-1", "nan"],
    "AI_INLINE_TIMEOUT": ["0", "-5", "inf"],
    "SESSION_IDLE_MINUTES": ["0", "-180"],
    "MONITORING_FLUSH_INTERVAL": ["0", "0.1", "-5", "nan"],
    "MONITORING_RETENTION_DAYS": ["0", "-30"],
    "EMAIL_TIMEOUT": ["0", "-10"],
    "PASSWORD_RESET_TIMEOUT": ["0", "-1"],
}


@pytest.mark.parametrize(("name", "written"), [(name, value) for name, values in NUMBERS.items() for value in values])
def test_a_number_outside_its_range_stops_the_start_saying_the_range(monkeypatch, name, written):
    # `AI_TIMEOUT=-1` (and 0, nan, inf) and `IDEMPOTENCY_KEY_TTL_HOURS=0` passed the start.
    message = refusal(monkeypatch, **{name: written})
    assert message.startswith(f"{name} must be a ")
    assert message.endswith(f"(not {written!r}).")


def test_a_range_is_said_in_words(monkeypatch):
    assert refusal(monkeypatch, AI_TIMEOUT="-1") == (
        "AI_TIMEOUT must be a number of seconds above 0 and at most 3600 (not '-1')."
    )
    assert refusal(monkeypatch, AI_TIMEOUT="20", IDEMPOTENCY_KEY_TTL_HOURS="0") == (
        "IDEMPOTENCY_KEY_TTL_HOURS must be a whole number of hours from 1 to 876000 (not '0')."
    )


def test_the_production_numbers_are_checked_too(monkeypatch):
    assert "SECURE_HSTS_SECONDS must be a whole number of seconds from 0 to" in refusal(
        monkeypatch, "production", SECURE_HSTS_SECONDS="-1"
    )


def test_numbers_in_range_are_read_as_written(monkeypatch):
    # django-environ kept only digits, `.`, `,` and `-` of a float: `1e3` was 13, `5s` 5.
    values = load_settings(
        monkeypatch,
        AI_TIMEOUT="1e3",
        AI_RETRY_BACKOFF="0",
        CONN_MAX_AGE=" 0 ",
        JOURNAL_CACHE_LOCAL_MB="0",
        MONITORING_FLUSH_INTERVAL="0.5",
        FILE_UPLOAD_MAX_MEMORY_SIZE="0",
    )
    assert values["AI_TIMEOUT"] == 1000.0
    assert values["AI_RETRY_BACKOFF"] == 0.0
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 0
    assert values["JOURNAL_CACHE_LOCAL_BYTES"] == 0
    assert values["MONITORING_FLUSH_INTERVAL"] == 0.5
    assert "AI_TIMEOUT must be" in refusal(monkeypatch, AI_TIMEOUT="5s")


def test_the_soft_time_limit_must_come_before_the_hard_one(monkeypatch):
    # A soft limit at or past the hard one never fires: the task was killed without warning.
    assert refusal(monkeypatch, CELERY_TASK_TIME_LIMIT="60", CELERY_TASK_SOFT_TIME_LIMIT="60") == (
        "CELERY_TASK_SOFT_TIME_LIMIT must be fewer seconds than CELERY_TASK_TIME_LIMIT (60) (not '60')."
    )


def test_an_empty_value_is_the_same_as_not_setting_it(monkeypatch):
    # Env and compose files write `VAR=` to mean "not set", as `DATABASE_URL=` already was.
    empty = ["DEBUG", "JOURNAL_CACHE_ENABLED", "AI_TIMEOUT", "CONN_MAX_AGE", "TIME_ZONE", "LOG_LEVEL"]
    empty += ["THROTTLE_AUTH", "DEFAULT_FROM_EMAIL", "JOURNAL_SEARCH_CONFIG", "CRISIS_RESOURCES", "ALLOWED_HOSTS"]
    for name in empty:
        monkeypatch.delenv(name, raising=False)
    defaults = load_settings(monkeypatch)
    values = load_settings(monkeypatch, **dict.fromkeys(empty, " "))
    for name in ("DEBUG", "JOURNAL_CACHE_ENABLED", "AI_TIMEOUT", "TIME_ZONE", "DEFAULT_FROM_EMAIL"):
        assert values[name] == defaults[name], name
    for name in ("JOURNAL_SEARCH_CONFIG", "CRISIS_RESOURCES", "ALLOWED_HOSTS", "REST_FRAMEWORK", "DATABASES"):
        assert values[name] == defaults[name], name
    # A required one is still refused when empty.
    assert refusal(monkeypatch, "production", SECRET_KEY=" ").startswith("SECRET_KEY must be set")


def test_text_is_taken_literally(monkeypatch):
    # django-environ read a value starting with `$` as the name of another variable: a
    # generated secret `$x9…` silently became the development key (or an empty token).
    values = load_settings(monkeypatch, SECRET_KEY="$x9-secret", METRICS_TOKEN="$token", AI_API_KEY="$key")
    assert (values["SECRET_KEY"], values["METRICS_TOKEN"], values["AI_API_KEY"]) == ("$x9-secret", "$token", "$key")


def test_lists_drop_the_spaces_around_their_items(monkeypatch):
    # `ALLOWED_HOSTS=journal.example.org, 127.0.0.1` allowed " 127.0.0.1", which no Host matches.
    values = load_settings(
        monkeypatch,
        ALLOWED_HOSTS="journal.example.org, 127.0.0.1 ,",
        CSRF_TRUSTED_ORIGINS=" https://journal.example.org",
        ADMIN_EMAILS="ops@example.org, Night Shift <night@example.org>",
    )
    assert values["ALLOWED_HOSTS"] == ["journal.example.org", "127.0.0.1"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://journal.example.org"]
    assert values["ADMINS"] == [("Operator", "ops@example.org"), ("Operator", "Night Shift <night@example.org>")]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must be a comma-separated list of host names"),
        (
            {"CSRF_TRUSTED_ORIGINS": "journal.example.org"},
            "CSRF_TRUSTED_ORIGINS must be a comma-separated list of origins",
        ),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE must be a time zone name"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432x/journal"}, "DATABASE_URL must be a URL whose port"),
        ({"REDIS_URL": "redis://127.0.0.1:99999/0"}, "REDIS_URL must be a URL whose port"),
        ({"CELERY_BROKER_URL": "127.0.0.1:6379"}, "CELERY_BROKER_URL must be a Redis or RabbitMQ URL"),
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:port/1"}, "CELERY_BROKER_URL must be a URL whose port"),
        ({"JOURNAL_SEARCH_CONFIG": "english; drop"}, "JOURNAL_SEARCH_CONFIG must be a text search configuration name"),
        ({"ALERT_WEBHOOK_URL": "hooks.example.org/journal"}, "ALERT_WEBHOOK_URL must be an http(s) URL"),
        ({"AI_PROVIDER_URL": "localhost:11434/v1"}, "AI_PROVIDER_URL must be an http(s) URL"),
        ({"EMAIL_URL": "mail.example.org"}, "EMAIL_URL must be a mail server URL"),
        ({"EMAIL_URL": "smtp+tls://u:p@mail.example.org:tls"}, "EMAIL_URL must be a URL whose port"),
        ({"ADMIN_EMAILS": "ops@example.org, ops"}, "ADMIN_EMAILS must be comma-separated e-mail addresses"),
        ({"CRISIS_RESOURCES": "call 112"}, "CRISIS_RESOURCES must be a JSON list"),
        ({"CRISIS_RESOURCES": "[]"}, "CRISIS_RESOURCES must be a JSON list"),
        ({"CRISIS_RESOURCES": '[{"name": 112}]'}, "CRISIS_RESOURCES must be a JSON list"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_other_values_that_cannot_work_stop_the_start_naming_the_variable(monkeypatch, values, expected):
    assert refusal(monkeypatch, **values).startswith(expected)


def test_the_production_profile_needs_its_hosts(monkeypatch):
    assert refusal(monkeypatch, "production", ALLOWED_HOSTS=" ").startswith(
        "ALLOWED_HOSTS must be a comma-separated list of host names"
    )


def test_the_documented_examples_are_accepted(monkeypatch):
    values = load_settings(
        monkeypatch,
        EMAIL_URL="smtp+tls://journal:secret@mail.example.org:587",
        CRISIS_RESOURCES='[{"name": "Emergency services", "contact": "112"}]',
        ALERT_WEBHOOK_URL="https://hooks.example.org/journal",
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        TIME_ZONE="Europe/Berlin",
        JOURNAL_SEARCH_CONFIG="simple",
        DEFAULT_FROM_EMAIL="Journal <journal@example.org>",
    )
    assert values["EMAIL_PORT"] == 587
    assert values["CRISIS_RESOURCES"] == [{"name": "Emergency services", "contact": "112"}]


# --- What an operator sees: the one line, from each way of starting the app ---------------


def run(command: list[str], env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_manage_py_stops_with_the_line_alone():
    # Before: a 40-line traceback through Django's settings loader, the line at its end; and
    # `manage.py shell` ran on without settings at all.
    for command in (["check"], ["shell", "-c", "print('ran')"]):
        done = run([sys.executable, MANAGE, *command], clean_env(JOURNAL_CACHE_ENABLED="maybe"))
        assert done.returncode == 1
        assert done.stdout == ""
        assert done.stderr == (
            "ImproperlyConfigured: JOURNAL_CACHE_ENABLED must be true or false, or 1/0, yes/no, on/off, "
            "in any case (not 'maybe').\n"
        )


def test_a_settings_module_that_does_not_exist_is_one_line_too():
    done = run([sys.executable, MANAGE, "check"], clean_env(DJANGO_SETTINGS_MODULE="journal_project.settings.prod"))
    assert done.returncode == 1
    assert done.stderr.startswith("ImproperlyConfigured: DJANGO_SETTINGS_MODULE='journal_project.settings.prod'")
    assert len(done.stderr.splitlines()) == 1


def test_the_celery_worker_stops_with_the_line_alone():
    env = clean_env(CELERY_BROKER_URL="redis://127.0.0.1:6379/14", AI_TIMEOUT="0")
    done = run([sys.executable, "-m", "celery", "-A", "journal_project", "worker"], env)
    assert done.returncode == 1
    assert (
        done.stderr
        == "ImproperlyConfigured: AI_TIMEOUT must be a number of seconds above 0 and at most 3600 (not '0').\n"
    )


@pytest.mark.parametrize(
    ("name", "written", "expected"),
    [
        # gunicorn itself reads WEB_CONCURRENCY with int() when it is imported.
        ("WEB_CONCURRENCY", "x", "WEB_CONCURRENCY must be a whole number from 1 to 1000 (not 'x')."),
        # A master with no worker, answering nothing.
        ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY must be a whole number from 1 to 1000 (not '0')."),
        ("GUNICORN_THREADS", "-1", "GUNICORN_THREADS must be a whole number from 1 to 1000 (not '-1')."),
        ("GUNICORN_TIMEOUT", "30s", "GUNICORN_TIMEOUT must be a whole number of seconds from 1 to 86400 (not '30s')."),
        (
            "GUNICORN_MAX_REQUESTS",
            "-1",
            "GUNICORN_MAX_REQUESTS must be a whole number from 0 to 1000000000 (not '-1').",
        ),
        # An OverflowError traceback when gunicorn bound the socket.
        ("GUNICORN_BIND", "127.0.0.1:80000", "GUNICORN_BIND must be HOST:PORT with a port from 1 to 65535"),
        # The app's settings, read once in the master: each worker failed to boot with a traceback.
        ("DEBUG", "ture", "DEBUG must be true or false"),
    ],
)
def test_the_production_start_stops_with_the_line_alone(name, written, expected):
    env = {**production_env(GUNICORN_BIND="127.0.0.1:1"), name: written}
    done = run([sys.executable, "-m", "journal_project.serve"], env)
    assert done.returncode == 1
    assert done.stderr.startswith(f"ImproperlyConfigured: {expected}")
    assert len(done.stderr.splitlines()) == 1


def test_gunicorn_started_with_its_configuration_file_checks_the_same():
    env = production_env(GUNICORN_THREADS="many")
    done = run([sys.executable, "-m", "gunicorn", "-c", "journal_project/gunicorn.conf.py"], env)
    assert done.returncode == 1
    assert done.stderr == "ImproperlyConfigured: GUNICORN_THREADS must be a whole number from 1 to 1000 (not 'many').\n"


def test_gunicorn_takes_the_apps_log_level_as_the_app_reads_it():
    # gunicorn lower-cased LOG_LEVEL without stripping it: " warning" fell back to info.
    probe = "import runpy; c = runpy.run_path('journal_project/gunicorn.conf.py'); print(c['loglevel'], c['wsgi_app'])"
    done = run([sys.executable, "-c", probe], production_env(LOG_LEVEL=" Warning "))
    assert done.stdout.split() == ["warning", "journal_project.wsgi"], done.stderr[-2000:]


@pytest.mark.parametrize("port", ["99999", "eighty", "0"])
def test_make_run_refuses_a_port_before_doing_anything(port):
    # `make run PORT=99999` migrated, then the dev server stopped with an OverflowError traceback.
    done = run(["make", "-s", "-o", ".venv/.base", "run", f"PORT={port}"], clean_env())
    assert done.returncode != 0
    assert f"PORT must be a port number from 1 to 65535 (not '{port}')." in done.stderr
    assert "Traceback" not in done.stderr
    assert "migrate" not in done.stdout
