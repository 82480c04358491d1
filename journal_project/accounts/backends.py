from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from journal_project import caching


class JournalModelBackend(ModelBackend):
    """Django's model backend whose user lookup also brings the cache generations along.

    The session-authenticated request thus knows every generation it needs for its
    cached reads (and ETags) without another query.
    """

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = (
                user_model._default_manager.select_related("profile")
                .annotate(**caching.generation_annotations("pk"))
                .get(pk=user_id)
            )
        except user_model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        caching.remember_generations(user, user.pk)
        return user
