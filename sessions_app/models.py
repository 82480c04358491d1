"""The psychology knowledge base, reflection sessions and their messages.

PostgreSQL is the truth; reads go through `sessions_app.selectors` (cached), writes
through `sessions_app.services`, and `sessions_app.signals` moves the cache generations.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def _validate_string_list(value: object, field: str, *, required: bool = False) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError({field: "Expected a list of non-empty strings."})
    if required and not value:
        raise ValidationError({field: "At least one is required."})
    return value


class Technique(models.Model):
    """One item of the knowledge base: a cognitive distortion, an exercise or a journaling prompt.

    Written by us (sessions_app/knowledge/), loaded by `manage.py load_knowledge`,
    editable in the admin. The companion reads it through the cached snapshot.
    """

    class Category(models.TextChoices):
        COGNITIVE_DISTORTION = "cognitive_distortion", "Cognitive distortion"
        CBT_TECHNIQUE = "cbt_technique", "CBT technique"
        GROUNDING = "grounding", "Grounding"
        SELF_COMPASSION = "self_compassion", "Self-compassion"
        GRATITUDE = "gratitude", "Gratitude"
        VALUES = "values", "Values"
        JOURNALING_PROMPT = "journaling_prompt", "Journaling prompt"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=32, choices=Category.choices, db_index=True)
    summary = models.TextField(help_text="What it is, in two or three plain sentences (for a prompt: the prompt).")
    explanation = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why it matters, as a verb phrase the companion can use after “which …” or “because it …”.",
    )
    steps = models.JSONField(default=list, blank=True, help_text="A list of steps, each a string.")
    questions = models.JSONField(
        default=list, blank=True, help_text="Reflective questions the companion may ask, each ending with one “?”."
    )
    patterns = models.JSONField(
        default=list,
        blank=True,
        help_text="Regular expressions (case-insensitive) for words that point to this item.",
    )
    related = models.JSONField(default=list, blank=True, help_text="Slugs of techniques that help with this one.")
    sources = models.JSONField(default=list, help_text="Named sources, one citation each.")
    # Set when an editor changes a shipped item in the admin, so that the next
    # `load_knowledge` (which `make run` calls) does not silently undo the edit.
    is_customized = models.BooleanField(
        default=False, help_text="Edited here: load_knowledge leaves it alone unless run with --force."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _validate_string_list(self.steps, "steps")
        _validate_string_list(self.related, "related")
        _validate_string_list(self.sources, "sources", required=True)
        for question in _validate_string_list(self.questions, "questions"):
            # One question at a time: the companion never asks two in one reply.
            if question.count("?") != 1 or not question.rstrip().endswith("?"):
                raise ValidationError({"questions": f"Each question must end with exactly one “?”: {question!r}"})
        for pattern in _validate_string_list(self.patterns, "patterns"):
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as error:
                raise ValidationError({"patterns": f"Invalid regular expression {pattern!r}: {error}"}) from None


class ReflectionSession(models.Model):
    """A conversation between one person and the companion."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"
        ABANDONED = "abandoned", "Abandoned"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflection_sessions")
    # The session's identity across export and import (unique per person, as an entry's
    # uid): importing a file twice finds the sessions it already brought.
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    technique = models.ForeignKey(Technique, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Themes, techniques tried, mood shift and a Markdown text; filled when the session ends.
    summary = models.JSONField(default=dict, blank=True)
    # The journal entry the summary was saved as (entries is another app: no foreign key).
    entry_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-last_activity_at"], name="session_user_activity"),
            # The idle sweep: active sessions by last activity.
            models.Index(fields=["status", "last_activity_at"], name="session_status_activity"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "uid"], name="sessions_session_unique_uid_per_user"),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Message(models.Model):
    """One turn of a session: the person's words or the companion's reply."""

    class Role(models.TextChoices):
        USER = "user", "User"
        COMPANION = "companion", "Companion"

    class Provider(models.TextChoices):
        OFFLINE = "offline", "Offline companion"
        LLM = "llm", "Chat-completions provider"
        SAFETY = "safety", "Safety reply"

    session = models.ForeignKey(ReflectionSession, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField()
    technique = models.ForeignKey(Technique, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # On a person's message: it signalled crisis or self-harm. On a reply: the fixed safety reply.
    safety_flag = models.BooleanField(default=False)
    provider = models.CharField(max_length=16, choices=Provider.choices, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    # VADER compound score of a person's message, for the mood shift in the summary.
    sentiment = models.FloatField(null=True, blank=True)
    # What the pipeline noticed in a person's message: {"distortions": [...], "themes": [...]}.
    analysis = models.JSONField(default=dict, blank=True)
    # The person's message a companion reply answers; makes the reply task idempotent.
    reply_to = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reply",
        limit_choices_to={"role": "user"},
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["session", "created_at"], name="message_session_created")]

    def __str__(self) -> str:
        return f"{self.role} message {self.pk}"
