"""Cache invalidation for the knowledge base and sessions: one `caching.bump()` per change.

Bumps run inside the writing transaction (see journal_project/caching.py), so a reader
can never park rows older than the write under the new generation.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from entries.models import Entry
from journal_project import caching
from sessions_app.models import Message, ReflectionSession, Technique


@receiver(post_save, sender=Technique)
@receiver(post_delete, sender=Technique)
def technique_changed(
    sender: Any, instance: Technique, raw: bool = False, created: bool = False, **kwargs: Any
) -> None:
    if not raw:
        caching.bump(caching.KNOWLEDGE)
        if not created:
            # Sessions' cached state names the techniques they drew on, and a deletion
            # unlinks them (SET_NULL, an UPDATE without signals): a new technique is in none.
            caching.bump_every_scope(caching.SESSIONS)


@receiver(post_save, sender=ReflectionSession)
def session_saved(sender: Any, instance: ReflectionSession, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        caching.bump(caching.SESSIONS, instance.user_id)


@receiver(post_save, sender=Message)
def message_saved(sender: Any, instance: Message, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        # Services always hand the message its session object, so this costs no query.
        caching.bump(caching.SESSIONS, instance.session.user_id)


def _origin_model(origin: Any) -> type | None:
    if isinstance(origin, QuerySet):
        return origin.model
    return type(origin) if origin is not None else None


@receiver(post_delete, sender=ReflectionSession)
def session_deleted(sender: Any, instance: ReflectionSession, origin: Any = None, **kwargs: Any) -> None:
    # Deleting the account cascades here; accounts.signals forgets the user's generations
    # right after, so bumping them first would only write rows that are about to go.
    if _origin_model(origin) is get_user_model():
        return
    caching.bump(caching.SESSIONS, instance.user_id)


@receiver(post_delete, sender=Message)
def message_deleted(sender: Any, instance: Message, origin: Any = None, **kwargs: Any) -> None:
    # A cascade from a session or an account is invalidated by its origin's own handler;
    # bumping per message would cost a query and an upsert for every message deleted.
    if _origin_model(origin) is not Message:
        return
    caching.bump(caching.SESSIONS, instance.session.user_id)


@receiver(post_delete, sender=Entry)
def saved_entry_deleted(sender: Any, instance: Entry, origin: Any = None, **kwargs: Any) -> None:
    """A session's summary filed as this entry no longer names it once it is deleted.

    `entry_id` is no foreign key (another app), so nothing unlinked it: the session kept
    answering `entry_id` of an entry that answers 404 (and the 409 of a retried end named
    it too), and its page said "Saved to your journal: open the entry" over a dead link.
    """
    if _origin_model(origin) is get_user_model():
        return  # the account's sessions go with it
    if ReflectionSession.objects.filter(user_id=instance.user_id, entry_id=instance.pk).update(entry_id=None):
        # update() sends no signal; the sessions' cached state names the entry.
        caching.bump(caching.SESSIONS, instance.user_id)
