from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from journal_project import caching
from journal_project.accounts.models import ApiToken, hash_token
from journal_project.precompiled import PrecompiledQuery

# Recording every use would turn every read into a write; once an hour is enough to
# show operators which tokens are alive.
LAST_USED_RESOLUTION = timedelta(hours=1)

# Every API request runs this query: compiled once per process (journal_project.precompiled).
_TOKEN_QUERY: PrecompiledQuery[ApiToken] = PrecompiledQuery(
    lambda key_hash: (
        ApiToken.objects.select_related("user", "user__profile")
        .annotate(**caching.generation_annotations("user_id"))
        .filter(key_hash=key_hash)
    ),
    sentinel="\x00token-hash\x00",
)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`: one query finds the token, its user, profile and cache generations."""

    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header: expected 'Bearer <token>'.")
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return self._authenticate_token(raw)

    def _authenticate_token(self, raw: str) -> tuple[Any, ApiToken]:
        token = _TOKEN_QUERY.first(hash_token(raw))
        now = timezone.now()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("Token expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        caching.remember_generations(token, token.user_id)
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the bearer token in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/auth/token/."}
