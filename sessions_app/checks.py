"""System checks for the companion's settings: a mistake here fails quietly at run time.

Without them, a provider URL with no model (or a URL that is not http/https) makes every
reply fall back to the offline companion, with nothing to say why but a log line per
message. `manage.py check` (and `migrate`, `runserver`) say it once, at start.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.compatibility)
def provider_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = getattr(settings, "AI_PROVIDER_URL", "")
    if not url:
        return []
    problems: list[CheckMessage] = []
    if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).netloc:
        problems.append(
            Warning(
                f"AI_PROVIDER_URL {url!r} is not an http(s) URL: every reply will come from the offline companion.",
                hint="Set it to the API's base URL, e.g. http://127.0.0.1:11434/v1 (docs/companion.md).",
                id="sessions_app.W001",
            )
        )
    if not getattr(settings, "AI_MODEL", ""):
        problems.append(
            Warning(
                "AI_PROVIDER_URL is set but AI_MODEL is empty: the provider cannot know which model to run, "
                "so every reply will come from the offline companion.",
                hint="Set AI_MODEL to the model's name at that provider, e.g. llama3.1:8b (docs/companion.md).",
                id="sessions_app.W002",
            )
        )
    return problems
