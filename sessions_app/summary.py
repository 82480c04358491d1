"""The summary of a finished session and its journal-entry form (pure functions)."""

from __future__ import annotations

import re
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
        # The session had the crisis reply: a summary that only said "a lighter tone by the
        # end" read as if that moment had not happened.
        "crisis_support": any((m.get("analysis") or {}).get("safety") == "crisis" for m in mine),
    }
    summary["text"] = summary_text(summary)
    return summary


def summary_text(summary: dict[str, Any]) -> str:
    """The summary in a few plain Markdown lines."""
    lines = []
    if summary.get("crisis_support"):
        lines.append(
            "**Support:** crisis support lines were shared in this session. "
            "They are there at any hour, whenever you need them."
        )
    themes = summary["themes"]
    lines.append(f"**Themes:** {', '.join(themes)}" if themes else "**Themes:** none stood out")
    techniques = [technique["name"] for technique in summary["techniques"]]
    lines.append(f"**Techniques tried:** {', '.join(techniques)}" if techniques else "**Techniques tried:** none yet")
    lines.append(f"**Mood:** {mood_in_words(summary)}")
    return "\n\n".join(lines)


def mood_in_words(summary: dict[str, Any]) -> str:
    """How the tone of the person's messages moved, in words (the entry and the page alike).

    The page showed the bare scores ("From 0.00 to 0.70 (lighter)"), with no scale and
    under the name the rest of the app gives the 1–5 rating one picks.
    """
    mood = summary.get("mood")
    if mood is None:
        return "no messages to compare"
    if summary.get("message_count", 2) < 2:
        return f"your message read as {describe(mood['first'])}"
    change = {"lighter": "a lighter tone by the end", "heavier": "a heavier tone by the end"}.get(
        mood["direction"], "a similar tone throughout"
    )
    return (
        f"your first message read as {describe(mood['first'])} ({mood['first']:+.2f}), your last as "
        f"{describe(mood['last'])} ({mood['last']:+.2f}): {change}."
    )


def entry_body(summary: dict[str, Any], messages: Sequence[dict[str, Any]], *, limit: int | None = None) -> str:
    """The journal entry a session is saved as: the summary, then the conversation.

    At most `limit` characters (an entry's own limit by default): a long session (its
    messages may hold 5,000 characters each) made the entry too long, so ending it with
    "save as entry" failed. The conversation is then kept from its start, as far as it
    fits, with a note of how many messages stayed in the session.
    """
    if limit is None:
        from entries.models import BODY_MAX_LENGTH

        limit = BODY_MAX_LENGTH
    parts = [summary["text"], "## The conversation"]
    length = len("\n\n".join(parts))
    for index, message in enumerate(messages):
        speaker = "Me" if message["role"] == "user" else "Companion"
        part = f"**{speaker}:** {markdown_literal(message['content'])}"
        left = len(messages) - index
        note = f"*…and {left} more message{'s' if left != 1 else ''}, kept in the session (too long for one entry).*"
        # Room for this message and, should the next one not fit, the note after it.
        room = limit - length - 2 - (len(note) + 2)
        if len(part) > room:
            parts.append(note)
            break
        parts.append(part)
        length += len(part) + 2
    return "\n\n".join(parts)


# Characters that are Markdown wherever they stand (`|` for the tables extension); each is
# written with a backslash, which Python-Markdown turns back into the character itself.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]|])")
# What HTML would read as markup: the start of a tag, comment or autolink, and an entity.
# A `<` or `&` otherwise ("I <3 it", "you & me") is left as typed: Markdown shows it as is.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_ORDERED_ITEM = re.compile(r"^(\d+)([.)])")  # `1.` and `1)` (entries.rendering)


def markdown_literal(text: str) -> str:
    """`text` as Markdown that renders as exactly that text.

    Chat messages are plain text (the chat shows them so); saved into an entry, which is
    Markdown, `<b>` would turn bold and `*word*` italic, and the sanitiser would drop a
    `<script>` the person typed as words. Escaped per line: tags and entities with an
    entity, inline markup with a backslash, and what starts a block (a heading, quote,
    list, rule, setext underline or code fence) at the start of a line. Leading spaces go:
    a page does not show them, and four of them would start a code block.
    """
    lines = []
    for line in text.strip().splitlines():
        line = _TAG_START.sub("&lt;", _ENTITY.sub("&amp;", line.strip()))
        line = _INLINE_MARKUP.sub(r"\\\1", line)
        if line[:1] in ("#", "-", "+"):
            line = "\\" + line
        elif line[:1] == ">":
            line = "&gt;" + line[1:]
        elif line[:1] == "=":
            line = "&#61;" + line[1:]
        elif line[:1] == "~":
            line = "&#126;" + line[1:]
        else:
            line = _ORDERED_ITEM.sub(r"\1\\\2", line)
        lines.append(line)
    return "\n".join(lines)
