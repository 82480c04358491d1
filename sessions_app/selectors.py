"""Reads for reflection sessions and the knowledge base (being built; see issue 4)."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.utils import timezone

# Replaced by the knowledge base's journaling prompts.
_FALLBACK_PROMPTS = [
    {
        "slug": "three-good-things",
        "text": "What were three good things today, and what was your part in them?",
        "source": "Seligman et al., 2005",
    },
]


def prompt_for_today(user: Any, *, today: datetime.date | None = None) -> dict[str, Any]:
    """Today's journaling prompt for `user`: deterministic per user and day (in their time zone)."""
    profile = getattr(user, "profile", None)
    zone = profile.zone if profile is not None else datetime.UTC
    day = today or timezone.now().astimezone(zone).date()
    digest = hashlib.sha256(f"{user.pk}:{day.isoformat()}".encode()).digest()
    prompt = _FALLBACK_PROMPTS[int.from_bytes(digest[:4], "big") % len(_FALLBACK_PROMPTS)]
    return {"date": day.isoformat(), **prompt}
