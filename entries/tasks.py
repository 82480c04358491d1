"""Background work for entries. Tasks take ids, call a service, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from entries import services


@shared_task(acks_late=True, ignore_result=True)
def entry_sentiment_compute(entry_id: int) -> None:
    services.entry_sentiment_refresh(entry_id=entry_id)


@shared_task(acks_late=True, ignore_result=True)
def entries_sentiment_compute(entry_ids: list[int]) -> None:
    services.entries_sentiment_refresh(entry_ids=entry_ids)


@shared_task(acks_late=True, ignore_result=True)
def tombstones_prune() -> int:
    return services.tombstones_prune()
