"""The summary of a finished session and its journal-entry form (pure functions)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sessions_app.companion.sentiment import describe

STEADY_BAND = 0.15  # compound-score change below which the mood counts as steady


def summarize(messages: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Themes, techniques tried and the mood shift from the first to the last of the person's messages.

    `messages` are dicts with role, content, sentiment, analysis, technique, technique_name.
    """
    mine = [m for m in messages if m["role"] == "user"]
    themes: Counter[str] = Counter()
    for message in mine:
        themes.update((message.get("analysis") or {}).get("themes", []))
    techniques: dict[str, str] = {}
    for message in messages:
        if message["role"] == "companion" and message.get("technique"):
            techniques.setdefault(message["technique"], message.get("technique_name") or message["technique"])
    mood = None
    scored = [m["sentiment"] for m in mine if m.get("sentiment") is not None]
    if scored:
        first, last = scored[0], scored[-1]
        shift = round(last - first, 4)
        direction = "lighter" if shift > STEADY_BAND else "heavier" if shift < -STEADY_BAND else "steady"
        mood = {"first": first, "last": last, "shift": shift, "direction": direction}
    summary = {
        "themes": [theme for theme, _ in themes.most_common(5)],
        "techniques": [{"slug": slug, "name": name} for slug, name in techniques.items()],
        "mood": mood,
        "message_count": len(mine),
    }
    summary["text"] = summary_text(summary)
    return summary


def summary_text(summary: dict[str, Any]) -> str:
    """The summary in a few plain Markdown lines."""
    lines = []
    themes = summary["themes"]
    lines.append(f"**Themes:** {', '.join(themes)}" if themes else "**Themes:** none stood out")
    techniques = [technique["name"] for technique in summary["techniques"]]
    lines.append(f"**Techniques tried:** {', '.join(techniques)}" if techniques else "**Techniques tried:** none yet")
    mood = summary["mood"]
    if mood is None:
        lines.append("**Mood:** no messages to compare")
    elif summary["message_count"] < 2:
        lines.append(f"**Mood:** your message read as {describe(mood['first'])}")
    else:
        change = {"lighter": "a lighter tone by the end", "heavier": "a heavier tone by the end"}.get(
            mood["direction"], "a similar tone throughout"
        )
        lines.append(
            f"**Mood:** your first message read as {describe(mood['first'])} ({mood['first']:+.2f}), your last as "
            f"{describe(mood['last'])} ({mood['last']:+.2f}): {change}."
        )
    return "\n\n".join(lines)


def entry_body(summary: dict[str, Any], messages: Sequence[dict[str, Any]]) -> str:
    """The journal entry a session is saved as: the summary, then the conversation."""
    parts = [summary["text"], "## The conversation"]
    for message in messages:
        speaker = "Me" if message["role"] == "user" else "Companion"
        parts.append(f"**{speaker}:** {message['content'].strip()}")
    return "\n\n".join(parts)
