"""The offline companion end to end: safety → sentiment → distortions → retrieval → reply.

Every stage is a pure function of the message, the session context and the knowledge
base; `run()` wires them, taking the (cached) theme search as a plain function so the
pipeline itself stays free of I/O and easy to test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sessions_app.companion import compose as compose_stage
from sessions_app.companion import distortions as distortion_stage
from sessions_app.companion import retrieval, safety, sentiment
from sessions_app.companion.distortions import Detection
from sessions_app.companion.knowledge import KnowledgeBase
from sessions_app.companion.retrieval import Choice, Context
from sessions_app.companion.themes import detect_emotions, detect_themes


@dataclass(frozen=True)
class Analysis:
    text: str
    safety: safety.SafetyResult
    sentiment: float
    distortions: tuple[Detection, ...] = ()
    themes: tuple[str, ...] = ()
    emotions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """What is stored with the person's message (no text beyond the matched phrase)."""
        stored: dict[str, Any] = {
            "distortions": [d.slug for d in self.distortions],
            "themes": list(self.themes),
            "emotions": list(self.emotions),
        }
        if self.safety.level:
            # The next message is read as the answer to a check-in (`session_context`).
            stored["safety"] = self.safety.level
        return stored


@dataclass(frozen=True)
class Reply:
    content: str
    technique: str | None
    safety: bool
    analysis: Analysis
    choice: Choice | None = field(default=None, compare=False)


def analyse(text: str, knowledge: KnowledgeBase, *, after_check_in: bool = False) -> Analysis:
    """Stages 1–3, plus themes and feelings. A flagged or unclear message is analysed no further.

    `after_check_in`: the companion's last reply asked the safety question; this is the answer.
    """
    check = safety.assess(text, after_check_in=after_check_in)
    if check.needs_safety_reply:
        return Analysis(text=text, safety=check, sentiment=sentiment.score(text))
    return Analysis(
        text=text,
        safety=check,
        sentiment=sentiment.score(text),
        distortions=tuple(distortion_stage.detect(text, knowledge)),
        themes=tuple(detect_themes(text)),
        emotions=tuple(detect_emotions(text)),
    )


def choose(analysis: Analysis, context: Context, knowledge: KnowledgeBase, searched: Sequence[str] = ()) -> Choice:
    """Stage 4."""
    return retrieval.retrieve(
        text=analysis.text,
        detections=analysis.distortions,
        emotions=analysis.emotions,
        sentiment=analysis.sentiment,
        context=context,
        knowledge=knowledge,
        searched=searched,
    )


def respond(
    analysis: Analysis,
    context: Context,
    knowledge: KnowledgeBase,
    *,
    searched: Sequence[str] = (),
    crisis_resources: Sequence[dict[str, str]] = (),
) -> Reply:
    """Stages 4–5 for an analysed message; a flagged or unclear one gets a fixed safety reply."""
    if analysis.safety.needs_safety_reply:
        content = safety.safety_reply(analysis.safety, crisis_resources)
        return Reply(content=content, technique=None, safety=True, analysis=analysis)
    if context.after_crisis_reply:
        return Reply(content=safety.AFTER_CRISIS_REPLY, technique=None, safety=False, analysis=analysis)
    choice = choose(analysis, context, knowledge, searched)
    content = compose_stage.compose(
        text=analysis.text,
        choice=choice,
        detections=analysis.distortions,
        emotions=analysis.emotions,
        sentiment=analysis.sentiment,
        context=context,
    )
    technique = choice.item.slug if choice.item is not None else None
    return Reply(content=content, technique=technique, safety=False, analysis=analysis, choice=choice)


def run(
    text: str,
    context: Context,
    knowledge: KnowledgeBase,
    *,
    search: Callable[[str], Sequence[str]] = lambda theme: (),
    crisis_resources: Sequence[dict[str, str]] = (),
) -> Reply:
    """The whole pipeline. `search(theme)` returns technique slugs for a theme (cached full-text search)."""
    analysis = analyse(text, knowledge, after_check_in=context.awaiting_safety_answer)
    searched: list[str] = []
    if not analysis.safety.needs_safety_reply:
        for theme in analysis.themes[:3]:
            searched.extend(slug for slug in search(theme) if slug not in searched)
    return respond(analysis, context, knowledge, searched=searched, crisis_resources=crisis_resources)
