"""Stage 5: compose one reply: the person's own words, a short reason, one question."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sessions_app.companion.distortions import Detection
from sessions_app.companion.knowledge import Item
from sessions_app.companion.retrieval import Choice, Context
from sessions_app.companion.text import quote, sentences, tokens
from sessions_app.companion.themes import NEGATIVE_EMOTIONS, detect_emotions

_QUOTE_OPENERS = (
    "You wrote “{quote}”.",
    "I noticed you said “{quote}”.",
    "“{quote}” — thank you for putting that into words.",
)
_DISTORTION_WHY = (
    "This sounds like it might be {name}, which {why}.",
    "I wonder if this is {name}, which {why}.",
    "There may be some {name} in this, which {why}.",
)
_TECHNIQUE_WHY = (
    "It might help to try {name}, because it {why}.",
    "One thing that can help here is {name}, because it {why}.",
    "You could try {name}, because it {why}.",
)
_FEELING = {
    "anxious": "It sounds like you're feeling anxious.",
    "sad": "It sounds like you're feeling low.",
    "angry": "It sounds like you're feeling angry, and that makes sense to notice.",
    "overwhelmed": "It sounds like there's a lot on your plate.",
    "lonely": "It sounds like you're feeling lonely.",
    "ashamed": "It sounds like you're being hard on yourself.",
    "tired": "It sounds like you're running on empty.",
    "happy": "It sounds like something went well.",
    "grateful": "It sounds like you're feeling grateful.",
    "hopeful": "It sounds like there's some hope in this.",
    "calm": "It sounds like things feel a bit calmer.",
}


# "Surname, I. N." in an APA reference list: one author each.
_AUTHOR = re.compile(r"([^,&]+?),\s*(?:[A-Z]\.\s*)+(?:,|$)")


def short_citation(source: str) -> str:
    """The in-text form of a reference (APA): “Neff, 2011”, “Emmons & McCullough, 2003”,
    “Seligman et al., 2005” (pure)."""
    authors = source.split("(", 1)[0].replace("&", "").strip()
    surnames = [match.group(1).strip() for match in _AUTHOR.finditer(authors)]
    year = re.search(r"\((\d{4}(?:/\d{4})?)\)", source)
    if not surnames:  # not in the reference-list form: keep what is there
        surnames = [authors.split(",", 1)[0].strip()]
    if len(surnames) == 2:
        # Two authors are both named; "et al." is for three or more.
        names = f"{surnames[0]} & {surnames[1]}"
    else:
        names = surnames[0] + (" et al." if len(surnames) > 2 else "")
    return f"{names}{', ' + year.group(1) if year else ''}"


def salient_sentence(text: str, detections: Sequence[Detection]) -> str:
    """The sentence worth quoting back: a distortion's, else a feeling's, else the first."""
    if detections:
        return detections[0].sentence
    parts = sentences(text)
    for part in parts:
        if detect_emotions(part):
            return part
    return parts[0] if parts else ""


def _lead(item: Item, choice: Choice, turn: int) -> str:
    if choice.guided:
        return f"Next step ({item.name}):"
    if item.is_prompt:
        return f"Here is a prompt that might help, because it {item.explanation}:"
    if choice.distortion is not None and item.slug == choice.distortion.slug:
        return ""
    if item.explanation:
        return _TECHNIQUE_WHY[turn % len(_TECHNIQUE_WHY)].format(name=item.lower_name, why=item.explanation)
    return f"Let's try {item.lower_name}."


def compose(
    *,
    text: str,
    choice: Choice,
    detections: Sequence[Detection],
    emotions: Sequence[str],
    sentiment: float,
    context: Context,
) -> str:
    """The reply's text (pure). Exactly one question: `choice.question`."""
    turn = context.turn
    parts: list[str] = []
    excerpt = quote(salient_sentence(text, detections)) if len(tokens(text)) >= 3 else ""
    if excerpt:
        parts.append(_QUOTE_OPENERS[turn % len(_QUOTE_OPENERS)].format(quote=excerpt))
    else:
        parts.append("Thank you for sharing that.")

    distortion = choice.distortion
    if distortion is not None and distortion.explanation:
        template = _DISTORTION_WHY[turn % len(_DISTORTION_WHY)]
        parts.append(template.format(name=distortion.lower_name, why=distortion.explanation))
    elif emotions:
        parts.append(_FEELING.get(emotions[0], ""))
    elif sentiment <= -0.4:
        parts.append("That sounds hard.")
    elif sentiment >= 0.4 and not any(emotion in NEGATIVE_EMOTIONS for emotion in emotions):
        parts.append("That sounds like it meant something to you.")

    if choice.item is not None:
        lead = _lead(choice.item, choice, turn)
        if lead:
            parts.append(lead)
    parts.append(choice.question)
    return " ".join(part for part in parts if part)


def opening(technique: Item | None) -> tuple[str, str | None]:
    """The companion's first message for a new session, and the question it asks (pure)."""
    if technique is None:
        return (
            "Hello. This is a quiet space to think things through, one step at a time. What's on your mind today?",
            None,
        )
    if technique.is_prompt:
        cite = f" (after {short_citation(technique.sources[0])})" if technique.sources else ""
        return (
            f"Here is a prompt to start from{cite}:\n\n{technique.summary}\n\nWrite as much or as little as you like.",
            None,
        )
    if technique.is_distortion:
        return (
            f"Let's look at {technique.lower_name} together. {technique.summary} "
            "Can you think of a recent moment when you noticed this kind of thinking?",
            None,
        )
    first = technique.questions[0] if technique.questions else "Where would you like to begin?"
    return (f"Let's work through {technique.lower_name} together. {technique.summary} {first}", first)
