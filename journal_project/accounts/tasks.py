from __future__ import annotations

from celery import shared_task

from journal_project import caching


@shared_task(ignore_result=True)
def delete_user_cache(user_id: int) -> int:
    """Remove a deleted account's keys from Redis now instead of waiting for their TTL."""
    return caching.delete_user_keys(user_id)


# Acknowledged when taken, not when done: a worker killed while sending loses the e-mail
# (the person asks again) rather than sending it twice.
@shared_task(ignore_result=True)
def password_reset_send(user_ids: list[int], domain: str, use_https: bool) -> int:
    """The password-reset e-mail of a request: ids only, the token is made here."""
    from journal_project.accounts import services

    return services.password_reset_send_now(user_ids=user_ids, domain=domain, use_https=use_https)


@shared_task(acks_late=True, ignore_result=True)
def accounts_prune() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE["accounts-prune"]): expired browser sessions and old login records."""
    from journal_project.accounts import services

    return services.accounts_prune()
