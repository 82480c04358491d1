"""Monitoring settings with their defaults (the documented ones live in settings/base.py)."""

from __future__ import annotations

from django.conf import settings


def enabled() -> bool:
    return bool(getattr(settings, "MONITORING_ENABLED", True))


def flush_interval() -> float:
    return max(0.5, float(getattr(settings, "MONITORING_FLUSH_INTERVAL", 5.0)))


def window_ttl() -> int:
    """Seconds a per-minute window lives in Redis: longer than any target window and the roll-up lookback."""
    return int(getattr(settings, "MONITORING_WINDOW_TTL", 3 * 3600))


def totals_ttl() -> int:
    """Seconds the cumulative totals (Prometheus counters) survive without any flush."""
    return int(getattr(settings, "MONITORING_TOTALS_TTL", 30 * 24 * 3600))


def retention_days() -> int:
    return int(getattr(settings, "MONITORING_RETENTION_DAYS", 30))


def rollup_lookback_minutes() -> int:
    """Completed minutes each roll-up recomputes: late flushes land on the next run."""
    return int(getattr(settings, "MONITORING_ROLLUP_LOOKBACK", 10))


def flush_thread() -> bool:
    return bool(getattr(settings, "MONITORING_FLUSH_THREAD", True))


def inline_maintenance() -> bool:
    """Roll up and evaluate from the flush thread: whenever there is no broker, hence no beat
    (the embedded default, and `make run` with DATABASE_URL and REDIS_URL alone)."""
    value = getattr(settings, "MONITORING_INLINE_MAINTENANCE", None)
    if value is not None:
        return bool(value)
    return not settings.CELERY_BROKER_URL
