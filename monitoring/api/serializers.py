from __future__ import annotations

from rest_framework import serializers

from journal_project.api.serializers import TimestampField
from monitoring.models import Comparison, Metric, Severity, Statistic, TargetStatus


class TargetSummarySerializer(serializers.Serializer):
    """Output only: one target with its current value (from the latest windows)."""

    slug = serializers.CharField(source="target.slug")
    name = serializers.CharField(source="target.name")
    # Choice fields, so the schema lists the values a client can meet.
    metric = serializers.ChoiceField(source="target.metric", choices=Metric.choices)
    statistic = serializers.ChoiceField(source="target.statistic", choices=Statistic.choices)
    comparison = serializers.ChoiceField(source="target.comparison", choices=Comparison.choices)
    threshold = serializers.FloatField(source="target.threshold")
    unit = serializers.ChoiceField(source="target.unit", choices=["ms", "%"])
    window_minutes = serializers.IntegerField(source="target.window_minutes")
    min_samples = serializers.IntegerField(source="target.min_samples")
    severity = serializers.ChoiceField(source="target.severity", choices=Severity.choices)
    enabled = serializers.BooleanField(source="target.enabled")
    value = serializers.FloatField(allow_null=True)
    samples = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TargetStatus.choices)
    violation_open_since = TimestampField(source="open_violation.started_at", allow_null=True)


class SummarySerializer(serializers.Serializer):
    """Output only: the summary answer, in the shape of every list (CONTRACT §3)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TargetSummarySerializer(many=True)
