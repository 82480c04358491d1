from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from monitoring import services
from monitoring.models import MetricSnapshot, Target, Violation, format_value


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "condition_display",
        "window_minutes",
        "min_samples",
        "severity",
        "enabled",
        "last_status",
        "last_value_display",
        "last_evaluated_at",
    ]
    list_editable = ["severity", "enabled"]
    list_filter = ["enabled", "severity", "metric"]
    readonly_fields = ["last_evaluated_at", "last_value", "last_samples", "last_status"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "enabled", "severity"]}),
        (
            "Condition",
            {"fields": ["metric", "statistic", "comparison", "threshold", "window_minutes", "min_samples"]},
        ),
        ("Latest evaluation", {"fields": readonly_fields}),
    ]

    @admin.display(description="condition")
    def condition_display(self, target: Target) -> str:
        return f"{target.get_metric_display()}: {target.condition}"

    @admin.display(description="last value")
    def last_value_display(self, target: Target) -> str:
        return format_value(target.last_value, target.unit)


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", "Open"), ("unacknowledged", "Open, not acknowledged"), ("resolved", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "open":
            return queryset.filter(ended_at__isnull=True)
        if value == "unacknowledged":
            return queryset.filter(ended_at__isnull=True, acknowledged_at__isnull=True)
        if value == "resolved":
            return queryset.filter(ended_at__isnull=False)
        return queryset


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = [
        "target",
        "severity",
        "status_display",
        "started_at",
        "ended_at",
        "duration_display",
        "worst_display",
        "samples",
        "acknowledged_by",
    ]
    list_filter = ["target", StatusFilter, "severity", ("started_at", admin.DateFieldListFilter)]
    list_select_related = ["target", "acknowledged_by"]
    date_hierarchy = "started_at"
    actions = ["acknowledge"]
    readonly_fields = [
        "target",
        "severity",
        "comparison",
        "threshold",
        "started_at",
        "ended_at",
        "worst_value",
        "last_value",
        "samples",
        "evaluations",
        "acknowledged_at",
        "acknowledged_by",
        "alerted_at",
        "mailed_at",
        "webhook_delivered_at",
        "webhook_attempts",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # violations are recorded by the evaluation only

    @admin.display(description="status")
    def status_display(self, violation: Violation) -> str:
        return violation.status

    @admin.display(description="duration")
    def duration_display(self, violation: Violation) -> str:
        return _duration(violation.duration)

    @admin.display(description="worst value")
    def worst_display(self, violation: Violation) -> str:
        return format_value(violation.worst_value, violation.target.unit)

    @admin.action(description="Acknowledge the selected violations", permissions=["change"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = sum(services.violation_acknowledge(violation=v, user=request.user) for v in queryset)
        self.message_user(request, f"{count} violation(s) acknowledged.", messages.SUCCESS)


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def _rounded_ms(field: str, description: str) -> Callable[[Any, MetricSnapshot], str]:
    """A changelist column showing a duration field as the rest of the admin does, sortable."""

    @admin.display(description=description, ordering=field)
    def display(model_admin: Any, snapshot: MetricSnapshot) -> str:
        return format_value(getattr(snapshot, field), "ms")

    return display


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(admin.ModelAdmin):
    list_display = [
        "minute",
        "metric",
        "count",
        "p50_display",
        "p95_display",
        "p99_display",
        "max_display",
        "hit_rate_display",
    ]
    list_filter = ["metric"]
    date_hierarchy = "minute"
    show_full_result_count = False  # a count(*) over months of minutes is slow and not useful

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: MetricSnapshot | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: MetricSnapshot | None = None) -> bool:
        return False

    # Rounded as the targets and violations are (the stored floats read "4.424999999999999").
    p50_display = _rounded_ms("p50_ms", "p50")
    p95_display = _rounded_ms("p95_ms", "p95")
    p99_display = _rounded_ms("p99_ms", "p99")
    max_display = _rounded_ms("max_ms", "max")

    @admin.display(description="hit rate")
    def hit_rate_display(self, snapshot: MetricSnapshot) -> str:
        return "–" if snapshot.hit_rate is None else f"{snapshot.hit_rate * 100:.1f} %"
