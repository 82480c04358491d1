from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import Exists
from django.db.models.functions import Now

from journal_project import caching
from journal_project.precompiled import PrecompiledQuery

_USER_SENTINEL = -1_999_999_937  # in range for any integer primary key, never a real id
_SESSION_SENTINEL = "\x1fjournal-session-key-sentinel\x1f"  # never a session key (those are [a-z0-9])


def _user_query(user_id: Any) -> Any:
    return (
        get_user_model()
        ._default_manager.select_related("profile")
        .annotate(**caching.generation_annotations("pk"))
        .filter(pk=user_id)
    )


# Every session-authenticated request runs this query: compiled once per process.
_USER_QUERY: PrecompiledQuery[Any] = PrecompiledQuery(_user_query, sentinel=_USER_SENTINEL)
# ... and, for a browser session, whether the session's row still exists in PostgreSQL,
# in the same round trip (see `verifying_session`).
_SESSION_USER_QUERY: PrecompiledQuery[Any] = PrecompiledQuery(
    lambda user_id, session_key: _user_query(user_id).annotate(
        _session_live=Exists(Session.objects.filter(session_key=session_key, expire_date__gt=Now()))
    ),
    sentinels=(_USER_SENTINEL, _SESSION_SENTINEL),
)

# The browser session whose user is being looked up (set by SessionAuthenticationMiddleware).
_verified_session: contextvars.ContextVar[str | None] = contextvars.ContextVar("journal_verified_session", default=None)


@contextlib.contextmanager
def verifying_session(session_key: str | None) -> Iterator[None]:
    """Within the block, a user is found only if the session `session_key` is live in PostgreSQL.

    Browser sessions are `cached_db`: Redis holds a copy of each. A logout while Redis is
    unreachable deletes the row, but not the copy, which Redis would serve again once it
    returns (for the rest of the session's two weeks). PostgreSQL is the source of truth
    for sessions as for everything else, and the check rides along with the user query
    that every session-authenticated request runs anyway.
    """
    token = _verified_session.set(session_key)
    try:
        yield
    finally:
        _verified_session.reset(token)


def canonical_username(typed: str) -> str:
    """The account's own spelling of a username typed in any case ("alice" → "Alice").

    Usernames are unique regardless of case (a constraint on `UPPER(username)`), so a
    sign-in in another case can only mean that account; people do not remember which
    letters they capitalised, and phones capitalise the first one. A name no account has
    is returned as typed.
    """
    if not isinstance(typed, str) or not typed:
        return typed
    # Stored names are NFKC (Django's AbstractBaseUser.clean): "é" typed as "e" and a
    # combining accent, as some keyboards send it, is the same name.
    normalized = get_user_model().normalize_username(typed)
    found = get_user_model()._default_manager.filter(username__iexact=normalized).values_list("username", flat=True)
    return next(iter(found[:1]), typed)


def lockout_username(request: Any, credentials: dict[str, Any] | None) -> str | None:
    """django-axes's `AXES_USERNAME_CALLABLE`: failures count against the account, whatever the case.

    Counted by the text typed, "alice", "ALICE" and "aLice" would each get the full
    number of guesses at Alice's password. Axes asks several times per attempt; the
    answer is kept on the request.
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "data", request.POST).get("username")
    return _canonical_for(request, typed)


def _canonical_for(request: Any, typed: Any) -> Any:
    """`canonical_username(typed)`, looked up once per request: django-axes and the backend
    both ask during one sign-in."""
    if request is None or not isinstance(typed, str):
        return canonical_username(typed)
    memo = getattr(request, "_canonical_usernames", None)
    if memo is None:
        memo = request._canonical_usernames = {}
    if typed not in memo:
        memo[typed] = canonical_username(typed)
    return memo[typed]


class JournalModelBackend(ModelBackend):
    """Django's model backend whose user lookup also brings the cache generations along.

    The session-authenticated request thus knows every generation it needs for its
    cached reads (and ETags) without another query. Sign-in ignores the username's case
    (`canonical_username`).
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.pop(get_user_model().USERNAME_FIELD, None)
        return super().authenticate(request, username=_canonical_for(request, username), password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None  # a session from another project or a tampered one: Django's backend says None too
        session_key = _verified_session.get()
        if session_key is None:
            user = _USER_QUERY.first(pk)
        else:
            user = _SESSION_USER_QUERY.first(pk, session_key)
            if user is not None and not user._session_live:
                return None  # signed out (or expired) in PostgreSQL: a leftover copy in Redis
        if user is None:
            return None
        if not self.user_can_authenticate(user):
            return None
        caching.remember_generations(user, user.pk)
        return user
