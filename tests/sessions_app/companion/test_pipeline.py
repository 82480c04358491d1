"""The pipeline end to end, as a conversation."""

from __future__ import annotations

import pytest

from sessions_app import knowledge
from sessions_app.companion import pipeline
from sessions_app.companion.knowledge import KnowledgeBase
from sessions_app.companion.retrieval import Context

CONVERSATION = [
    "I had a rough day at work.",
    "My boss must think I'm completely incompetent.",
    "I always mess things up in meetings.",
    "I feel anxious just thinking about tomorrow.",
    "I'm going to fail the presentation.",
    "I should be able to handle this on my own.",
    "I'm such an idiot.",
    "ok",
    "ok",
    "I don't know.",
    "Maybe.",
    "I went for a walk and that helped a bit.",
    "I'm grateful my partner listened to me.",
] * 3


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(knowledge.items())


def test_a_long_session_never_repeats_a_reply_or_a_question(kb):
    context = Context()
    replies = []
    for text in CONVERSATION:
        result = pipeline.run(text, context, kb)
        assert not result.safety
        replies.append(result.content)
        used = (*context.used_techniques, result.technique) if result.technique else context.used_techniques
        context = Context(companion_texts=(*context.companion_texts, result.content), used_techniques=used)
    assert len(set(replies)) == len(replies)
    questions = [reply.rsplit(". ", 1)[-1] for reply in replies]
    assert len(set(questions)) == len(questions)


def test_a_flagged_message_skips_every_later_stage(kb):
    result = pipeline.run("I want to die.", Context(), kb, crisis_resources=[{"name": "Line", "contact": "123"}])
    assert result.safety
    assert result.technique is None
    assert "Line: 123" in result.content
    assert result.analysis.distortions == ()


def test_theme_search_is_called_per_theme_not_per_message(kb):
    calls = []

    def search(theme):
        calls.append(theme)
        return []

    pipeline.run("Work is stressful and I can't sleep.", Context(), kb, search=search)
    assert set(calls) <= {"work", "sleep", "stress"}
    assert calls


def test_the_analysis_stored_with_a_message_holds_no_text(kb):
    analysis = pipeline.analyse("I always mess things up at work.", kb)
    stored = analysis.as_dict()
    assert stored == {"distortions": ["overgeneralization"], "themes": ["work"], "emotions": []}


@pytest.mark.parametrize(
    ("text", "denied", "named"),
    [
        ("I am not anxious at all today, just calm.", "feeling anxious", "calmer"),
        ("I don't feel sad any more, I feel hopeful.", "feeling low", "hope"),
        ("Not lonely tonight, just tired.", "feeling lonely", "running on empty"),
    ],
)
def test_a_feeling_the_person_denies_is_not_named_back_to_them(kb, text, denied, named):
    """A reply to "I am not anxious at all today, just calm." said "It sounds like you're feeling
    anxious", with a grounding exercise for the anxiety."""
    result = pipeline.run(text, Context(), kb)
    assert denied not in result.content
    assert named in result.content


def test_a_feeling_the_person_cannot_stop_is_still_named(kb):
    result = pipeline.run("I can't stop feeling anxious about tomorrow.", Context(), kb)
    assert "feeling anxious" in result.content


def test_a_session_started_from_a_distortion_stays_with_what_helps_with_it(kb):
    """ "It did not crash." in a session about catastrophizing was offered three good things."""
    helpful = set(kb.get("catastrophizing").related)
    context = Context(session_technique="catastrophizing")
    for text in ["Yesterday I thought the plane would crash.", "It did not crash.", "I was fine in the end."]:
        result = pipeline.run(text, context, kb)
        assert result.technique in helpful, (text, result.technique)
        used = (*context.used_techniques, result.technique) if result.technique else context.used_techniques
        context = Context(
            session_technique="catastrophizing",
            companion_texts=(*context.companion_texts, result.content),
            used_techniques=used,
        )
