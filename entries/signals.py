"""Cache invalidation for entries: every change to an entry, a tag or a tombstone moves the
owner's ENTRIES generation (journal_project.caching), inside the writing transaction.

A service that changes many rows at once (an import, saving an entry with its tags)
wraps the work in `coalesced_invalidation()`: the handlers then only note the owners,
and one bump per owner runs at the end, still inside the same transaction. The outcome
is identical (the generation moves once, atomically with the rows); the write just
costs one upsert instead of one per row.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from entries.models import Entry, EntryTombstone, Tag
from journal_project import caching

_pending: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("entries_pending_bumps", default=None)


def invalidate(user_id: int | None) -> None:
    if user_id is None:
        return
    pending = _pending.get()
    if pending is not None:
        if user_id not in pending:
            # Until the bump at the end, reads in this transaction must skip the cache.
            caching.mark_pending(caching.ENTRIES, user_id)
        pending.add(user_id)
    else:
        caching.bump(caching.ENTRIES, user_id)


@contextlib.contextmanager
def coalesced_invalidation() -> Iterator[None]:
    """Collect the bumps of the enclosed writes and run one per user at the end.

    Use it inside `transaction.atomic()`, so the bumps commit with the rows.
    """
    if _pending.get() is not None:  # nested: the outermost block bumps
        yield
        return
    users: set[int] = set()
    token = _pending.set(users)
    try:
        yield
    except BaseException:
        _pending.reset(token)
        # Rows written before the exception may still commit: in autocommit they already
        # have, and a caller may catch the exception inside its transaction and commit.
        # So bump unless the transaction is already doomed to roll back (then it must not
        # run another query, and the rows go away with it).
        if not connection.needs_rollback:
            for user_id in sorted(users):
                caching.bump(caching.ENTRIES, user_id)
        raise
    _pending.reset(token)
    for user_id in sorted(users):
        caching.bump(caching.ENTRIES, user_id)


@receiver(post_save, sender=Entry)
@receiver(post_delete, sender=Entry)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(post_save, sender=EntryTombstone)
@receiver(post_delete, sender=EntryTombstone)
def _row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    invalidate(instance.user_id)


@receiver(m2m_changed, sender=Entry.tags.through)
def _tags_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        # `instance` is the entry (entry.tags.add) or the tag (tag.entries.add): both have an owner.
        invalidate(instance.user_id)
