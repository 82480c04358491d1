"""Entries in the admin as metadata only: operators see owners, dates, sizes and moods, never
what people wrote (titles, bodies, tag names) unless JOURNAL_ADMIN_SHOWS_CONTENT is set.

Read-only: changing or deleting someone's journal goes through the services (tombstones,
cache invalidation), not through admin forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from entries.models import Entry, Tag
from journal_project.admin_privacy import FilterOnlyWhatIsShownMixin, shows_content

ENTRY_METADATA = ("id", "user", "entry_date", "created_at", "updated_at", "word_count", "mood", "sentiment")
ENTRY_CONTENT = ("title", "body", "tags_text")


class ReadOnlyAdmin(FilterOnlyWhatIsShownMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "entry_date", "created_at", "updated_at", "word_count", "mood", "sentiment")
    list_filter = ("entry_date", "created_at", "mood")
    search_fields = ("user__username",)
    date_hierarchy = "entry_date"
    list_select_related = ("user",)
    ordering = ("-created_at",)
    show_full_result_count = False

    @admin.display(description="Owner", ordering="user__username")
    def owner(self, obj: Entry) -> str:
        return obj.user.get_username()

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        return (*self.list_display, "title") if shows_content() else self.list_display

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*ENTRY_METADATA, *ENTRY_CONTENT) if shows_content() else ENTRY_METADATA

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.get_fields(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entry]:
        queryset = super().get_queryset(request)
        # Never load the text into an operator's page unless it is meant to be shown.
        deferred = ("search_vector", "body_html") if shows_content() else ("search_vector", "body_html", *ENTRY_CONTENT)
        return queryset.defer(*deferred)


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "created_at", "entry_count")
    list_filter = ("created_at",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    ordering = ("-created_at",)

    @admin.display(description="Owner", ordering="user__username")
    def owner(self, obj: Tag) -> str:
        return obj.user.get_username()

    @admin.display(description="Entries", ordering="entry_count")
    def entry_count(self, obj: Any) -> int:
        return obj.entry_count

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        return (*self.list_display, "name") if shows_content() else self.list_display

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        base = ("id", "user", "created_at")
        return (*base, "name") if shows_content() else base

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.get_fields(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(entry_count=Count("entries"))
