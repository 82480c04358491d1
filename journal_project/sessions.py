"""Browser sessions: Django's `cached_db`, whose copy in Redis never outlives a change it missed.

`cached_db` writes a session to PostgreSQL, then its copy to Redis, and reads the copy
first. When Redis refuses the copy's write (out of memory, a read-only replica, MISCONF,
unreachable, or the cache's circuit breaker open) the previous copy stays, and every later
read, during the fault and for the session's two weeks after it, returned the session as
it was before the change. Here a copy that could not be replaced is deleted, and when it
cannot even be deleted (Redis refuses every write) the session moves to a new key: the
row under the old key is gone, so the stale copy names a session that no longer exists
(SessionAuthenticationMiddleware refuses a signed-in one), and the browser gets the new
key in the cookie of the same response.
"""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from journal_project.cache_backend import last_call_failed


class SessionStore(CachedDBStore):
    def save(self, must_create: bool = False) -> None:
        super().save(must_create)
        # A new key has no copy to be stale (its failed write left nothing behind).
        if must_create or not last_call_failed():
            return
        self._cache.delete(self.cache_key)  # Redis out of memory still deletes
        if last_call_failed():
            self.cycle_key()
