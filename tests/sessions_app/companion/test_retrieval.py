"""Stage 4: what a reply draws on, and never the same question twice."""

from __future__ import annotations

import pytest

from sessions_app import knowledge
from sessions_app.companion import pipeline
from sessions_app.companion.knowledge import Item, KnowledgeBase
from sessions_app.companion.retrieval import GENERIC_QUESTIONS, Context


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(knowledge.items())


def thought_record(kb: KnowledgeBase, *, asked: int = 1, said: tuple[str, ...] = ()) -> tuple[Item, Context]:
    """A thought-record session whose first `asked` questions were asked; `said`: the person's earlier messages."""
    record = kb.get("thought-record")
    context = Context(
        session_technique="thought-record", companion_texts=tuple(record.questions[:asked]), user_texts=said
    )
    return record, context


def choose(kb: KnowledgeBase, text: str, context: Context | None = None, searched=()):
    analysis = pipeline.analyse(text, kb)
    return pipeline.choose(analysis, context or Context(), kb, searched)


def test_a_named_distortion_comes_first(kb):
    choice = choose(kb, "I always mess everything up.")
    assert choice.distortion is not None
    assert choice.distortion.slug == "overgeneralization"
    assert choice.item.slug == "overgeneralization"


def test_when_the_distortion_is_spent_a_related_technique_follows(kb):
    item = kb.get("overgeneralization")
    context = Context(
        companion_texts=tuple(f"... {q}" for q in item.questions), used_techniques=("overgeneralization",)
    )
    choice = choose(kb, "I always mess everything up.", context)
    assert choice.distortion.slug == "overgeneralization"  # still named
    assert choice.item.slug in item.related


def test_feelings_point_to_fitting_techniques(kb):
    assert choose(kb, "I feel so anxious and on edge today.").item.category == "grounding"
    assert choose(kb, "I'm furious with my brother.").item.slug == "mindful-pause"
    assert choose(kb, "I'm so grateful for my neighbour, she helped me move.").item.category == "gratitude"


def test_the_sessions_chosen_technique_is_followed_step_by_step(kb):
    record, context = thought_record(kb)
    first = choose(kb, "It was at work, in the meeting this morning.", context)
    assert first.item.slug == "thought-record"
    assert first.guided
    assert first.question == record.questions[1]


def test_a_step_the_person_already_answered_is_skipped(kb):
    """The thought record asked "what did you feel, 0 to 100?" right after "I felt humiliated, about 80"."""
    record, context = thought_record(kb)
    first = choose(kb, "My boss criticised my report in front of everyone. I felt humiliated, about 80.", context)
    assert first.question == record.questions[2]  # the thought, not the feelings again

    _, context = thought_record(
        kb, asked=2, said=("At work, after the meeting.", "I told myself I'm useless and everyone saw it.")
    )
    second = choose(kb, "Ashamed, 70. Anxious, 50.", context)
    assert second.question == record.questions[3]  # the thought was given before it was asked for


@pytest.mark.parametrize(
    "text",
    [
        "It was 9:30 and I felt anxious.",  # a time, not a rating
        "I felt anxious on 12/05.",  # a date
        "We had 3 meetings in a row.",  # a number, but no feeling
        # A situation with a number in it and a feeling: the number counts something.
        "I felt anxious in a meeting with 5 people.",
        "I was sad for 2 days after the call.",
        "My 3 kids were screaming and I felt overwhelmed.",
        "At 9 I got angry at my brother.",
        "I felt lonely in week 2 of the new job.",
        "I felt anxious on 3/10.",
    ],
)
def test_feelings_are_asked_for_unless_rated(kb, text):
    record, context = thought_record(kb)
    assert choose(kb, text, context).question == record.questions[1]


def test_a_thought_merely_narrated_does_not_skip_the_thought_step(kb):
    record, context = thought_record(
        kb, asked=2, said=("I thought I'd go for a walk after work, then my sister called.",)
    )
    assert choose(kb, "Upset, maybe 60.", context).question == record.questions[2]


