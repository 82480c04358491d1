from __future__ import annotations

from rest_framework import serializers

from journal_project.timestamps import iso_timestamp


class TargetSummarySerializer(serializers.Serializer):
    """Output only: one target with its current value (from the latest windows)."""

    slug = serializers.CharField(source="target.slug")
    name = serializers.CharField(source="target.name")
    metric = serializers.CharField(source="target.metric")
    statistic = serializers.CharField(source="target.statistic")
    comparison = serializers.CharField(source="target.comparison")
    threshold = serializers.FloatField(source="target.threshold")
    unit = serializers.CharField(source="target.unit")
    window_minutes = serializers.IntegerField(source="target.window_minutes")
    min_samples = serializers.IntegerField(source="target.min_samples")
    severity = serializers.CharField(source="target.severity")
    enabled = serializers.BooleanField(source="target.enabled")
    value = serializers.FloatField(allow_null=True)
    samples = serializers.IntegerField()
    status = serializers.CharField()
    violation_open_since = serializers.SerializerMethodField()

    def get_violation_open_since(self, reading) -> str | None:  # type: ignore[no-untyped-def]
        violation = reading.open_violation
        return iso_timestamp(violation.started_at) if violation else None


class SummarySerializer(serializers.Serializer):
    """Output only: the summary answer."""

    results = TargetSummarySerializer(many=True)
