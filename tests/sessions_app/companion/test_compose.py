"""Stage 5: one question, the person's own words, and a short reason."""

from __future__ import annotations

import pytest

from sessions_app import knowledge
from sessions_app.companion import pipeline
from sessions_app.companion.compose import opening, short_citation
from sessions_app.companion.knowledge import KnowledgeBase
from sessions_app.companion.retrieval import Context


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(knowledge.items())


def reply(kb, text, context=None):
    return pipeline.run(text, context or Context(), kb)


def test_a_reply_quotes_the_persons_words_names_the_distortion_and_says_why(kb):
    result = reply(kb, "Work was long. I always mess things up when my boss is watching.")
    assert "“I always mess things up when my boss is watching”" in result.content
    assert "overgeneralization, which stretches one painful moment" in result.content
    assert result.content.count("?") == 1
    assert result.content.endswith("?")


def test_a_technique_suggestion_explains_why(kb):
    result = reply(kb, "I feel so anxious and my heart is racing.")
    assert "because it" in result.content
    assert result.content.count("?") == 1


def test_long_messages_are_quoted_briefly(kb):
    text = "I keep going back over the conversation with my sister " * 5
    result = reply(kb, text)
    quoted = result.content.split("“", 1)[1].split("”", 1)[0]
    assert len(quoted) <= 91
    assert quoted.endswith("…")


def test_replies_vary_with_the_sessions_technique(kb):
    text = "I had a difficult conversation at work today."
    record = reply(kb, text, Context(session_technique="thought-record"))
    grounding = reply(kb, text, Context(session_technique="grounding-5-4-3-2-1"))
    assert record.technique == "thought-record"
    assert grounding.technique == "grounding-5-4-3-2-1"
    assert record.content != grounding.content


def test_every_question_in_the_knowledge_base_is_a_single_question(kb):
    for item in kb.items.values():
        for question in item.questions:
            assert question.count("?") == 1, (item.slug, question)
            assert question.endswith("?"), (item.slug, question)


def test_openings_fit_the_chosen_technique(kb):
    plain, _ = opening(None)
    assert plain.count("?") == 1
    guided, question = opening(kb.get("thought-record"))
    assert "thought record" in guided
    assert question == kb.get("thought-record").questions[0]
    prompt, _ = opening(kb.get("prompt-three-good-things"))
    assert kb.get("prompt-three-good-things").summary in prompt
    assert "Seligman et al., 2005" in prompt
    distortion, _ = opening(kb.get("catastrophizing"))
    assert distortion.count("?") == 1


def test_short_citation():
    assert short_citation("Neff, K. D. (2011). Self-Compassion. New York: William Morrow.") == "Neff, 2011"
    assert short_citation("Beck, A. T., Rush, A. J., Shaw, B. F., & Emery, G. (1979). Cognitive Therapy.") == (
        "Beck et al., 1979"
    )


@pytest.mark.parametrize(
    ("key", "cited"),
    [
        ("greenberger-padesky-2016", "Greenberger & Padesky, 2016"),
        ("pennebaker-smyth-2016", "Pennebaker & Smyth, 2016"),
        ("emmons-mccullough-2003", "Emmons & McCullough, 2003"),
        ("dzurilla-nezu-2010", "D'Zurilla & Nezu, 2010"),
        ("lyubomirsky-2005", "Lyubomirsky et al., 2005"),
        ("frankl-1946", "Frankl, 1946/2006"),
    ],
)
def test_two_authors_are_both_named_and_three_or_more_are_et_al(key, cited):
    """Every two-author work was cited "et al." ("after Pennebaker et al., 2016"), against APA
    and against docs/companion.md's own list."""
    from sessions_app.knowledge.sources import SOURCES

    assert short_citation(SOURCES[key]) == cited


def test_a_citation_typed_in_the_admin_is_kept_as_written():
    assert short_citation("Zaccaro et al. (2018).") == "Zaccaro et al., 2018"