def test_a_distortion_still_gets_named_in_a_guided_session(kb):
    context = Context(session_technique="box-breathing")
    choice = choose(kb, "I'm such an idiot.", context)
    assert choice.distortion.slug == "labeling"


def test_full_text_results_for_the_themes_count(kb):
    plain = choose(kb, "The day had a lot in it.")
    searched = choose(kb, "The day had a lot in it.", searched=["progressive-muscle-relaxation"])
    assert plain.item is None or plain.item.slug != "progressive-muscle-relaxation"
    assert searched.item.slug == "progressive-muscle-relaxation"


def test_a_question_already_asked_is_never_chosen_again(kb):
    context = Context()
    asked = []
    for _ in range(40):
        choice = choose(kb, "ok", context)
        assert choice.question not in asked
        asked.append(choice.question)
        context = Context(companion_texts=(*context.companion_texts, choice.question))
    assert set(GENERIC_QUESTIONS) <= set(asked)  # short neutral messages get open questions first


def test_when_everything_is_asked_the_reply_is_still_unique(kb):
    every = [q for item in kb.items.values() for q in item.questions]
    every += [item.summary for item in kb.prompts] + list(GENERIC_QUESTIONS)
    context = Context(companion_texts=tuple(every))
    first = choose(kb, "ok", context)
    second = choose(kb, "ok", Context(companion_texts=(*every, first.question)))
    assert first.question != second.question


@pytest.mark.parametrize(
    "text",
    [
        "I felt humiliated, about 80.",
        "Angry (90) and sad - 40.",
        "Frustrated: 65",
        "I was anxious, maybe 7 out of 10.",
        "80% anxious, honestly.",
    ],
)
def test_a_feeling_rated_in_the_situation_skips_the_rating_step(kb, text):
    record, context = thought_record(kb)
    assert choose(kb, f"My boss criticised my report. {text}", context).question == record.questions[2]


def test_evidence_the_person_already_weighed_is_not_asked_for_again(kb):
    """The thought record asked "what evidence supports that thought?" after the person had listed it."""
    record, context = thought_record(kb, asked=3, said=("At work, after the meeting.", "Ashamed, 70."))
    both = choose(
        kb,
        "I told myself the report was weak. The evidence for it: I missed two deadlines. "
        "Against it: my manager praised the last report.",
        context,
    )
    assert both.question == record.questions[5]  # the balanced thought

    only_for = choose(kb, "I thought: the report was weak. What supports it is that I missed two deadlines.", context)
    assert only_for.question == record.questions[4]  # the evidence against is still asked for

    _, context = thought_record(kb, asked=4, said=("At work.", "Ashamed, 70.", "I told myself the report was weak."))
    after = choose(kb, "Two missed deadlines. One thing that doesn't fit: the praise last week.", context)
    assert after.question == record.questions[5]


@pytest.mark.parametrize(
    "text",
    [
        "I missed two deadlines and my boss noticed.",  # evidence, but not offered as such
        "But on the other hand I was tired.",  # a plain contrast narrates
        "I argued against it, but she booked the trip anyway.",
        "The new jacket doesn't fit.",
    ],
)
def test_evidence_is_asked_for_unless_given_as_evidence(kb, text):
    record, context = thought_record(
        kb, asked=3, said=("At work.", "Ashamed, 70.", "I told myself the report was weak.")
    )
    assert choose(kb, text, context).question == record.questions[3]


def test_the_weighing_technique_skips_what_was_weighed_too(kb):
    weighing = kb.get("evidence-for-and-against")
    context = Context(session_technique="evidence-for-and-against", companion_texts=("Let's look at it.",))
    choice = choose(
        kb, "The thought is that the project is behind. The facts for it: we missed the March date.", context
    )
    assert choice.question == weighing.questions[1]  # what doesn't fit, not the supporting facts again
