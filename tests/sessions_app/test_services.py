"""Writes: creating, messaging, ending and abandoning sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from journal_project.exceptions import Conflict, NotFound
from sessions_app import services
from sessions_app.models import Message, ReflectionSession

pytestmark = pytest.mark.usefixtures("knowledge_base")


def test_create_adds_the_opening_message_and_a_default_title(user):
    session = services.session_create(user=user)
    assert session.title.startswith("Reflection · ")
    opening = session.messages.get()
    assert opening.role == Message.Role.COMPANION
    assert opening.provider == Message.Provider.OFFLINE
    assert opening.content.endswith("What's on your mind today?")


def test_create_with_a_technique_opens_with_it(user):
    session = services.session_create(user=user, title="Evening", technique_slug="box-breathing")
    opening = session.messages.get()
    assert "box breathing" in opening.content
    assert opening.technique.slug == "box-breathing"


def test_create_rejects_an_unknown_technique(user):
    with pytest.raises(ValidationError):
        services.session_create(user=user, technique_slug="no-such-thing")


def test_a_message_gets_an_offline_reply_with_its_analysis(user):
    session = services.session_create(user=user)
    result = services.message_post(user=user, session_id=session.pk, content="I always mess things up at work.")
    assert result.status == "complete"
    assert result.message.analysis["distortions"] == ["overgeneralization"]
    assert result.message.sentiment is not None
    reply = result.reply
    assert reply.reply_to == result.message
    assert reply.provider == Message.Provider.OFFLINE
    assert reply.technique.slug == "overgeneralization"
    assert reply.latency_ms is not None


def test_a_crisis_message_is_flagged_and_gets_the_fixed_reply(user, settings):
    settings.CRISIS_RESOURCES = [{"name": "Test line", "contact": "0800 000"}]
    session = services.session_create(user=user)
    result = services.message_post(user=user, session_id=session.pk, content="I want to kill myself.")
    assert result.message.safety_flag
    assert result.reply.safety_flag
    assert result.reply.provider == Message.Provider.SAFETY
    assert "Test line: 0800 000" in result.reply.content


def test_an_unclear_message_gets_the_check_in_and_a_yes_gets_the_crisis_reply(user, settings):
    settings.CRISIS_RESOURCES = [{"name": "Test line", "contact": "0800 000"}]
    session = services.session_create(user=user)
    unclear = services.message_post(user=user, session_id=session.pk, content="I can't go on.")
    assert unclear.message.safety_flag
    assert unclear.message.analysis["safety"] == "check_in"
    assert unclear.reply.provider == Message.Provider.SAFETY
    assert "ending your life" in unclear.reply.content
    assert "Test line: 0800 000" in unclear.reply.content

    answer = services.message_post(user=user, session_id=session.pk, content="maybe")
    assert answer.message.safety_flag
    assert answer.message.analysis["safety"] == "crisis"
    assert answer.reply.provider == Message.Provider.SAFETY
    assert "ending your life" not in answer.reply.content  # the crisis reply asks nothing
    assert "Test line: 0800 000" in answer.reply.content

    # Answered: the next "maybe" is an ordinary message again.
    later = services.message_post(user=user, session_id=session.pk, content="maybe")
    assert not later.message.safety_flag
    assert later.reply.provider == Message.Provider.OFFLINE


def test_a_clear_no_to_the_check_in_goes_back_to_the_conversation(user):
    session = services.session_create(user=user)
    services.message_post(user=user, session_id=session.pk, content="I feel like such a burden.")
    answer = services.message_post(user=user, session_id=session.pk, content="No, it's just work. I always mess up.")
    assert not answer.message.safety_flag
    assert answer.reply.provider == Message.Provider.OFFLINE
    assert answer.message.analysis["distortions"] == ["overgeneralization"]


def test_blank_and_overlong_messages_are_rejected(user):
    session = services.session_create(user=user)
    with pytest.raises(ValidationError):
        services.message_post(user=user, session_id=session.pk, content="   ")
    with pytest.raises(ValidationError):
        services.message_post(user=user, session_id=session.pk, content="x" * 5001)


def test_another_users_session_is_not_found(user, other_user):
    session = services.session_create(user=other_user)
    with pytest.raises(NotFound):
        services.message_post(user=user, session_id=session.pk, content="Hello there.")
    with pytest.raises(NotFound):
        services.session_end(user=user, session_id=session.pk)


def test_an_ended_session_takes_no_more_messages_and_cannot_end_twice(user):
    session = services.session_create(user=user)
    services.message_post(user=user, session_id=session.pk, content="Work was hard today.")
    ended = services.session_end(user=user, session_id=session.pk)
    assert ended.status == ReflectionSession.Status.ENDED
    assert ended.ended_at
    assert ended.summary["themes"] == ["work"]
    with pytest.raises(Conflict):
        services.message_post(user=user, session_id=session.pk, content="One more thing.")
    with pytest.raises(Conflict):
        services.session_end(user=user, session_id=session.pk)


def test_ending_can_save_the_session_as_a_journal_entry(user):
    session = services.session_create(user=user, title="Sunday reflection")
    services.message_post(user=user, session_id=session.pk, content="I feel calmer after the walk.")
    ended = services.session_end(user=user, session_id=session.pk, save_as_entry=True)
    entry = apps.get_model("entries", "Entry").objects.get(pk=ended.entry_id)
    assert entry.user_id == user.pk
    assert entry.title == "Sunday reflection"
    assert "I feel calmer after the walk." in entry.body
    assert "**Themes:**" in entry.body


def test_idle_sessions_are_abandoned_and_busy_ones_are_not(user, settings):
    settings.SESSION_IDLE_MINUTES = 60
    idle = services.session_create(user=user)
    busy = services.session_create(user=user)
    ReflectionSession.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - timedelta(hours=2))
    assert services.sessions_abandon_idle() == 1
    idle.refresh_from_db()
    busy.refresh_from_db()
    assert idle.status == ReflectionSession.Status.ABANDONED
    assert idle.ended_at
    assert busy.status == ReflectionSession.Status.ACTIVE
    with pytest.raises(Conflict):
        services.message_post(user=user, session_id=idle.pk, content="Are you there?")
    # An abandoned session can still be ended, to get its summary.
    assert services.session_end(user=user, session_id=idle.pk).status == ReflectionSession.Status.ENDED


def test_a_grounding_session_walks_through_all_five_senses(user):
    session = services.session_create(user=user, technique_slug="grounding-5-4-3-2-1")
    answers = [
        "I see a lamp, a window, a mug, a plant and my phone.",
        "I feel the chair, the floor, my sleeves and the cool air.",
        "I hear traffic, the fridge and a bird.",
        "I smell coffee and soap.",
        "I taste mint.",
    ]
    questions = [
        services.message_post(user=user, session_id=session.pk, content=text).reply.content for text in answers
    ]
    assert "smell" in questions[2]  # after the sounds, the fourth sense
    assert "taste" in questions[3]


@pytest.mark.parametrize(
    ("resources", "listed"),
    [
        ({"name": "Lifeline", "contact": "13 11 14"}, ["• Lifeline: 13 11 14"]),  # one object, not a list
        (["Call 988", "Text HOME to 741741"], ["• Call 988", "• Text HOME to 741741"]),
        ([], ["• Find a Helpline (free, confidential lines worldwide): https://findahelpline.com"]),
        ("call someone", ["• Emergency services: your local emergency number"]),
        ([1, None, {"name": ""}], ["• Emergency services: your local emergency number"]),
    ],
)
def test_a_crisis_message_gets_its_safety_reply_whatever_crisis_resources_holds(user, settings, resources, listed):
    """CRISIS_RESOURCES is an operator's JSON; anything but a list of objects made the safety
    reply itself raise (a 500, the message lost) at the one moment a reply matters most."""
    settings.CRISIS_RESOURCES = resources
    session = services.session_create(user=user)
    result = services.message_post(user=user, session_id=session.pk, content="I want to die.")
    assert result.reply.safety_flag
    for line in listed:
        assert line in result.reply.content
