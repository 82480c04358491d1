"""Stage 4: choose the knowledge-base item a reply draws on, and the one question to ask.

Pure scoring over the knowledge base: a named distortion and the techniques related to
it come first, then the session's chosen technique, techniques whose patterns match the
message, what the full-text search found for the message's themes, and the feelings in
the message. A question already asked in the session is never asked again, and a step the
person has already answered in their own words is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sessions_app.companion.distortions import Detection
from sessions_app.companion.knowledge import Item, KnowledgeBase
from sessions_app.companion.themes import feeling_ends

# Feelings that make a kind of technique a good fit (slugs of the shipped knowledge base;
# a slug an editor removes is simply skipped).
EMOTION_AFFINITY: dict[str, tuple[tuple[str, float], ...]] = {
    "anxious": (("grounding-5-4-3-2-1", 2.5), ("box-breathing", 2.0)),
    "overwhelmed": (("box-breathing", 2.5), ("problem-solving", 2.0)),
    "ashamed": (("self-compassion-break", 3.0), ("double-standard", 1.5)),
    "sad": (("behavioural-activation", 2.0), ("self-compassion-break", 1.5)),
    "tired": (("behavioural-activation", 1.5), ("body-scan", 1.0)),
    "angry": (("mindful-pause", 3.0), ("opposite-action", 1.5)),
    "lonely": (("loving-kindness", 2.5), ("opposite-action", 1.0)),
    "happy": (("savouring", 3.0), ("three-good-things", 2.0)),
    "grateful": (("gratitude-letter", 3.0), ("three-good-things", 2.0)),
    "hopeful": (("committed-action", 2.0), ("values-clarification", 1.5)),
}

GENERIC_QUESTIONS: tuple[str, ...] = (
    "What feels most important about this for you right now?",
    "What would you like to understand better about this?",
    "How has this been affecting you from day to day?",
    "What do you need most at the moment?",
    "What would be different if this felt a little lighter?",
    "What have you tried so far, and how did it go?",
    "Who or what has helped you with something like this before?",
    "What is one small thing that might help today?",
    "What would you like to remember from this conversation?",
)


@dataclass(frozen=True)
class Context:
    """What the session has said so far: the pipeline never repeats a question."""

    session_technique: str | None = None
    companion_texts: tuple[str, ...] = ()
    used_techniques: tuple[str, ...] = ()
    user_texts: tuple[str, ...] = ()  # the person's messages, oldest first
    # The companion's last reply was the safety check-in: the next message answers it.
    awaiting_safety_answer: bool = False
    # The companion's last reply was the crisis reply: the next one acknowledges it first.
    after_crisis_reply: bool = False

    @property
    def turn(self) -> int:
        return len(self.companion_texts)

    def asked(self, question: str) -> bool:
        return any(question in text for text in self.companion_texts)


@dataclass(frozen=True)
class Choice:
    item: Item | None  # None: a generic reflective question
    question: str
    distortion: Item | None = None  # the distortion the reply names, if any
    guided: bool = False  # the next step of the session's chosen technique
    scores: dict[str, float] = field(default_factory=dict, compare=False)


# Steps people often answer before they are asked. Asking "what did you feel, from 0 to
# 100?" right after "I felt humiliated, about 80" tells them nobody listened. Recognised
# by the question's wording, so a question an editor rewrites is simply always asked.
_ASKS_FOR_RATED_FEELINGS = re.compile(r"\bwhat did you feel\b.*\b0 to 100\b", re.IGNORECASE)
_ASKS_FOR_THE_THOUGHT = re.compile(r"\bwhat thought went through your mind\b", re.IGNORECASE)
# A rating: a number from 0 to 100 that is not part of a time, a date or a decimal, given
# with a feeling. Either it follows the feeling within a few words and rates nothing else
# ("humiliated, about 80", "anxious 60 and sad 40", "ashamed (70)"), or it carries a scale
# ("80% anxious", "7 out of 10"). Any number anywhere in a message with a feeling word is
# not enough: the situation usually has numbers ("a meeting with 5 people", "sad for 2
# days", "my 3 kids were screaming and I felt overwhelmed"), and taking those for ratings
# skipped the step that asks for them.
_NUMBER = r"(?<![\d.:/])\b(?:100|[1-9]?\d)\b(?![.:/]?\d)"
# After the feeling, up to three words, the number, and then nothing it counts: the end,
# punctuation, or a word that carries on the list.
_RATING_AFTER_FEELING = re.compile(
    r"[\s,:;(\-\u2013\u2014]*(?:[^\W\d]+[\s,:;(\-\u2013\u2014]+){0,3}?"
    rf"{_NUMBER}"
    r"(?=\s*(?:$|[^\w\s]|(?:and|or|but|then|now|maybe|out\s+of)\b))",
    re.IGNORECASE,
)
_SCALED_RATING = re.compile(_NUMBER + r"\s*(?:%|percent\b|/\s*100\b|out\s+of\s+10{1,2}\b)", re.IGNORECASE)


def _rates_a_feeling(text: str) -> bool:
    ends = feeling_ends(text)
    if not ends:
        return False
    return bool(_SCALED_RATING.search(text)) or any(_RATING_AFTER_FEELING.match(text, end) for end in ends)


# The thought itself, reported as one: "I thought: …", "I told myself …", "went through
# my head", "my first thought was". Not a plain "I thought", which mostly narrates.
_REPORTS_A_THOUGHT = re.compile(
    r"\bI\s+(?:just\s+)?thought\s*[:\"“‘]|\bI\s+thought\s+(?:that\s+)?I(?:'m|\s+am|\s+was)\b"
    r"|\bI\s+(?:kept|keep)\s+thinking\b|\bI\s+(?:told|tell)\s+myself\b|\bthrough\s+my\s+(?:mind|head)\b"
    r"|\bmy\s+(?:first\s+|automatic\s+|only\s+)?thought\s+(?:was|is)\b",
    re.IGNORECASE,
)


# The evidence on each side of the thought, given as evidence: "the evidence for it is…",
# "what supports it: …", "against it: …", "one thing that doesn't fit: …". Only the
# words people use when they are weighing a thought on purpose: a plain "but" or "on the
# other hand" mostly narrates, and asking for evidence again is the lesser harm than
# skipping the step for someone who has not weighed anything yet.
_THE_THOUGHT = r"(?:(?:the|this|that|my)\s+(?:thought|belief)|it|that|this)"
_ASKS_FOR_EVIDENCE_FOR = re.compile(r"\b(?:evidence|facts?)\s+supports?\b", re.IGNORECASE)
_ASKS_FOR_EVIDENCE_AGAINST = re.compile(
    r"\b(?:evidence|facts?)\s+(?:doesn't|doesn’t|don't|don’t|does\s+not|do\s+not)\s+fit\b", re.IGNORECASE
)
_GIVES_EVIDENCE_FOR = re.compile(
    rf"\b(?:evidence|proof|facts?)\s+(?:for|supporting|in\s+favou?r\s+of|that\s+supports?)\s+{_THE_THOUGHT}\b"
    rf"|\bwhat\s+supports\s+{_THE_THOUGHT}\b"
    rf"|\b{_THE_THOUGHT}\s+is\s+(?:supported|backed\s+up)\s+by\b"
    rf"|\bin\s+favou?r\s+of\s+{_THE_THOUGHT}\s*[:\u2013\u2014-]"
    r"|\bevidence\s+for\s*:",
    re.IGNORECASE,
)
_GIVES_EVIDENCE_AGAINST = re.compile(
    rf"\b(?:evidence|proof|facts?)\s+(?:against|to\s+the\s+contrary)\b"
    rf"|\bagainst\s+{_THE_THOUGHT}\s*[:\u2013\u2014-]"
    r"|\bcounter[-\s]?evidence\b"
    rf"|\b(?:doesn't|doesn’t|don't|don’t|does\s+not|do\s+not)\s+(?:really\s+|quite\s+)?fit"
    rf"(?:\s+(?:with\s+)?{_THE_THOUGHT}\b|\s*[:\u2013\u2014-])",
    re.IGNORECASE,
)


def already_answered(question: str, said: Sequence[str]) -> bool:
    """Whether the person's messages already answer this step of a technique (pure)."""
    if _ASKS_FOR_RATED_FEELINGS.search(question):
        return any(_rates_a_feeling(text) for text in said)
    if _ASKS_FOR_THE_THOUGHT.search(question):
        return any(_REPORTS_A_THOUGHT.search(text) for text in said)
    if _ASKS_FOR_EVIDENCE_FOR.search(question):
        return any(_GIVES_EVIDENCE_FOR.search(text) for text in said)
    if _ASKS_FOR_EVIDENCE_AGAINST.search(question):
        return any(_GIVES_EVIDENCE_AGAINST.search(text) for text in said)
    return False


