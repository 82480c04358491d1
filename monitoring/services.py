"""Writes: the roll-up into snapshots, pruning, target evaluation, violations and their alerts."""

from __future__ import annotations

import json
import logging
import random
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from monitoring import catalog, conf, selectors
from monitoring.collector import collector
from monitoring.models import MetricSnapshot, Target, TargetStatus, Violation, format_value
from monitoring.store import StoreUnavailable, get_store, minute_of

logger = logging.getLogger("monitoring.alerts")
maintenance_logger = logging.getLogger(__name__)

SNAPSHOT_FIELDS = ["count", "sum_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms", "hits", "lookups", "hit_rate", "buckets"]


# --- History ---------------------------------------------------------------------------


def rollup_windows(*, now: datetime | None = None, lookback_minutes: int | None = None) -> int:
    """Upsert one snapshot per metric per settled minute from the Redis windows.

    Idempotent: each run recomputes its minutes from the whole window and overwrites the
    rows, so running it twice counts nothing twice, and a flush that arrived after the
    previous run is picked up by the next one (the lookback re-reads recent minutes).
    A minute is settled once every process has had a flush interval to write it.
    Returns the number of rows written; raises StoreUnavailable when Redis is down.
    """
    now = now or timezone.now()
    lookback = lookback_minutes or conf.rollup_lookback_minutes()
    last = minute_of(now.timestamp() - conf.flush_interval() - 2) - 1
    windows = get_store().read_windows(range(last - lookback + 1, last + 1))
    rows: list[MetricSnapshot] = []
    for minute, aggregate in sorted(windows.items()):
        at = datetime.fromtimestamp(minute * 60, tz=UTC)
        hits, lookups = aggregate.cache_hits()
        for metric in sorted(aggregate.names()):
            histogram = aggregate.family(metric)
            count = histogram.count
            if not count:
                continue

            def ms(q: float, histogram: Any = histogram) -> float | None:
                seconds = histogram.quantile(q)
                return None if seconds is None else seconds * 1000

            row = MetricSnapshot(
                metric=metric,
                minute=at,
                count=count,
                sum_ms=histogram.sum * 1000,
                p50_ms=ms(0.5),
                p95_ms=ms(0.95),
                p99_ms=ms(0.99),
                max_ms=None if histogram.max is None else histogram.max * 1000,
                buckets=list(histogram.counts),
            )
            if metric == catalog.CACHE_READ:
                row.hits, row.lookups = hits, lookups
                row.hit_rate = hits / lookups if lookups else None
            rows.append(row)
    if rows:
        MetricSnapshot.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["metric", "minute"], update_fields=SNAPSHOT_FIELDS
        )
    return len(rows)


def prune_snapshots(*, now: datetime | None = None) -> int:
    """Delete snapshots older than MONITORING_RETENTION_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=conf.retention_days())
    deleted, _ = MetricSnapshot.objects.filter(minute__lt=cutoff).delete()
    return deleted


def redis_probe() -> float | None:
    """PING Redis once and record the round trip as a Redis command ("probe")."""
    if not conf.enabled():
        return None
    store = get_store()
    if not store.shared:
        return None
    try:
        seconds = store.ping()
    except StoreUnavailable:
        return None  # a ping that reached Redis and failed is counted by the store
    collector.record(catalog.REDIS_COMMAND, seconds, (("operation", "probe"),))
    return seconds


# --- Evaluation ------------------------------------------------------------------------


def evaluate_targets(*, now: datetime | None = None, source: str = "windows") -> list[selectors.TargetReading]:
    """Compare every target with its latest windows and keep the violations in step.

    A breach opens a violation (one per target: a unique constraint and a lock on the
    target row hold that under concurrent evaluations) and alerts once; further breaches
    update its worst value; the first evaluation that finds the target met again closes
    it. Too few samples, or Redis unavailable, neither opens nor closes anything: there
    is no evidence either way. Disabling a target closes its open violation.
    """
    now = now or timezone.now()
    readings = selectors.read_targets(now=now, source=source)
    for reading in readings:
        reading.open_violation = _apply(reading, now)
    return readings


def _apply(reading: selectors.TargetReading, now: datetime) -> Violation | None:
    target = reading.target
    with transaction.atomic():
        Target.objects.select_for_update().filter(pk=target.pk).first()
        violation = Violation.objects.open().filter(target=target).first()
        value = reading.value
        if reading.status == TargetStatus.BREACHED and value is not None:
            if violation is None:
                violation = Violation.objects.create(
                    target=target,
                    severity=target.severity,
                    comparison=target.comparison,
                    threshold=target.threshold,
                    started_at=now,
                    worst_value=value,
                    last_value=value,
                    samples=reading.samples,
                )
                violation_id = violation.pk
                transaction.on_commit(lambda: _queue_alert(violation_id))
            else:
                worst = target.worse(violation.worst_value, value)
                if worst != violation.worst_value:
                    violation.worst_value = worst
                    violation.samples = reading.samples
                violation.last_value = value
                violation.evaluations = F("evaluations") + 1
                violation.save(update_fields=["worst_value", "samples", "last_value", "evaluations"])
                violation.refresh_from_db(fields=["evaluations"])
        elif violation is not None and reading.status in (TargetStatus.OK, TargetStatus.DISABLED):
            violation.ended_at = now
            if value is not None:
                violation.last_value = value
            violation.save(update_fields=["ended_at", "last_value"])
            logger.info("Performance target met again: %s (%s)", target.name, format_value(value, target.unit))
            violation = None
        Target.objects.filter(pk=target.pk).update(
            last_evaluated_at=now, last_value=value, last_samples=reading.samples, last_status=reading.status
        )
    return violation


def _tasks_run_inline() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def _queue_alert(violation_id: int) -> None:
    from monitoring.tasks import alert_violation

    if _tasks_run_inline():
        violation_alert(violation_id=violation_id)
        return
    try:
        alert_violation.delay(violation_id)
    except Exception:
        # The broker is down: alert from here rather than not at all.
        maintenance_logger.exception("Could not queue the alert task; alerting inline")
        violation_alert(violation_id=violation_id)


def run_maintenance(*, now: datetime | None = None) -> None:
    """Roll up and evaluate: what beat schedules, for the embedded default's flush thread."""
    rollup_windows(now=now)
    evaluate_targets(now=now)


