"""Template helpers for the plain data that selectors return (ISO strings, mood numbers)."""

from __future__ import annotations

import datetime

from django import template

from entries import rendering
from entries.models import Mood

register = template.Library()

_MOODS = dict(Mood.choices)


@register.filter
def tone_in_words(value: float | None) -> str:
    """A sentiment score as the page says it: "fairly neutral (+0.04)".

    The bare "Tone: 0.04" gave no scale (only a tooltip, which a phone never shows).
    """
    from sessions_app.companion.sentiment import describe  # the words session summaries use

    if value is None:
        return ""
    return f"{describe(value)} ({round(value, 2) or 0.0:+.2f})"  # never "-0.00"


@register.filter
def isodate(value: str | None) -> datetime.date | None:
    """ "2024-05-01" → a date, for the `date` filter."""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@register.filter
def isodatetime(value: str | None) -> datetime.datetime | None:
    """An ISO timestamp → an aware datetime; the `date` filter then shows it in the user's zone."""
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except (AttributeError, TypeError, ValueError):
        return None


@register.filter
def mood_label(value: int | None) -> str:
    return _MOODS.get(value, "") if value is not None else ""


@register.filter
def plaintext(value: str | None) -> str:
    """Sanitized entry HTML → the words a person reads (for excerpts: no Markdown marks showing)."""
    return rendering.plain_text(value)


@register.filter
def without_title(body_html: str | None, title: str | None) -> str:
    """The entry's HTML without a first heading that repeats its title (shown above it already)."""
    return rendering.without_title_heading(body_html, title)
