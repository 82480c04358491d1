"""Every environment variable the settings (and gunicorn's settings) read is documented
(docs/configuration.md, .env.example)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "journal_project" / "settings"


def variables_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in SETTINGS.glob("*.py"):
        names.update(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    # gunicorn's file: GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS and FORWARDED_ALLOW_IPS were
    # read there and documented nowhere.
    gunicorn = (ROOT / "journal_project" / "gunicorn.conf.py").read_text()
    names.update(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', gunicorn))
    return names


def test_settings_read_a_sensible_number_of_variables():
    assert {
        "WEB_CONCURRENCY",
        "GUNICORN_TIMEOUT",
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "METRICS_TOKEN",
    } <= variables_read_by_settings()


def test_every_variable_is_in_the_configuration_reference():
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(name for name in variables_read_by_settings() if f"`{name}`" not in documented)
    assert missing == []


def test_every_variable_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in variables_read_by_settings() if not re.search(rf"^# ?{name}=", example, re.M))
    assert missing == []
