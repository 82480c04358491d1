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

from django.db import DatabaseError, connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from entries.models import Entry, EntryTombstone, Tag
from journal_project import caching

_pending: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("entries_pending_bumps", default=None)


def invalidate(user_id: int | None) -> None:
    if user_id is None:
        return
    # ENTRY_VERSIONS needs no bump here (a changed entry has a new version), but reads in
    # this transaction must not store what they see of uncommitted rows there either.
    caching.mark_pending(caching.ENTRY_VERSIONS, user_id)
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
    except BaseException as error:
        _pending.reset(token)
        # Rows written before the exception may still commit: in autocommit they already
        # have, and a caller may catch the exception inside its transaction and commit.
        # So bump unless the transaction is already doomed to roll back (then it must not
        # run another query, and the rows go away with it). A query that failed in this
        # block's transaction (a deadlock, a lost connection) dooms it before the atomic
        # block around us has marked it: PostgreSQL refuses every later query, and the
        # bump's "current transaction is aborted" used to replace the real error (a
        # deadlock's 503 became a 500).
        doomed = connection.needs_rollback or (isinstance(error, DatabaseError) and connection.in_atomic_block)
        if not doomed:
            for user_id in sorted(users):
                caching.bump(caching.ENTRIES, user_id)
        raise
    _pending.reset(token)
    for user_id in sorted(users):
        caching.bump(caching.ENTRIES, user_id)


_unused_tags: contextvars.ContextVar[bool] = contextvars.ContextVar("entries_deleting_unused_tags", default=False)


@contextlib.contextmanager
def deleting_unused_tags() -> Iterator[None]:
    """Mark tag deletions that cannot change any entry (the tags have none)."""
    token = _unused_tags.set(True)
    try:
        yield
    finally:
        _unused_tags.reset(token)


def _entries_changed_in_place(user_id: int) -> None:
    """Entries changed without their rows (and `updated_at`) being written: drop their stored versions."""
    caching.bump(caching.ENTRY_VERSIONS, user_id)


@receiver(post_save, sender=Entry)
def _entry_saved(sender: Any, instance: Entry, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    invalidate(instance.user_id)
    # The services move `updated_at` with every change; a save that does not (plain ORM
    # code, a data fix) leaves the entry's stored version describing old content.
    if not created and instance.keeps_its_version(update_fields):
        _entries_changed_in_place(instance.user_id)
    instance.remember_saved_version()


@receiver(post_delete, sender=Entry)
@receiver(post_save, sender=EntryTombstone)
@receiver(post_delete, sender=EntryTombstone)
def _row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    invalidate(instance.user_id)


@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
def _tag_changed(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    invalidate(instance.user_id)
    # A renamed tag, or a deleted one that entries still carried, changes those entries'
    # tag lists without touching them. A new tag has no entries yet.
    if not created and not _unused_tags.get():
        _entries_changed_in_place(instance.user_id)


@receiver(m2m_changed, sender=Entry.tags.through)
def _tags_changed(sender: Any, instance: Any, action: str, reverse: bool = False, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        # `instance` is the entry (entry.tags.add) or the tag (tag.entries.add): both have an owner.
        invalidate(instance.user_id)
        # From an entry, the service that changes its tags also moves its `updated_at`;
        # from a tag, many entries change without that.
        if reverse:
            _entries_changed_in_place(instance.user_id)
