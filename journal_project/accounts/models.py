from __future__ import annotations

import hashlib
import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

# Not places: "localtime" is a link the operating system may keep to /etc/localtime (on
# Debian it is in the zone directory), so choosing it meant "whatever zone the server is
# set to", and it changed meaning with the host. It is no IANA name a device reports either.
NOT_TIME_ZONES = frozenset({"localtime"})


@cache
def time_zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - NOT_TIME_ZONES))


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError("Unknown time zone: %(value)s", params={"value": value}, code="invalid_time_zone")


def default_time_zone() -> str:
    """A new account's zone: the server's (`TIME_ZONE`), which a family's operator sets to
    where they live. Without it, an account made by the API, the admin or a browser without
    JavaScript counted "today" and streaks in UTC, hours off for the people of the server."""
    zone = settings.TIME_ZONE
    return zone if zone in time_zone_names() else "UTC"


class Profile(models.Model):
    """What the journal needs to know about a person beyond Django's user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    # "Today", streaks and entry dates are computed in this zone.
    time_zone = models.CharField(max_length=64, default=default_time_zone, validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so a person or an operator can tell tokens apart.
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
