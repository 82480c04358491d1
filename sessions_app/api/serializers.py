"""Input validation (strict: unknown fields are a 400) and the output shapes of the sessions API.

Selectors return plain dicts; `*_out()` picks the public fields. The output serializer
classes describe the same shapes for the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from journal_project.api.serializers import StrictSerializer, TimestampField
from sessions_app.models import Message, ReflectionSession, Technique
from sessions_app.services import MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH

# --- Input ------------------------------------------------------------------------------


class SessionCreateInput(StrictSerializer):
    title = serializers.CharField(max_length=MAX_TITLE_LENGTH, required=False, allow_blank=True, default="")
    technique = serializers.SlugField(max_length=80, required=False, allow_null=True, allow_blank=True, default=None)


class MessageCreateInput(StrictSerializer):
    content = serializers.CharField(max_length=MAX_MESSAGE_LENGTH, allow_blank=False)


class SessionEndInput(StrictSerializer):
    save_as_entry = serializers.BooleanField(required=False, default=False)


class KnowledgeQuery(serializers.Serializer):
    q = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=Technique.Category.choices, required=False, allow_blank=True, default="")


# --- Output -----------------------------------------------------------------------------

# The `status` of a message's answer (sessions_app.services.MessagePostResult).
MESSAGE_POST_STATUSES = ["complete", "pending"]

MESSAGE_FIELDS = ("id", "role", "content", "created_at", "technique", "technique_name", "safety", "reply_to")
SESSION_FIELDS = ("id", "title", "status", "technique", "started_at", "last_activity_at", "ended_at")


def message_out(message: dict[str, Any]) -> dict[str, Any]:
    return {field: message[field] for field in MESSAGE_FIELDS}


def session_list_item_out(session: dict[str, Any]) -> dict[str, Any]:
    return {**{field: session[field] for field in SESSION_FIELDS}, "message_count": session["message_count"]}


def session_out(session: dict[str, Any]) -> dict[str, Any]:
    return {
        **{field: session[field] for field in SESSION_FIELDS},
        "summary": session["summary"],
        "entry_id": session["entry_id"],
        "themes": session["themes"],
        "techniques_used": session["techniques_used"],
        "awaiting_reply": session["awaiting_reply"],
        "message_count": session["message_count"],
        "messages": [message_out(message) for message in session["messages"]],
    }


class SessionTechniqueRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=Technique.Category.choices)


class SessionMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Message.Role.choices)
    content = serializers.CharField()
    created_at = TimestampField()
    technique = serializers.CharField(allow_null=True, help_text="Slug of the technique the reply drew on.")
    technique_name = serializers.CharField(allow_null=True)
    safety = serializers.BooleanField(help_text="A message that signalled crisis, or the fixed safety reply.")
    reply_to = serializers.IntegerField(
        allow_null=True,
        help_text="On a companion reply: the id of the person's message it answers. Null on the person's "
        "messages and on the companion's opening message.",
    )


class TechniqueUsedSerializer(serializers.Serializer):
    """A technique the companion drew on in a session (`techniques_used`, a summary's `techniques`)."""

    slug = serializers.CharField()
    name = serializers.CharField()


class SummaryMoodSerializer(serializers.Serializer):
    first = serializers.FloatField(help_text="VADER compound score of the person's first scored message, -1..1.")
    last = serializers.FloatField(help_text="The same for their last scored message.")
    shift = serializers.FloatField(help_text="`last - first`, -2..2.")
    direction = serializers.ChoiceField(choices=["lighter", "heavier", "steady"])


class SessionSummarySerializer(serializers.Serializer):
    themes = serializers.ListField(child=serializers.CharField())
    # Typed, not free objects: a client generated from the schema otherwise gets an
    # untyped dictionary for each technique and for the mood.
    techniques = TechniqueUsedSerializer(many=True)
    mood = SummaryMoodSerializer(allow_null=True, help_text="Null when none of the person's messages was scored.")
    message_count = serializers.IntegerField()
    crisis_support = serializers.BooleanField(
        required=False, help_text="The session had the crisis reply (absent from summaries made before it was added)."
    )
    text = serializers.CharField(help_text="The summary as Markdown.")


class SessionListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=ReflectionSession.Status.choices)
    technique = SessionTechniqueRefSerializer(allow_null=True)
    started_at = TimestampField()
    last_activity_at = TimestampField()
    ended_at = TimestampField(allow_null=True)
    message_count = serializers.IntegerField()


class SessionOutSerializer(SessionListItemSerializer):
    summary = SessionSummarySerializer(allow_null=True)
    entry_id = serializers.IntegerField(allow_null=True)
    themes = serializers.ListField(child=serializers.CharField())
    techniques_used = TechniqueUsedSerializer(many=True)
    awaiting_reply = serializers.BooleanField()
    messages = SessionMessageSerializer(many=True)


class MessagePostOutSerializer(serializers.Serializer):
    message = SessionMessageSerializer()
    reply = SessionMessageSerializer(allow_null=True)
    # Its own enum name (ENUM_NAME_OVERRIDES): "status" is also the session's enum.
    status = serializers.ChoiceField(
        choices=MESSAGE_POST_STATUSES,
        help_text="`complete` (reply inline) or `pending` (a provider answers later).",
    )


class TechniqueOutSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=Technique.Category.choices)
    category_label = serializers.CharField()
    summary = serializers.CharField()
    steps = serializers.ListField(child=serializers.CharField())
    sources = serializers.ListField(child=serializers.CharField())


class TechniqueDetailOutSerializer(TechniqueOutSerializer):
    explanation = serializers.CharField()
    questions = serializers.ListField(child=serializers.CharField())
    related = serializers.ListField(child=serializers.CharField())


class PromptOutSerializer(serializers.Serializer):
    date = serializers.DateField()
    slug = serializers.CharField()
    name = serializers.CharField()
    text = serializers.CharField()
    source = serializers.CharField()


def technique_detail_out(technique: dict[str, Any]) -> dict[str, Any]:
    """The public detail: everything but the detector's internal patterns."""
    return {key: value for key, value in technique.items() if key != "patterns"}
