"""Reads: target values now, figures for the benchmark, chart series, recent violations.

Current values come from the per-minute windows in the store (Redis), merged over each
target's window, so every process's samples count. History comes from the snapshots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from monitoring import catalog
from monitoring.histogram import BUCKETS, Histogram
from monitoring.models import MetricSnapshot, Statistic, Target, TargetStatus, Violation
from monitoring.store import Aggregate, StoreUnavailable, get_store, minute_of, read_range, subtract_fields

QUANTILES = {Statistic.P50: 0.5, Statistic.P95: 0.95, Statistic.P99: 0.99}


@dataclass
class Reading:
    """A value of a target's statistic and the samples behind it."""

    value: float | None
    samples: int


@dataclass
class TargetReading:
    target: Target
    value: float | None
    samples: int
    status: str
    open_violation: Violation | None = None

    @property
    def status_label(self) -> str:
        return TargetStatus(self.status).label


def measure(histogram: Histogram, hits: int, lookups: int, statistic: str) -> Reading:
    """One statistic in target units: milliseconds, or percent for the hit rate."""
    if statistic == Statistic.HIT_RATE:
        return Reading(100.0 * hits / lookups if lookups else None, lookups)
    count = histogram.count
    if not count:
        return Reading(None, 0)
    if statistic in QUANTILES:
        seconds = histogram.quantile(QUANTILES[statistic])
    elif statistic == Statistic.MAX:
        seconds = histogram.max if histogram.max is not None else histogram.quantile(1.0)
    else:
        seconds = histogram.mean
    return Reading(None if seconds is None else seconds * 1000, count)


def reading_from_aggregate(aggregate: Aggregate, metric: str, statistic: str) -> Reading:
    hits, lookups = aggregate.cache_hits() if metric == catalog.CACHE_READ else (0, 0)
    return measure(aggregate.family(metric), hits, lookups, statistic)


def _status(target: Target, reading: Reading) -> str:
    if not target.enabled:
        return TargetStatus.DISABLED
    if reading.value is None or reading.samples < target.min_samples:
        return TargetStatus.NO_DATA
    return TargetStatus.OK if target.is_met_by(reading.value) else TargetStatus.BREACHED


@dataclass
class Totals:
    """One metric over some minutes: its merged histogram, and cache hits/lookups."""

    histogram: Histogram
    hits: int = 0
    lookups: int = 0

    def add(self, other: Totals) -> None:
        self.histogram.merge(other.histogram)
        self.hits += other.hits
        self.lookups += other.lookups


def read_targets(*, now: datetime | None = None, source: str = "windows") -> list[TargetReading]:
    """Every target with its value over its own window, from the store ("windows") or the snapshots.

    "snapshots" serves a process that cannot see the windows: a management command in the
    embedded default, whose windows live in the server process's memory.
    """
    now = now or timezone.now()
    targets = list(Target.objects.all())
    if not targets:
        return []
    open_violations = {v.target_id: v for v in Violation.objects.open().filter(target__in=targets)}
    current = minute_of(now)
    longest = max(target.window_minutes for target in targets)
    metrics = {target.metric for target in targets}
    try:
        per_minute = _per_minute(source, metrics, current - longest + 1, current)
    except StoreUnavailable:
        return [
            TargetReading(
                target,
                None,
                0,
                TargetStatus.UNAVAILABLE if target.enabled else TargetStatus.DISABLED,
                open_violations.get(target.pk),
            )
            for target in targets
        ]
    readings: list[TargetReading] = []
    for target in targets:
        window = Totals(Histogram())
        for minute in range(current - target.window_minutes + 1, current + 1):
            found = per_minute.get(minute, {}).get(target.metric)
            if found is not None:
                window.add(found)
        reading = measure(window.histogram, window.hits, window.lookups, target.statistic)
        readings.append(
            TargetReading(
                target, reading.value, reading.samples, _status(target, reading), open_violations.get(target.pk)
            )
        )
    return readings


def _per_minute(source: str, metrics: set[str], first: int, last: int) -> dict[int, dict[str, Totals]]:
    result: dict[int, dict[str, Totals]] = {}
    if source == "snapshots":
        rows = MetricSnapshot.objects.filter(
            metric__in=metrics, minute__gte=_datetime_of(first), minute__lte=_datetime_of(last)
        ).values_list("metric", "minute", "buckets", "sum_ms", "max_ms", "hits", "lookups")
        for metric, minute, buckets, sum_ms, max_ms, hits, lookups in rows:
            result.setdefault(minute_of(minute), {})[metric] = Totals(
                _histogram_of(buckets, sum_ms, max_ms), hits or 0, lookups or 0
            )
        return result
    for minute, aggregate in get_store().read_windows(range(first, last + 1)).items():
        hits, lookups = aggregate.cache_hits()
        result[minute] = {
            metric: Totals(aggregate.family(metric), *((hits, lookups) if metric == catalog.CACHE_READ else (0, 0)))
            for metric in metrics
        }
    return result


def _histogram_of(buckets: Iterable[int] | None, sum_ms: float | None, max_ms: float | None) -> Histogram:
    counts = list(buckets or [])
    counts = (counts + [0] * BUCKETS)[:BUCKETS]
    return Histogram(counts, (sum_ms or 0) / 1000, None if max_ms is None else max_ms / 1000)


