"""Monitoring tests: no background flush (tests flush explicitly), fresh buffers and keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from django.core.cache import caches
from django.utils import timezone

from monitoring.collector import collector
from monitoring.store import Labels, local_store


def _clear_monitoring_keys() -> None:
    delete_pattern = getattr(caches["default"], "delete_pattern", None)
    if delete_pattern is not None:
        delete_pattern("monitoring*")


@pytest.fixture(autouse=True)
def monitoring_state(settings) -> Iterator[None]:
    settings.MONITORING_FLUSH_THREAD = False
    collector.stop_thread()
    _clear_monitoring_keys()  # first: the cache call itself records a Redis sample
    collector.discard()
    local_store.clear()
    yield
    collector.discard()
    local_store.clear()


@pytest.fixture
def put() -> Callable[..., None]:
    """Record `count` samples of `seconds` for `name` and flush them into the window of `at`."""

    def put(name: str, seconds: float, count: int = 1, *, at: datetime | None = None, labels: Labels = ()) -> None:
        for _ in range(count):
            collector.record(name, seconds, labels)
        result = collector.flush(now=at or timezone.now())
        assert result.stored

    return put


@pytest.fixture
def seeded_targets(db):
    """The five targets of the data migration (re-seeded: transactional tests elsewhere flush tables)."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module("monitoring.migrations.0002_seed_targets")
    seed.seed(apps, None)
    from monitoring.models import Target

    return list(Target.objects.filter(slug__in=[t["slug"] for t in seed.TARGETS]).order_by("pk"))
