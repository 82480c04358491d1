"""Throttles of CONTRACT §3: per IP for authentication, per user for the expensive operations.

Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (THROTTLE_* environment variables).

With Redis as the cache (the real stack) a request is counted in one Lua script
(`ResilientRedisCache.throttle_hit`): a sliding window per client, atomic across every
worker, so a burst spread over several processes lets exactly the limit through.
`Retry-After` is when the oldest counted request leaves the window. DRF's own algorithm
(the client's request times read as a list and written back) is kept for any other cache,
i.e. the embedded default's local memory (`make run`), where one process serves everything.

While Redis is down or the cache's circuit breaker is open, each process counts on its
own, with DRF's algorithm in a local-memory cache of its own: a client gets at most the
limit per process instead of no limit, and never an error. The login lockout
(django-axes) counts in the database, so password guessing stays limited exactly then.
"""

from __future__ import annotations

import hashlib

from django.core.cache.backends.locmem import LocMemCache
from django_redis.exceptions import ConnectionInterrupted
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

# The counts of this process while Redis cannot count (see above).
_local_counts = LocMemCache("journal-throttles-while-redis-is-down", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class _ConfiguredRateThrottle(SimpleRateThrottle):
    """Reads its rate when used, not at import, so settings changes (and tests) take effect."""

    _wait_ms: int | None = None

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):  # type: ignore[no-untyped-def]
        self._wait_ms = None
        if self.rate is None:
            return True
        if getattr(self.cache, "counts_atomically", False):
            key = self.key = self.get_cache_key(request, view)
            if key is None:
                return True
            try:
                # Not DRF's key itself: a list of times left there by DRF's algorithm
                # (before an upgrade) is another Redis type, which the script cannot count in.
                counted = self.cache.throttle_hit(f"{key}:window", self.num_requests, self.duration * 1000)
            except ConnectionInterrupted:  # a cache configured not to ignore Redis's errors
                counted = None
            if counted is not None:
                allowed, self._wait_ms = counted
                return allowed
            self.cache = _local_counts  # Redis failed, or the breaker is open
        try:
            return super().allow_request(request, view)
        except (TypeError, AttributeError):
            # The cache answered with something other than the list of request times
            # DRF stores (a server on the port that is not our Redis): fail open.
            return True

    def wait(self) -> float | None:
        if self._wait_ms is not None:
            return self._wait_ms / 1000
        return super().wait()


class AuthRateThrottle(_ConfiguredRateThrottle):
    """Registration and token requests, per client IP."""

    scope = "auth"

    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _PerUserThrottle(_ConfiguredRateThrottle):
    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SearchRateThrottle(_PerUserThrottle):
    """Full-text searches: only list requests that carry `q` count."""

    scope = "search"

    def allow_request(self, request, view):  # type: ignore[no-untyped-def]
        if not request.query_params.get("q"):
            return True
        return super().allow_request(request, view)


class CompanionRateThrottle(_PerUserThrottle):
    scope = "companion"


class ExportRateThrottle(_PerUserThrottle):
    scope = "export"


class ImportRateThrottle(_PerUserThrottle):
    scope = "import"


class PasswordResetIPThrottle(_ConfiguredRateThrottle):
    """ "Forgot your password?" requests per client IP (a page, not an API view)."""

    scope = "password_reset"

    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        return self.cache_format % {"scope": f"{self.scope}-ip", "ident": self.get_ident(request)}


class PasswordResetAddressThrottle(_ConfiguredRateThrottle):
    """The same, per address asked for: nobody can fill a person's inbox from many IPs.

    The key holds a digest of the address, never the address itself.
    """

    scope = "password_reset"

    def __init__(self, email: str) -> None:
        super().__init__()
        self.digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]

    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        return self.cache_format % {"scope": f"{self.scope}-address", "ident": self.digest}
