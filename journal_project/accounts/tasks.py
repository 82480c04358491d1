from __future__ import annotations

from celery import shared_task

from journal_project import caching


@shared_task(ignore_result=True)
def delete_user_cache(user_id: int) -> int:
    """Remove a deleted account's keys from Redis now instead of waiting for their TTL."""
    return caching.delete_user_keys(user_id)


@shared_task(acks_late=True, ignore_result=True)
def accounts_prune() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE["accounts-prune"]): expired browser sessions and old login records."""
    from journal_project.accounts import services

    return services.accounts_prune()