def next_question(item: Item, context: Context) -> str | None:
    for question in item.questions:
        if not context.asked(question) and not already_answered(question, context.user_texts):
            return question
    return None


def prompt_question(item: Item) -> str | None:
    """A journaling prompt used as a question, if it asks exactly one."""
    text = item.summary.strip()
    return text if text.count("?") == 1 and text.endswith("?") else None


def _pick_distortion(detections: Sequence[Detection], knowledge: KnowledgeBase, context: Context) -> Item | None:
    # Prefer a distortion this session has not named yet, so replies do not keep
    # returning to the same label.
    items = [knowledge.get(d.slug) for d in detections]
    items = [item for item in items if item is not None]
    fresh = [item for item in items if item.slug not in context.used_techniques]
    return (fresh or items or [None])[0]


def retrieve(
    *,
    text: str,
    detections: Sequence[Detection],
    emotions: Sequence[str],
    sentiment: float,
    context: Context,
    knowledge: KnowledgeBase,
    searched: Sequence[str] = (),
) -> Choice:
    """Choose what to draw on and the one question to ask (pure)."""
    if not context.user_texts or context.user_texts[-1] != text:
        context = replace(context, user_texts=(*context.user_texts, text))
    order = {slug: index for index, slug in enumerate(knowledge.items)}
    scores: dict[str, float] = {}

    def add(slug: str, points: float) -> None:
        item = knowledge.get(slug)
        if item is None or item.is_prompt or next_question(item, context) is None:
            return
        scores[slug] = scores.get(slug, 0.0) + points

    distortion = _pick_distortion(detections, knowledge, context)
    if distortion is not None:
        add(distortion.slug, 10)
        for rank, slug in enumerate(distortion.related):
            add(slug, 7 - rank)
    for detection in detections:
        if distortion is None or detection.slug != distortion.slug:
            add(detection.slug, 3)

    session_item = knowledge.get(context.session_technique)
    if session_item is not None and not session_item.is_distortion:
        add(session_item.slug, 9)
    elif session_item is not None:
        # A session started from a distortion stays with what helps with it, instead of
        # drifting to whatever a short answer's tone suggests ("It did not crash." was
        # offered three good things in a session about catastrophizing).
        for rank, slug in enumerate(session_item.related):
            add(slug, 6 - rank)

    for item in knowledge.techniques:
        if any(pattern.search(text) for pattern in item.compiled):
            add(item.slug, 4)
    for rank, slug in enumerate(searched):
        add(slug, max(1.0, 3.0 - rank * 0.5))
    for emotion in emotions:
        for slug, points in EMOTION_AFFINITY.get(emotion, ()):
            add(slug, points)
    if sentiment >= 0.3 and not detections:
        for item in knowledge.techniques:
            if item.category == "gratitude":
                add(item.slug, 1.5)

    # Variety: the technique the last reply drew on steps back, unless it is the one the
    # person chose for the session (then its steps are followed in order).
    if context.used_techniques:
        last = context.used_techniques[-1]
        if last in scores and (session_item is None or last != session_item.slug):
            scores[last] -= 4

    ranked = sorted(scores.items(), key=lambda pair: (-pair[1], order.get(pair[0], 0)))
    if ranked and ranked[0][1] > 0:
        item = knowledge.items[ranked[0][0]]
        question = next_question(item, context)
        assert question is not None  # add() only scores items with a question left
        named = distortion if distortion is not None else None
        guided = session_item is not None and item.slug == session_item.slug
        return Choice(item=item, question=question, distortion=named, guided=guided, scores=dict(scores))

    return _fallback(knowledge, context, sentiment, distortion)


