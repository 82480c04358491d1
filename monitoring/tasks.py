"""Periodic and alert tasks (scheduled in CELERY_BEAT_SCHEDULE, settings/base.py).

All idempotent: the roll-up overwrites, the evaluation converges, the alert claims its
violation, the webhook records its delivery.
"""

from __future__ import annotations

import logging

from celery import shared_task

from monitoring import services
from monitoring.store import StoreUnavailable

logger = logging.getLogger(__name__)


@shared_task(name="monitoring.tasks.probe_redis", ignore_result=True)
def probe_redis() -> None:
    services.redis_probe()


@shared_task(name="monitoring.tasks.rollup_windows", ignore_result=True, acks_late=True)
def rollup_windows() -> int:
    try:
        return services.rollup_windows()
    except StoreUnavailable:
        logger.warning("Redis unavailable: metric roll-up skipped (the next run re-reads these minutes)")
        return 0


@shared_task(name="monitoring.tasks.evaluate_targets", ignore_result=True, acks_late=True)
def evaluate_targets() -> None:
    services.evaluate_targets()


@shared_task(name="monitoring.tasks.prune_snapshots", ignore_result=True, acks_late=True)
def prune_snapshots() -> int:
    return services.prune_snapshots()


@shared_task(name="monitoring.tasks.alert_violation", ignore_result=True, acks_late=True)
def alert_violation(violation_id: int) -> None:
    services.violation_alert(violation_id=violation_id)


@shared_task(
    bind=True,
    name="monitoring.tasks.deliver_violation_webhook",
    ignore_result=True,
    acks_late=True,
    max_retries=services.WEBHOOK_MAX_RETRIES,
)
def deliver_violation_webhook(self, violation_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        services.violation_webhook_deliver(violation_id=violation_id)
    except services.WebhookFailed as error:
        # Exponential backoff with jitter; past max_retries Celery re-raises the error (logged as a failure).
        raise self.retry(exc=error, countdown=services.webhook_retry_delay(self.request.retries)) from error


@shared_task(
    bind=True,
    name="monitoring.tasks.deliver_violation_mail",
    ignore_result=True,
    acks_late=True,
    max_retries=services.WEBHOOK_MAX_RETRIES,
)
def deliver_violation_mail(self, violation_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        services.violation_mail_deliver(violation_id=violation_id)
    except services.MailFailed as error:
        # The same backoff as the webhook; past max_retries Celery re-raises (logged as a failure).
        raise self.retry(exc=error, countdown=services.webhook_retry_delay(self.request.retries)) from error
