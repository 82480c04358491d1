"""The optional `.env` next to manage.py, read before anything chooses the settings profile.

settings/base.py reads the file too, but only once a profile is being imported: too late
for `DJANGO_SETTINGS_MODULE` itself, which manage.py, the WSGI/ASGI modules and Celery
choose first. Without this, an operator who copied .env.example and set the production
profile there silently ran the base profile (its development SECRET_KEY, no HTTPS).
"""

from __future__ import annotations

from pathlib import Path

import environ

ENV_FILE = Path(__file__).resolve().parent.parent / ".env"


def load_env_file(path: Path = ENV_FILE) -> None:
    """Add the file's variables to the environment; real environment variables win."""
    environ.Env.read_env(str(path), overwrite=False)
