"""Cross-cutting reactions to account changes: profiles exist, caches forget deleted users."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from journal_project import caching
from journal_project.accounts.models import Profile

logger = logging.getLogger(__name__)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def ensure_profile(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # Users made by createsuperuser or the admin get a profile too.
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(post_save, sender=Profile)
def profile_changed(sender: Any, instance: Profile, raw: bool = False, **kwargs: Any) -> None:
    # The time zone decides "today", streaks and the prompt: everything cached is stale.
    if not raw:
        caching.bump_all_for_user(instance.user_id)


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def forget_deleted_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    user_id = instance.pk
    caching.forget_user(user_id)

    def _delete_keys() -> None:
        from journal_project.accounts.tasks import delete_user_cache

        # Only a clean-up: the keys are unreachable already (the generations are gone) and
        # expire by their TTL. The account is deleted and committed, so a broker that cannot
        # take the task (down, out of memory) must not turn the answer into a 500.
        try:
            delete_user_cache.delay(user_id)
        except Exception as error:  # kombu's errors vary by transport; any of them means "not queued"
            logger.warning("Could not queue the clean-up of a deleted account's cache keys (%s)", type(error).__name__)

    transaction.on_commit(_delete_keys)
