"""`DJANGO_SETTINGS_MODULE` from the optional `.env` next to manage.py.

settings/base.py reads the rest of `.env`, but only once a profile is being imported: too
late for `DJANGO_SETTINGS_MODULE` itself, which manage.py, the WSGI/ASGI modules and Celery
choose first. Without this, an operator who copied .env.example and chose the production
profile there silently ran the base profile (its development SECRET_KEY, no HTTPS).

Only this one variable is read early: the test profile sets its own DATABASE_URL and
REDIS_URL defaults before base.py reads `.env`, and must keep winning over a developer's.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ENV_FILE = Path(__file__).resolve().parent.parent / ".env"
DEFAULT_SETTINGS_MODULE = "journal_project.settings.base"
_LINE = re.compile(r"^\s*(?:export\s+)?DJANGO_SETTINGS_MODULE\s*=\s*(.*?)\s*$")


def settings_module_in_env_file(path: Path = ENV_FILE) -> str | None:
    """The file's DJANGO_SETTINGS_MODULE, if it sets one (the last assignment wins)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    found = None
    for line in lines:
        match = _LINE.match(line)
        if match:
            value = match.group(1)
            quoted = re.match(r"""(["'])(.*?)\1""", value)
            value = quoted.group(2) if quoted else value.split(" #", 1)[0].strip()
            found = value or None
    return found


def choose_settings_module(path: Path = ENV_FILE) -> None:
    """DJANGO_SETTINGS_MODULE from the environment, else from `.env`, else the base profile."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module_in_env_file(path) or DEFAULT_SETTINGS_MODULE)