def _datetime_of(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, tz=UTC)


# --- Figures for the benchmark ---------------------------------------------------------


def figures_mark() -> dict[str, Any]:
    """A mark to measure from: the cumulative totals now (JSON-serialisable).

    Pass it to `server_figures(since=mark)` after a benchmark mode to get that mode's
    figures exactly, whatever minute boundaries fall in between. Processes flush every
    MONITORING_FLUSH_INTERVAL seconds: take the mark, and read the figures, at least that
    long after the previous load stopped.
    """
    return {"at": timezone.now().isoformat(), "totals": get_store().read_totals()}


def server_figures(since: datetime | Mapping[str, Any] | None = None) -> dict[str, float | None]:
    """The benchmark's "server" block, from what every process has flushed to the store.

    `since`: None for everything the store holds (since Redis last lost its totals);
    a mark from `figures_mark()` for exactly what happened after it; or a datetime for
    the per-minute windows from that minute on (minute-aligned, within the window TTL).
    Values are None where nothing was recorded.
    """
    store = get_store()
    if since is None:
        aggregate = Aggregate.from_fields(store.read_totals())
    elif isinstance(since, datetime):
        aggregate = read_range(store, minute_of(since), minute_of(timezone.now()))
    else:
        aggregate = Aggregate.from_fields(subtract_fields(store.read_totals(), since.get("totals", {})))
    return figures_of(aggregate)


def figures_of(aggregate: Aggregate) -> dict[str, float | None]:
    hits, lookups = aggregate.cache_hits()

    def p99_ms(metric: str) -> float | None:
        seconds = aggregate.family(metric).quantile(0.99)
        return None if seconds is None else round(seconds * 1000, 3)

    return {
        "cache_hit_rate": round(hits / lookups, 4) if lookups else None,
        "redis_p99_ms": p99_ms(catalog.REDIS_COMMAND),
        "session_retrieval_p99_ms": p99_ms(catalog.SESSION_RETRIEVAL),
        "knowledge_lookup_p99_ms": p99_ms(catalog.KNOWLEDGE_LOOKUP),
        "db_query_p99_ms": p99_ms(catalog.DB_QUERY),
    }


# --- History for the dashboard ---------------------------------------------------------

PERIODS: dict[str, tuple[timedelta, int]] = {
    # period -> (span, minutes per chart point)
    "hour": (timedelta(hours=1), 1),
    "day": (timedelta(days=1), 15),
    "week": (timedelta(days=7), 120),
}


@dataclass
class SeriesPoint:
    at: datetime
    count: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    hit_rate: float | None  # percent


def history(metric: str, period: str, *, now: datetime | None = None) -> list[SeriesPoint]:
    """Points over the period, each merging the snapshots of its step exactly (bucket counts add)."""
    span, step = PERIODS[period]
    now = now or timezone.now()
    last = minute_of(now)
    first = minute_of(now - span) + 1
    first -= (first % step) if step > 1 else 0
    rows = MetricSnapshot.objects.filter(
        metric=metric, minute__gte=_datetime_of(first), minute__lte=_datetime_of(last)
    ).values_list("minute", "buckets", "sum_ms", "max_ms", "hits", "lookups")
    groups: dict[int, tuple[Histogram, list[int]]] = {}
    for minute, buckets, sum_ms, max_ms, hits, lookups in rows.iterator(chunk_size=2000):
        slot = (minute_of(minute) - first) // step
        histogram, rate = groups.setdefault(slot, (Histogram(), [0, 0]))
        histogram.merge(_histogram_of(buckets, sum_ms, max_ms))
        rate[0] += hits or 0
        rate[1] += lookups or 0
    points: list[SeriesPoint] = []
    for slot in range((last - first) // step + 1):
        at = _datetime_of(first + slot * step)
        if slot not in groups:
            points.append(SeriesPoint(at, 0, None, None, None, None))
            continue
        histogram, (hits, lookups) = groups[slot]

        def ms(q: float, histogram: Histogram = histogram) -> float | None:
            seconds = histogram.quantile(q)
            return None if seconds is None else seconds * 1000

        points.append(
            SeriesPoint(at, histogram.count, ms(0.5), ms(0.95), ms(0.99), 100 * hits / lookups if lookups else None)
        )
    return points


# The evaluation runs every minute; this late, it has stopped (beat down, or without a
# broker every process of the app).
EVALUATION_STALE_AFTER = timedelta(minutes=3)


def last_evaluation(targets: Iterable[Target]) -> datetime | None:
    """When the targets were last evaluated (every evaluation stamps every target)."""
    return max((t.last_evaluated_at for t in targets if t.last_evaluated_at is not None), default=None)


def evaluation_is_stale(targets: list[Target], *, now: datetime | None = None) -> bool:
    """Whether violations have stopped being recorded: targets exist, none evaluated lately."""
    if not targets:
        return False
    last = last_evaluation(targets)
    return last is None or (now or timezone.now()) - last > EVALUATION_STALE_AFTER


def recent_violations(limit: int = 20) -> list[Violation]:
    return list(Violation.objects.select_related("target", "acknowledged_by")[:limit])
