"""Journal entries, their per-user tags, and tombstones of deleted entries for incremental sync.

`search_vector` is maintained by PostgreSQL itself (a trigger created in migration 0002
over title, `tags_text` and body, weighted A/B/C), so it can never lag behind a write,
whichever code path wrote the row. On SQLite the column exists but stays empty: search
there is a plain `icontains` fallback (entries.search).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 100_000
TAG_MAX_LENGTH = 50
TAGS_PER_ENTRY = 20
MOOD_MIN, MOOD_MAX = 1, 5


class Mood(models.IntegerChoices):
    VERY_LOW = 1, "Very low"
    LOW = 2, "Low"
    OKAY = 3, "Okay"
    GOOD = 4, "Good"
    GREAT = 5, "Great"


class Tag(models.Model):
    """A person's own label. Names are unique per person regardless of case ("Work" is "work")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_tags")
    name = models.CharField(max_length=TAG_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "user", name="entries_tag_unique_name_per_user"),
        ]

    def __str__(self) -> str:
        # Tag names are journal content: keep them out of logs and admin titles.
        return f"Tag #{self.pk}"


class Entry(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries")
    # Stable across export and import (and chosen by offline clients): makes import idempotent.
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    body_html = models.TextField(blank=True, editable=False)
    mood = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=Mood.choices,
        validators=[MinValueValidator(MOOD_MIN), MaxValueValidator(MOOD_MAX)],
    )
    sentiment = models.FloatField(
        null=True, blank=True, editable=False, validators=[MinValueValidator(-1.0), MaxValueValidator(1.0)]
    )
    tags = models.ManyToManyField(Tag, related_name="entries", blank=True)
    # The tag names joined by spaces, so the search trigger can weight them without a join.
    tags_text = models.TextField(blank=True, default="", editable=False)
    # The day the entry is about, in the writer's time zone (not derivable from created_at).
    entry_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set by the services on every change (not auto_now: imports keep their own created_at).
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-entry_date", "-created_at", "-id"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "uid"], name="entries_entry_unique_uid_per_user"),
            models.CheckConstraint(
                condition=models.Q(mood__isnull=True) | models.Q(mood__gte=MOOD_MIN, mood__lte=MOOD_MAX),
                name="entries_entry_mood_range",
            ),
            models.CheckConstraint(
                condition=models.Q(sentiment__isnull=True) | models.Q(sentiment__gte=-1.0, sentiment__lte=1.0),
                name="entries_entry_sentiment_range",
            ),
        ]
        indexes = [
            # The list's order with its tiebreak (`id`), then what the list pages, the count
            # and the per-day stats read, so that they are index-only scans. Without them, a
            # page deep in a 20,000-entry journal, its count and the stats each read (and
            # the page sorted) the whole table (docs/performance.md, Pages). Key columns
            # rather than `include`, which SQLite (the embedded default) does not have.
            models.Index(
                fields=["user", "-entry_date", "-created_at", "-id", "updated_at", "word_count", "mood", "sentiment"],
                name="entries_user_date_cover_idx",
            ),
            models.Index(fields=["user", "updated_at"], name="entries_user_updated_idx"),
        ]

    def __str__(self) -> str:
        # The title is journal content: keep it out of logs and admin titles.
        return f"Entry #{self.pk} ({self.entry_date})"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Entry:
        instance = super().from_db(db, field_names, values)
        # Remembered so a save that leaves `updated_at` as loaded can be told apart
        # (entries.signals: such a change is "in place" for the per-version cache).
        instance._loaded_updated_at = instance.__dict__.get("updated_at")
        return instance

    def remember_saved_version(self) -> None:
        """After a save: the row now holds this `updated_at` (a later save is compared with it)."""
        self._loaded_updated_at = self.updated_at

    def keeps_its_version(self, update_fields: Any) -> bool:
        """Did this save change the row without moving `updated_at` (not the services' way)?"""
        if update_fields is not None and "updated_at" not in update_fields:
            return True
        loaded = getattr(self, "_loaded_updated_at", None)
        return loaded is None or loaded == self.updated_at


class EntryTombstone(models.Model):
    """What remains of a deleted entry, so clients syncing with `updated_since` learn of the deletion.

    Pruned after JOURNAL_TOMBSTONE_DAYS by a periodic task.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entry_id = models.BigIntegerField()
    uid = models.UUIDField()
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deleted_at", "id"]
        indexes = [models.Index(fields=["user", "deleted_at"], name="entries_tombstone_user_idx")]

    def __str__(self) -> str:
        return f"Tombstone of entry #{self.entry_id}"
