"""Factories for the monitoring app."""

from __future__ import annotations

import factory
from django.utils import timezone

from monitoring.models import Comparison, Metric, MetricSnapshot, Severity, Statistic, Target, Violation


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    slug = factory.Sequence(lambda n: f"test-target-{n}")
    name = factory.Sequence(lambda n: f"Test target {n}")
    metric = Metric.SESSION_RETRIEVAL
    statistic = Statistic.P99
    comparison = Comparison.BELOW
    threshold = 10.0
    window_minutes = 1
    min_samples = 5
    severity = Severity.WARNING
    enabled = True


class HitRateTargetFactory(TargetFactory):
    metric = Metric.CACHE_READ
    statistic = Statistic.HIT_RATE
    comparison = Comparison.ABOVE
    threshold = 80.0


class ViolationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Violation

    target = factory.SubFactory(TargetFactory)
    severity = factory.LazyAttribute(lambda v: v.target.severity)
    comparison = factory.LazyAttribute(lambda v: v.target.comparison)
    threshold = factory.LazyAttribute(lambda v: v.target.threshold)
    started_at = factory.LazyFunction(timezone.now)
    worst_value = 25.0
    last_value = 25.0
    samples = 10


class MetricSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricSnapshot

    metric = "session_retrieval"
    minute = factory.LazyFunction(lambda: timezone.now().replace(second=0, microsecond=0))
    count = 10
    sum_ms = 10.0
    p50_ms = 1.0
    p95_ms = 1.0
    p99_ms = 1.0
    max_ms = 1.0
    buckets = factory.LazyFunction(lambda: [0] * 8 + [10] + [0] * 22)
