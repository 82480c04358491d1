from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from journal_project import caching
from journal_project.precompiled import PrecompiledQuery

# Every session-authenticated request runs this query: compiled once per process.
_USER_QUERY: PrecompiledQuery[Any] = PrecompiledQuery(
    lambda user_id: (
        get_user_model()
        ._default_manager.select_related("profile")
        .annotate(**caching.generation_annotations("pk"))
        .filter(pk=user_id)
    ),
    sentinel=-1_999_999_937,  # in range for any integer primary key, never a real id
)


class JournalModelBackend(ModelBackend):
    """Django's model backend whose user lookup also brings the cache generations along.

    The session-authenticated request thus knows every generation it needs for its
    cached reads (and ETags) without another query.
    """

    def get_user(self, user_id: Any) -> Any:
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None  # a session from another project or a tampered one: Django's backend says None too
        user = _USER_QUERY.first(pk)
        if user is None:
            return None
        if not self.user_can_authenticate(user):
            return None
        caching.remember_generations(user, user.pk)
        return user
