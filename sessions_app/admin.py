"""Admin: the knowledge base is editable; sessions and messages are metadata only.

Operators never see journal text (message content, session titles and summaries)
unless settings.JOURNAL_ADMIN_SHOWS_CONTENT is switched on.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from journal_project.admin_privacy import FilterOnlyWhatIsShownMixin
from journal_project.admin_privacy import shows_content as _shows_content
from sessions_app import services
from sessions_app.models import Message, ReflectionSession, Technique


@admin.register(Technique)
class TechniqueAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "category", "is_customized", "updated_at"]
    list_filter = ["category", "is_customized"]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "summary", "explanation"]}),
        ("Content", {"fields": ["steps", "questions", "related", "sources"]}),
        ("Detection", {"fields": ["patterns"], "classes": ["collapse"]}),
        ("Status", {"fields": ["is_customized", "updated_at"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Technique, form: Any, change: bool) -> None:
        # Through the service: the edit is marked, so `load_knowledge` will not undo it.
        services.technique_save(technique=obj)


class _ReadOnlyAdmin(FilterOnlyWhatIsShownMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # As the entries' admins: an operator could delete one message of someone's
    # conversation (leaving the companion's reply quoting it, and the summary built on
    # it) or a whole session. What goes, goes with its account (accounts.services.user_delete).
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    show_change_link = False
    fk_name = "session"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["role", "created_at", "provider", "latency_ms", "safety_flag", "technique"]
        return [*fields, "content"] if _shows_content() else fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReflectionSession)
class ReflectionSessionAdmin(_ReadOnlyAdmin):
    list_filter = ["status", "started_at"]
    list_select_related = ["user", "technique"]
    search_fields = ["user__username"]  # never the text
    date_hierarchy = "started_at"
    inlines = [MessageInline]

    def get_list_display(self, request: HttpRequest) -> list[str]:
        columns = [
            "id",
            "user",
            "status",
            "technique",
            "started_at",
            "last_activity_at",
            "ended_at",
            "message_total",
            "flagged_total",
        ]
        return [*columns[:2], "title", *columns[2:]] if _shows_content() else columns

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["user", "status", "technique", "started_at", "last_activity_at", "ended_at", "entry_id"]
        return [*fields, "title", "summary"] if _shows_content() else fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.get_fields(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReflectionSession]:
        return (
            super()
            .get_queryset(request)
            .annotate(_messages=Count("messages"), _flagged=Count("messages", filter=Q(messages__safety_flag=True)))
        )

    @admin.display(description="messages", ordering="_messages")
    def message_total(self, session: Any) -> int:
        return session._messages

    @admin.display(description="flagged", ordering="_flagged")
    def flagged_total(self, session: Any) -> int:
        return session._flagged


@admin.register(Message)
class MessageAdmin(_ReadOnlyAdmin):
    list_filter = ["role", "provider", "safety_flag", "created_at"]
    list_select_related = ["session__user", "technique"]
    search_fields = ["session__user__username"]  # never the text

    def get_list_display(self, request: HttpRequest) -> list[str]:
        columns = [
            "id",
            "owner",
            "session_id",
            "role",
            "created_at",
            "provider",
            "latency_ms",
            "safety_flag",
            "technique",
        ]
        return [*columns, "content"] if _shows_content() else columns

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["session", "role", "created_at", "provider", "latency_ms", "safety_flag", "technique", "sentiment"]
        return [*fields, "content"] if _shows_content() else fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.get_fields(request, obj)

    @admin.display(description="owner", ordering="session__user__username")
    def owner(self, message: Message) -> str:
        return message.session.user.get_username()
