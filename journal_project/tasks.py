"""Background work of the core app. Tasks call a service and are safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def idempotency_records_prune() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE["core-prune-idempotency-records"]): expired Idempotency-Key records."""
    from journal_project import idempotency

    return idempotency.idempotency_prune()
