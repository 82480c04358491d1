"""Celery tasks: take ids, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from sessions_app import services


@shared_task(acks_late=True, ignore_result=True)
def companion_reply(message_id: int) -> int | None:
    """Ask the configured provider for the reply to one message (offline fallback inside)."""
    reply = services.companion_reply_generate(message_id=message_id)
    return reply.pk if reply is not None else None


@shared_task(ignore_result=True)
def sessions_abandon_idle() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE["sessions-abandon-idle"]): idle sessions become abandoned."""
    return services.sessions_abandon_idle()


@shared_task(ignore_result=True)
def companion_replies_overdue() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE["sessions-answer-overdue"]): replies whose task was lost, written offline."""
    return services.companion_replies_overdue()