# Beat's tasks that run_maintenance() does itself, every minute.
MAINTENANCE_TASKS = frozenset({"monitoring.tasks.rollup_windows", "monitoring.tasks.evaluate_targets"})


def periodic_tasks_due(*, epoch: float, last_periods: dict[str, int]) -> list[tuple[str, int, int]]:
    """The rest of beat's schedule, for a deployment without beat: `(task, period, seconds)`.

    Without a broker nothing ran it: on the embedded default idle reflection sessions
    were never abandoned and no prune ever ran (metric history, deletion history,
    Idempotency-Key records, expired browser sessions, login records grew for ever).
    A task is due when its period (its interval counted from the epoch, so every
    process of a deployment agrees which one it is) differs from the one it last came
    due in (`last_periods`, task → period): once at start, as beat does with a fresh
    schedule, then once per interval (at least a minute: the flush thread calls this
    once a minute).
    """
    due = []
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task, schedule = entry["task"], entry["schedule"]
        if task in MAINTENANCE_TASKS or not isinstance(schedule, timedelta):
            continue
        seconds = max(60, int(schedule.total_seconds()))
        period = int(epoch // seconds)
        if last_periods.get(task) != period:
            due.append((task, period, seconds))
    return due


def run_periodic_task(task: str) -> Any:
    """Run one of beat's tasks in this process, now (a task's name is its dotted path)."""
    entry = next(entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == task)
    return import_string(task)(*entry.get("args", ()), **entry.get("kwargs", {}))


# --- Alerts ----------------------------------------------------------------------------


class WebhookFailed(Exception):
    """The webhook did not accept the alert (retried with backoff by the task)."""


WEBHOOK_MAX_RETRIES = 8


def webhook_retry_delay(retries: int) -> float:
    """Seconds before retry number `retries + 1`: doubling from MONITORING_WEBHOOK_RETRY_DELAY, jittered, capped."""
    base = float(getattr(settings, "MONITORING_WEBHOOK_RETRY_DELAY", 5.0))
    return min(600.0, base * 2**retries) * random.uniform(0.5, 1.0)


def _describe(violation: Violation) -> tuple[str, str]:
    target = violation.target
    unit = target.unit
    subject = (
        f"[{violation.get_severity_display()}] Performance target breached: {target.name} "
        f"at {format_value(violation.worst_value, unit)} ({target.condition})"
    )
    body = "\n".join(
        [
            f"Target: {target.name} ({target.slug})",
            f"Condition: {target.condition} over {target.window_minutes} min, at least {target.min_samples} samples",
            f"Value: {format_value(violation.last_value, unit)} from {violation.samples} samples",
            f"Since: {violation.started_at:%Y-%m-%d %H:%M:%S %Z}",
            f"Severity: {violation.get_severity_display()}",
            "",
            "The violation stays open until an evaluation finds the target met again;",
            "acknowledge it in the admin (Monitoring > Violations).",
        ]
    )
    return subject, body


def violation_alert(*, violation_id: int) -> bool:
    """Alert a new violation once: a WARNING log line, mail to ADMINS, the webhook task.

    The `alerted_at` claim is one conditional UPDATE, so a task delivered twice (late
    acks) or a concurrent caller cannot alert twice.
    """
    claimed = Violation.objects.filter(pk=violation_id, alerted_at__isnull=True).update(alerted_at=timezone.now())
    if not claimed:
        return False
    violation = Violation.objects.select_related("target").get(pk=violation_id)
    subject, _ = _describe(violation)
    logger.warning(
        subject,
        extra={
            "target": violation.target.slug,
            "severity": violation.severity,
            "value": violation.last_value,
            "threshold": violation.threshold,
            "violation_id": violation.pk,
        },
    )
    if settings.ADMINS:
        _queue_mail(violation.pk)
    if settings.ALERT_WEBHOOK_URL:
        _queue_webhook(violation.pk)
    return True


class MailFailed(Exception):
    """The mail relay did not take the alert (retried with backoff by the task)."""


def _queue_mail(violation_id: int) -> None:
    from monitoring.tasks import deliver_violation_mail

    if not _tasks_run_inline():
        try:
            deliver_violation_mail.delay(violation_id)
            return
        except Exception:
            logger.exception("Could not queue the alert mail for violation %s; mailing now", violation_id)
    # No worker to retry later (embedded default, or the broker is down): one attempt now.
    try:
        violation_mail_deliver(violation_id=violation_id)
    except MailFailed as error:
        logger.error("Could not mail the alert for violation %s (%s); no worker to retry it", violation_id, error)


def violation_mail_deliver(*, violation_id: int) -> bool:
    """Mail the alert to ADMINS; raise MailFailed to be retried. Idempotent (`mailed_at`).

    Sent by a task with retries, as the webhook: a relay that refused or could not be
    reached when the violation opened (restarting, greylisting, a network blip) used to
    lose the alert for good, with one log line to show for it.
    """
    violation = Violation.objects.select_related("target").filter(pk=violation_id).first()
    if violation is None or violation.mailed_at is not None:
        return False
    subject, body = _describe(violation)
    try:
        mail_admins(subject, body, fail_silently=False)
    except Exception as error:  # smtplib's errors, OSError, a timeout: all worth a retry
        raise MailFailed(f"{type(error).__name__}: {error}") from error
    Violation.objects.filter(pk=violation_id).update(mailed_at=timezone.now())
    return True


def _queue_webhook(violation_id: int) -> None:
    from monitoring.tasks import deliver_violation_webhook

    if _tasks_run_inline():
        # No worker to retry later (embedded default): one attempt now. Retrying in
        # place would hold the caller for minutes; the log line and mail already went out.
        try:
            violation_webhook_deliver(violation_id=violation_id)
        except WebhookFailed as error:
            logger.error("Webhook for violation %s failed (%s); no worker to retry it", violation_id, error)
        return
    try:
        deliver_violation_webhook.delay(violation_id)
    except Exception:
        logger.exception("Could not queue the webhook for violation %s", violation_id)


def webhook_payload(violation: Violation) -> dict[str, Any]:
    target = violation.target
    subject, _ = _describe(violation)
    return {
        "event": "monitoring.violation.opened",
        "text": subject,  # what Slack-compatible receivers display
        "violation_id": violation.pk,
        "target": target.slug,
        "name": target.name,
        "severity": violation.severity,
        "condition": target.condition,
        "unit": target.unit,
        "threshold": violation.threshold,
        "value": violation.last_value,
        "worst_value": violation.worst_value,
        "samples": violation.samples,
        "started_at": violation.started_at.isoformat(),
    }


def violation_webhook_deliver(*, violation_id: int) -> bool:
    """POST the alert to ALERT_WEBHOOK_URL; raise WebhookFailed to be retried. Idempotent."""
    url = settings.ALERT_WEBHOOK_URL
    if not url:
        return False
    if not url.startswith(("https://", "http://")):
        logger.error("ALERT_WEBHOOK_URL must be an http(s) URL; webhook skipped")
        return False
    violation = Violation.objects.select_related("target").filter(pk=violation_id).first()
    if violation is None or violation.webhook_delivered_at is not None:
        return False
    Violation.objects.filter(pk=violation_id).update(webhook_attempts=F("webhook_attempts") + 1)
    request = urllib.request.Request(  # the scheme is checked above
        url,
        data=json.dumps(webhook_payload(violation)).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "journal-monitoring/1"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise WebhookFailed(f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise WebhookFailed(type(error).__name__) from error
    if not 200 <= status < 300:
        raise WebhookFailed(f"HTTP {status}")
    Violation.objects.filter(pk=violation_id).update(webhook_delivered_at=timezone.now())
    return True


def violation_acknowledge(*, violation: Violation, user: Any) -> bool:
    """Mark an open or resolved violation as seen by `user` (once; later calls change nothing)."""
    updated = Violation.objects.filter(pk=violation.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user
    )
    return bool(updated)
