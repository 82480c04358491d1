"""Performance targets, their violations, and per-minute metric history."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from monitoring import catalog


class Metric(models.TextChoices):
    CACHE_READ = catalog.CACHE_READ, "Cache reads"
    REDIS_COMMAND = catalog.REDIS_COMMAND, "Redis commands"
    SESSION_RETRIEVAL = catalog.SESSION_RETRIEVAL, "Session retrieval"
    DB_QUERY = catalog.DB_QUERY, "Database queries"
    KNOWLEDGE_LOOKUP = catalog.KNOWLEDGE_LOOKUP, "Knowledge base lookups"
    HTTP_REQUEST = catalog.HTTP_REQUEST, "HTTP requests"


class Statistic(models.TextChoices):
    P50 = "p50", "p50"
    P95 = "p95", "p95"
    P99 = "p99", "p99"
    MAX = "max", "maximum"
    MEAN = "mean", "mean"
    HIT_RATE = "hit_rate", "hit rate"


class Comparison(models.TextChoices):
    BELOW = "lt", "must stay below"
    ABOVE = "gt", "must stay above"


class Severity(models.TextChoices):
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class TargetStatus(models.TextChoices):
    PENDING = "pending", "not evaluated yet"
    OK = "ok", "met"
    BREACHED = "breached", "breached"
    NO_DATA = "no_data", "too few samples"
    UNAVAILABLE = "unavailable", "metrics unavailable"
    DISABLED = "disabled", "disabled"


class Target(models.Model):
    """One performance target: `<statistic> of <metric> over the last <window> minutes <comparison> <threshold>`."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    metric = models.CharField(max_length=32, choices=Metric.choices)
    statistic = models.CharField(max_length=16, choices=Statistic.choices)
    comparison = models.CharField(max_length=2, choices=Comparison.choices)
    threshold = models.FloatField(help_text="Milliseconds for latencies; percent for the hit rate.")
    window_minutes = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="The evaluation looks at this many most recent minutes.",
    )
    min_samples = models.PositiveIntegerField(
        default=50, help_text="Fewer samples than this in the window: not judged (no violation opens or closes)."
    )
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.WARNING)
    enabled = models.BooleanField(default=True)
    # The latest evaluation, for the admin list and Prometheus (written by the evaluation only).
    last_evaluated_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_value = models.FloatField(null=True, blank=True, editable=False)
    last_samples = models.PositiveBigIntegerField(default=0, editable=False)
    last_status = models.CharField(
        max_length=16, choices=TargetStatus.choices, default=TargetStatus.PENDING, editable=False
    )

    class Meta:
        ordering = ["pk"]
        # The dashboard shows every target, violation, metric and health check at once:
        # its own permission, so being staff (for, say, the journal's accounts) is not enough.
        permissions = [("view_dashboard", "Can view the monitoring dashboard")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        is_rate = self.statistic == Statistic.HIT_RATE
        if is_rate and self.metric != Metric.CACHE_READ:
            raise ValidationError({"statistic": "The hit rate exists only for cache reads."})
        if is_rate and self.threshold is not None and not 0 <= self.threshold <= 100:
            raise ValidationError({"threshold": "A hit rate threshold is a percentage (0 to 100)."})
        if not is_rate and self.threshold is not None and self.threshold < 0:
            raise ValidationError({"threshold": "A latency threshold cannot be negative."})

    @property
    def unit(self) -> str:
        return "%" if self.statistic == Statistic.HIT_RATE else "ms"

    @property
    def condition(self) -> str:
        sign = "<" if self.comparison == Comparison.BELOW else ">"
        return f"{self.get_statistic_display()} {sign} {format_value(self.threshold, self.unit)}"

    def is_met_by(self, value: float) -> bool:
        if self.comparison == Comparison.BELOW:
            return value < self.threshold
        return value > self.threshold

    def worse(self, first: float, second: float) -> float:
        return max(first, second) if self.comparison == Comparison.BELOW else min(first, second)


class ViolationQuerySet(models.QuerySet):
    def open(self) -> ViolationQuerySet:
        return self.filter(ended_at__isnull=True)


class Violation(models.Model):
    """A target breached from `started_at` until it recovered at `ended_at` (open while null)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="violations")
    # Copied from the target when opened: the target stays editable, history must not move.
    severity = models.CharField(max_length=16, choices=Severity.choices)
    comparison = models.CharField(max_length=2, choices=Comparison.choices)
    threshold = models.FloatField()
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    worst_value = models.FloatField()
    last_value = models.FloatField()
    samples = models.PositiveBigIntegerField(default=0, help_text="Samples in the window of the worst value.")
    evaluations = models.PositiveIntegerField(default=1, help_text="Evaluations that found the target breached.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    alerted_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    webhook_delivered_at = models.DateTimeField(null=True, blank=True)
    webhook_attempts = models.PositiveSmallIntegerField(default=0)

    objects = ViolationQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # At most one open violation per target, whatever races the evaluations run into.
            models.UniqueConstraint(
                fields=["target"], condition=Q(ended_at__isnull=True), name="monitoring_one_open_violation_per_target"
            ),
        ]
        indexes = [models.Index(fields=["started_at"], name="monitoring_violation_started")]

    def __str__(self) -> str:
        return f"{self.target} since {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def status(self) -> str:
        if self.ended_at is not None:
            return "resolved"
        return "acknowledged" if self.acknowledged_at else "open"

    @property
    def duration(self) -> timedelta:
        return (self.ended_at or timezone.now()) - self.started_at

    @property
    def unit(self) -> str:
        return self.target.unit


class MetricSnapshot(models.Model):
    """One metric over one minute, rolled up from the Redis windows (all label values merged)."""

    metric = models.CharField(max_length=64)
    minute = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)
    sum_ms = models.FloatField(default=0)
    p50_ms = models.FloatField(null=True, blank=True)
    p95_ms = models.FloatField(null=True, blank=True)
    p99_ms = models.FloatField(null=True, blank=True)
    max_ms = models.FloatField(null=True, blank=True)
    hits = models.PositiveBigIntegerField(null=True, blank=True)
    lookups = models.PositiveBigIntegerField(null=True, blank=True)
    hit_rate = models.FloatField(null=True, blank=True, help_text="0 to 1; cache reads only.")
    # Bucket counts (monitoring.histogram.BOUNDS + Inf): longer periods merge exactly.
    buckets = models.JSONField(default=list)

    class Meta:
        ordering = ["-minute", "metric"]
        constraints = [models.UniqueConstraint(fields=["metric", "minute"], name="monitoring_snapshot_unique_minute")]
        indexes = [models.Index(fields=["minute"], name="monitoring_snapshot_minute")]

    def __str__(self) -> str:
        return f"{self.metric} at {self.minute:%Y-%m-%d %H:%M}"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{value:.1f} %"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.2f} ms"
