"""One log line at start-up that says which mode the process runs in."""

from __future__ import annotations

import logging

from django.conf import settings

logger = logging.getLogger("journal.startup")


def describe_mode() -> dict[str, str]:
    database = settings.DATABASES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    tasks = "inline" if settings.CELERY_TASK_ALWAYS_EAGER else settings.CELERY_BROKER_URL.split("://", 1)[0]
    embedded = engine == "sqlite3" and cache_backend == "LocMemCache"
    return {
        "mode": "embedded default" if embedded else "real stack",
        "database": engine,
        "cache": cache_backend,
        "tasks": tasks,
    }


def log_mode(server: str) -> None:
    """Called once by each server entry point (WSGI, ASGI, Celery worker)."""
    mode = describe_mode()
    logger.info(
        "%s starting in %s mode: database=%s cache=%s tasks=%s",
        server,
        mode["mode"],
        mode["database"],
        mode["cache"],
        mode["tasks"],
        extra=mode,
    )
