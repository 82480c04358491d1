"""Throttles of CONTRACT §3: per IP for authentication, per user for the expensive operations.

Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (THROTTLE_* environment variables).
All are backed by the default cache; when Redis is down they fail open. The login
lockout (django-axes) counts in the database, so password guessing stays limited then.
"""

from __future__ import annotations

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _ConfiguredRateThrottle(SimpleRateThrottle):
    """Reads its rate when used, not at import, so settings changes (and tests) take effect."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):  # type: ignore[no-untyped-def]
        try:
            return super().allow_request(request, view)
        except (TypeError, AttributeError):
            # The cache answered with something other than the list of request times
            # DRF stores (a server on the port that is not our Redis): fail open, as
            # when Redis is down.
            return True


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
