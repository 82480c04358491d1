"""Explicit input serializers (strict: unknown fields are a 400) and output shapes for the schema."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from entries import rendering
from entries.models import BODY_MAX_LENGTH, MOOD_MAX, MOOD_MIN, TAG_MAX_LENGTH, TAGS_PER_ENTRY, TITLE_MAX_LENGTH
from journal_project.api.serializers import StrictSerializer, TimestampField


class EntryInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=False)
    mood = serializers.IntegerField(min_value=MOOD_MIN, max_value=MOOD_MAX, required=False, allow_null=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH, allow_blank=True),
        required=False,
        max_length=TAGS_PER_ENTRY,
    )
    entry_date = serializers.DateField(required=False, allow_null=True)

    def validate_body(self, value: str) -> str:
        if not rendering.clean_line(value):  # nothing but spaces or invisible characters
            raise serializers.ValidationError("This field may not be blank.")
        return value


class EntryCreateSerializer(EntryInputSerializer):
    # Chosen by an offline client so that retrying a create cannot make a duplicate.
    uid = serializers.UUIDField(required=False)


class EntryOutputSerializer(serializers.Serializer):
    """The entry as every endpoint answers it (documentation only: selectors build the dicts)."""

    id = serializers.IntegerField()
    uid = serializers.UUIDField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Markdown.")
    body_html = serializers.CharField(help_text="Sanitized HTML rendering of the body.")
    mood = serializers.IntegerField(allow_null=True, min_value=MOOD_MIN, max_value=MOOD_MAX)
    sentiment = serializers.FloatField(
        allow_null=True,
        help_text="-1..1 from the text, stored by the write; null until the background task scores a text over"
        " 20,000 characters or an import.",
    )
    tags = serializers.ListField(child=serializers.CharField())
    entry_date = serializers.DateField()
    created_at = TimestampField()
    updated_at = TimestampField()
    word_count = serializers.IntegerField()
    headline = serializers.CharField(required=False, help_text="Only with `q`: safe HTML, matches in <mark>.")
    title_headline = serializers.CharField(required=False, help_text="Only with `q`: the title with matches marked.")


class TombstoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uid = serializers.UUIDField()
    deleted_at = TimestampField()


class EntryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EntryOutputSerializer(many=True)
    deleted = TombstoneSerializer(many=True, required=False, help_text="Only with `updated_since`.")


class TagCountSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class TagPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TagCountSerializer(many=True)


class TrendDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    avg_mood = serializers.FloatField(allow_null=True)
    avg_sentiment = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class OnThisDaySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    entry_date = serializers.DateField()
    mood = serializers.IntegerField(allow_null=True)
    years_ago = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    entries_count = serializers.IntegerField()
    words_total = serializers.IntegerField()
    current_streak = serializers.IntegerField()
    longest_streak = serializers.IntegerField()
    days = serializers.IntegerField()
    today = serializers.DateField(help_text="The user's local date the numbers are for.")
    mood_trend = TrendDaySerializer(many=True)
    top_tags = TagCountSerializer(many=True)
    on_this_day = OnThisDaySerializer(many=True)


class StatsQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=366, default=30)


class ImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField(help_text="New journal entries (entries already there are skipped).")
    sessions = serializers.IntegerField(help_text="New reflection sessions, with their messages.")


def changes_from(validated: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Service keyword arguments from a PUT (full replacement) or PATCH (only what was sent).

    A PUT that leaves out mood or tags clears them; it keeps the entry date unless one is
    sent, since "today" would silently move an old entry.
    """
    changes = dict(validated)
    if not partial:
        changes.setdefault("mood", None)
        changes.setdefault("tags", [])
    if changes.get("entry_date", "keep") is None:
        changes.pop("entry_date")
    return changes
