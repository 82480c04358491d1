"""Who writes the reply: the offline companion (default) or an OpenAI-compatible provider.

Journal text leaves the server only when `AI_PROVIDER_URL` is set, and never a message
the safety check flagged (see docs/companion.md).
"""

from __future__ import annotations

from django.conf import settings


def provider_configured() -> bool:
    return bool(getattr(settings, "AI_PROVIDER_URL", ""))
