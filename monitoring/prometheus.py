"""`/metrics`: the Redis-aggregated totals as a Prometheus collector.

Each process flushes into the same cumulative hash in Redis, so one scrape of any
gunicorn worker reports the whole deployment (every worker, every Celery process): no
prometheus-client multiprocess directory, no per-worker series. Counters reset only if
Redis loses the hash, which Prometheus's rate() handles like a restart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import CollectorRegistry
from prometheus_client.utils import floatToGoString

from monitoring import catalog
from monitoring.histogram import BOUNDS, Histogram
from monitoring.models import Target
from monitoring.store import Aggregate, Labels

_LE = [floatToGoString(bound) for bound in BOUNDS]


def _label_names(series: list[tuple[Labels, object]]) -> list[str]:
    return sorted({key for labels, _ in series for key, _ in labels})


def _values(labels: Labels, names: list[str]) -> list[str]:
    found = dict(labels)
    return [found.get(name, "") for name in names]


class JournalCollector:
    """Yields every metric family from one read of the totals (plus the targets from the database)."""

    def __init__(self, aggregate: Aggregate | None, targets: list[Target]) -> None:
        self.aggregate = aggregate
        self.targets = targets

    def describe(self) -> list[Metric]:
        return []  # nothing to check at registration: every scrape builds a fresh registry

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "journal_monitoring_store_up", "1 when the metrics store (Redis) answered this scrape, else 0."
        )
        up.add_metric([], 1 if self.aggregate is not None else 0)
        yield up
        if self.aggregate is not None:
            yield from self._histograms(self.aggregate)
            yield from self._counters(self.aggregate)
        yield from self._targets()

    def _histograms(self, aggregate: Aggregate) -> Iterator[Metric]:
        families: dict[str, list[tuple[Labels, Histogram]]] = defaultdict(list)
        for (name, labels), histogram in aggregate.histograms.items():
            if catalog.is_valid_name(name):
                families[name].append((labels, histogram))
        for name in sorted(families):
            series = sorted(families[name], key=lambda item: item[0])
            family = catalog.histogram_family(name)
            names = _label_names(series)
            metric = HistogramMetricFamily(family.prometheus, family.help, labels=names)
            for labels, histogram in series:
                cumulative, buckets = 0, []
                for le, count in zip(_LE, histogram.counts, strict=False):
                    cumulative += count
                    buckets.append((le, cumulative))
                buckets.append(("+Inf", cumulative + histogram.counts[-1]))
                metric.add_metric(_values(labels, names), buckets, histogram.sum)
            yield metric
            if name == catalog.CACHE_READ:
                requests = CounterMetricFamily(
                    "journal_cache_requests", "Cached reads by namespace and result.", labels=["namespace", "result"]
                )
                for labels, histogram in series:
                    requests.add_metric(_values(labels, ["namespace", "result"]), histogram.count)
                yield requests

    def _counters(self, aggregate: Aggregate) -> Iterator[Metric]:
        families: dict[str, list[tuple[Labels, int]]] = defaultdict(list)
        for (name, labels), value in aggregate.counters.items():
            families[name].append((labels, value))
        families.setdefault(catalog.DROPPED_SAMPLES, [])
        for name in sorted(families):
            family = catalog.COUNTERS.get(name)
            if family is None or not catalog.is_valid_name(name):
                continue
            series = sorted(families[name], key=lambda item: item[0])
            names = _label_names(series)
            metric = CounterMetricFamily(family.prometheus, family.help, labels=names)
            if not series and not names:
                metric.add_metric([], 0)
            for labels, value in series:
                metric.add_metric(_values(labels, names), value)
            yield metric

    def _targets(self) -> Iterator[Metric]:
        value = GaugeMetricFamily(
            "journal_target_value",
            "Latest evaluated value of each performance target (ms, or percent for the hit rate).",
            labels=["target"],
        )
        threshold = GaugeMetricFamily("journal_target_threshold", "Threshold of each target.", labels=["target"])
        breached = GaugeMetricFamily(
            "journal_target_violation_open",
            "1 while the target has an open violation.",
            labels=["target", "severity"],
        )
        # Violations and alerts come only from the scheduled evaluation: this says whether it
        # still runs (alert on `time() - max(...) > 300`; beat stopped, nothing else would).
        evaluated = GaugeMetricFamily(
            "journal_target_last_evaluation_timestamp_seconds",
            "When each target was last evaluated (Unix time); violations open and close only then.",
            labels=["target"],
        )
        for target in self.targets:
            if target.last_value is not None:
                value.add_metric([target.slug], target.last_value)
            if target.last_evaluated_at is not None:
                evaluated.add_metric([target.slug], target.last_evaluated_at.timestamp())
            threshold.add_metric([target.slug], target.threshold)
            breached.add_metric([target.slug, target.severity], 1 if getattr(target, "has_open", False) else 0)
        yield value
        yield threshold
        yield breached
        yield evaluated


def build_registry(totals: Mapping[str, int] | None, targets: list[Target]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    aggregate = None if totals is None else Aggregate.from_fields(totals)
    registry.register(JournalCollector(aggregate, targets))
    return registry
