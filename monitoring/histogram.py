"""Fixed-bucket latency histograms: cheap to record, exactly mergeable, good enough percentiles.

Every process, every minute window in Redis and every database snapshot uses the same
bucket bounds, so histograms from several gunicorn workers, Celery workers and minutes
add up bucket by bucket without loss. Percentiles are estimated the way Prometheus's
`histogram_quantile` does (linear interpolation inside the bucket that holds the rank),
additionally capped by the observed maximum when it is known.

The bounds are decimal literals in seconds so that a sample exactly on a bound (and each
target threshold: 2, 5, 10, 50 ms) lands in the bucket it names. Changing them makes
stored snapshots unreadable: add a migration that rewrites `MetricSnapshot.buckets`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Upper bounds ("le") in seconds; the last bucket (+Inf) is implicit.
BOUNDS: tuple[float, ...] = (
    0.00005, 0.0001, 0.00015, 0.0002, 0.0003, 0.0004, 0.0005, 0.00075,
    0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075,
    0.01, 0.015, 0.02, 0.03, 0.05, 0.075,
    0.1, 0.15, 0.25, 0.5, 0.75,
    1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
BUCKETS = len(BOUNDS) + 1


def bucket_index(seconds: float) -> int:
    """The bucket a sample falls in: the first whose upper bound is >= the sample."""
    return bisect_left(BOUNDS, seconds)


@dataclass
class Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * BUCKETS)
    sum: float = 0.0  # seconds
    max: float | None = None  # seconds; unknown when rebuilt from cumulative totals

    @property
    def count(self) -> int:
        return sum(self.counts)

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(BOUNDS, seconds)] += 1
        self.sum += seconds
        if self.max is None or seconds > self.max:
            self.max = seconds

    def merge(self, other: Histogram) -> None:
        counts = self.counts
        for index, value in enumerate(other.counts):
            if value:
                counts[index] += value
        self.sum += other.sum
        if other.max is not None and (self.max is None or other.max > self.max):
            self.max = other.max

    def quantile(self, q: float) -> float | None:
        return quantile(self.counts, q, self.max)

    @property
    def mean(self) -> float | None:
        count = self.count
        return self.sum / count if count else None

    @classmethod
    def merged(cls, histograms: Iterable[Histogram]) -> Histogram:
        total = cls()
        for histogram in histograms:
            total.merge(histogram)
        return total

    @classmethod
    def of(cls, samples: Iterable[float]) -> Histogram:
        histogram = cls()
        for sample in samples:
            histogram.observe(sample)
        return histogram


def quantile(counts: Sequence[int], q: float, max_value: float | None = None) -> float | None:
    """Estimate the q-quantile (0..1) in seconds from bucket counts; None without samples."""
    total = sum(counts)
    if not total:
        return None
    rank = q * total
    cumulative = 0
    for index, count in enumerate(counts):
        if not count:
            continue
        if cumulative + count >= rank:
            lower = BOUNDS[index - 1] if index > 0 else 0.0
            # The +Inf bucket has no upper bound: the maximum (or the last bound) stands in.
            upper = BOUNDS[index] if index < len(BOUNDS) else (max_value or BOUNDS[-1])
            if max_value is not None and max_value < upper:
                upper = max(max_value, lower)
            return lower + (upper - lower) * ((rank - cumulative) / count)
        cumulative += count
    return max_value  # unreachable: the loop always reaches the rank


def hit_rate(hits: int, lookups: int) -> float | None:
    return hits / lookups if lookups else None
