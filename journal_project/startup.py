"""What a server process does once at start-up: say which mode it runs in, settle its heap."""

from __future__ import annotations

import gc
import logging

from django.conf import settings
from django.urls import get_resolver

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


def freeze_loaded_objects() -> int:
    """Import every view, then keep what is loaded out of the cyclic garbage collector's way.

    A worker's ~130,000 objects of code, classes and settings live as long as it does, yet
    every full collection walked them all again: 60-120 ms each, one every ~1,500
    requests, stalling every request queued at that worker (the replay of the benchmark's
    mix, bench/mixcost.py). `gc.freeze()` moves them to the permanent generation: full
    collections then walk only what requests have left behind (~13 ms). Called once the
    app is loaded, before the first request; the URLconf is loaded first so that the
    views, serializers and forms it imports are frozen too. Returns how many objects
    were frozen.
    """
    get_resolver().url_patterns  # noqa: B018  (imports every view)
    gc.freeze()
    return gc.get_freeze_count()