def _fallback(knowledge: KnowledgeBase, context: Context, sentiment: float, distortion: Item | None) -> Choice:
    # Socratic questions presuppose a troubling thought, so they only follow a heavy
    # message; a neutral or very short one gets an open question instead.
    if sentiment >= 0.3:
        preferred = ["savouring", "three-good-things"]
    elif sentiment <= -0.05 or distortion is not None:
        preferred = ["socratic-questions"]
    else:
        preferred = []
    for slug in preferred:
        item = knowledge.get(slug)
        if item is not None and (question := next_question(item, context)):
            return Choice(item=item, question=question, distortion=distortion)
    if not preferred:
        for question in GENERIC_QUESTIONS:
            if not context.asked(question):
                return Choice(item=None, question=question, distortion=distortion)
    # Then the journaling prompts, starting from a place that moves with the session.
    prompts = knowledge.prompts
    for offset in range(len(prompts)):
        item = prompts[(context.turn + offset) % len(prompts)]
        question = prompt_question(item)
        if question and not context.asked(question):
            return Choice(item=item, question=question, distortion=distortion)
    for question in GENERIC_QUESTIONS:
        if not context.asked(question):
            return Choice(item=None, question=question, distortion=distortion)
    # Everything has been asked: the turn number keeps even this reply unique.
    return Choice(
        item=None,
        question=f"We have talked through a lot ({context.turn} replies so far). Would you like to end the "
        "session and look at the summary together?",
        distortion=distortion,
    )
