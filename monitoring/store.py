"""Where the per-minute windows and the cumulative totals live: Redis, or this process.

Layout in Redis (under the cache's key prefix, so a test run's prefix isolates it too)::

    <prefix>:monitoring:w:<epoch minute>    hash   field -> integer, TTL MONITORING_WINDOW_TTL
    <prefix>:monitoring:max:<epoch minute>  zset   series -> largest sample (ZADD GT)
    <prefix>:monitoring:totals              hash   cumulative fields (Prometheus counters)

Fields: ``b|<series>|<bucket index>`` (histogram bucket counts), ``s|<series>`` (sum of the
samples in microseconds) and ``c|<series>`` (counters). ``<series>`` is the JSON array
``[name, label, value, ...]`` with labels sorted. Every process HINCRBYs into the same
fields, so workers aggregate in Redis by addition and nobody needs to coordinate.

Every call respects the cache's circuit breaker: while it is open we do not touch Redis
(the caller drops and counts), and a connection failure opens it, exactly as a cache
call would.

The embedded default (no REDIS_URL, local-memory cache) keeps the same structures in this
process (`LocalStore`): single-process `runserver` works fully; separate processes
(a management command) cannot see the server's windows.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from monitoring import catalog, conf
from monitoring.histogram import BUCKETS, Histogram

Labels = tuple[tuple[str, str], ...]
SeriesKey = tuple[str, Labels]


class StoreUnavailable(Exception):
    """Redis cannot be used right now (breaker open, refused, timed out).

    `maybe_applied` is true when a write may still take effect: a command that timed out
    was sent, and a paused or stopped Redis (CLIENT PAUSE, DEBUG SLEEP, SIGSTOP) executes
    it once it resumes. Writing the same increments again would then count them twice.
    """

    def __init__(self, message: str, *, maybe_applied: bool = False) -> None:
        super().__init__(message)
        self.maybe_applied = maybe_applied


def _count_failed_command(operation: str) -> None:
    """Count a command this store sent that failed, as the cache's failed calls are counted.

    Only commands that reached the wire: one refused by the open breaker is not a Redis
    error, and counting those would grow the buffer for as long as an outage lasts.
    """
    from monitoring.collector import collector  # the collector writes through this module

    collector.increment(catalog.REDIS_ERRORS, (("operation", operation),))


def minute_of(moment: float | datetime) -> int:
    """The epoch minute a timestamp (seconds or aware datetime) falls in."""
    seconds = moment.timestamp() if isinstance(moment, datetime) else moment
    return int(seconds // 60)


# --- Field encoding ----------------------------------------------------------------------


@lru_cache(maxsize=4096)
def encode_series(name: str, labels: Labels) -> str:
    flat: list[str] = [name]
    for key, value in labels:
        flat.extend((key, value))
    return json.dumps(flat, separators=(",", ":"))


@lru_cache(maxsize=4096)
def decode_series(series: str) -> SeriesKey:
    flat = json.loads(series)
    name, rest = flat[0], flat[1:]
    return name, tuple((rest[i], rest[i + 1]) for i in range(0, len(rest) - 1, 2))


def encode(
    histograms: Mapping[SeriesKey, Histogram], counters: Mapping[SeriesKey, int]
) -> tuple[dict[str, int], dict[str, float]]:
    """Histograms and counters as hash fields (integers) and per-series maxima."""
    fields: dict[str, int] = {}
    maxima: dict[str, float] = {}
    for (name, labels), histogram in histograms.items():
        series = encode_series(name, labels)
        for index, count in enumerate(histogram.counts):
            if count:
                fields[f"b|{series}|{index}"] = count
        fields[f"s|{series}"] = round(histogram.sum * 1_000_000)
        if histogram.max is not None:
            maxima[series] = histogram.max
    for (name, labels), value in counters.items():
        if value:
            fields[f"c|{encode_series(name, labels)}"] = value
    return fields, maxima


@dataclass
class Aggregate:
    """Decoded windows or totals: histograms and counters per series."""

    histograms: dict[SeriesKey, Histogram] = field(default_factory=dict)
    counters: dict[SeriesKey, int] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, fields: Mapping[Any, Any], maxima: Mapping[Any, Any] | None = None) -> Aggregate:
        aggregate = cls()
        histograms = aggregate.histograms
        for raw_field, raw_value in fields.items():
            text = raw_field.decode() if isinstance(raw_field, bytes) else raw_field
            value = int(raw_value)
            kind, _, rest = text.partition("|")
            if kind == "b":
                series, _, index = rest.rpartition("|")
                bucket = int(index)
                if not 0 <= bucket < BUCKETS:
                    continue
                histogram = histograms.setdefault(decode_series(series), Histogram())
                histogram.counts[bucket] += value
            elif kind == "s":
                histograms.setdefault(decode_series(rest), Histogram()).sum += value / 1_000_000
            elif kind == "c":
                key = decode_series(rest)
                aggregate.counters[key] = aggregate.counters.get(key, 0) + value
        for raw_series, score in (maxima or {}).items():
            series = raw_series.decode() if isinstance(raw_series, bytes) else raw_series
            histogram = histograms.get(decode_series(series))
            if histogram is not None:
                histogram.max = float(score) if histogram.max is None else max(histogram.max, float(score))
        return aggregate

    def merge(self, other: Aggregate) -> None:
        for key, histogram in other.histograms.items():
            mine = self.histograms.get(key)
            if mine is None:
                mine = self.histograms[key] = Histogram()
            mine.merge(histogram)
        for key, value in other.counters.items():
            self.counters[key] = self.counters.get(key, 0) + value

    def names(self) -> set[str]:
        return {name for name, _ in self.histograms}

    def family(self, name: str, **label_filter: str) -> Histogram:
        """All series of one histogram merged (optionally only those with the given label values)."""
        total = Histogram()
        for (series_name, labels), histogram in self.histograms.items():
            if series_name != name:
                continue
            if label_filter:
                values = dict(labels)
                if any(values.get(key) != wanted for key, wanted in label_filter.items()):
                    continue
            total.merge(histogram)
        return total

    def counter(self, name: str) -> int:
        return sum(value for (series_name, _), value in self.counters.items() if series_name == name)

    def cache_hits(self) -> tuple[int, int]:
        """(hits, lookups) over every namespace; "bypass" reads are not lookups."""
        hits = lookups = 0
        for (name, labels), histogram in self.histograms.items():
            if name != catalog.CACHE_READ:
                continue
            result = dict(labels).get("result")
            if result in catalog.LOOKUP_RESULTS:
                count = histogram.count
                lookups += count
                if result in catalog.HIT_RESULTS:
                    hits += count
        return hits, lookups


def subtract_fields(now: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    """Field-wise difference of two totals (a counter reset counts from zero)."""
    difference: dict[str, int] = {}
    for key, value in now.items():
        delta = value - before.get(key, 0)
        if delta < 0:  # Redis lost the totals in between: count from the reset
            delta = value
        if delta:
            difference[key] = delta
    return difference


# --- Stores ------------------------------------------------------------------------------


class Store(Protocol):
    shared: bool

    def write(self, minute: int, fields: Mapping[str, int], maxima: Mapping[str, float]) -> None: ...

    def read_windows(self, minutes: Iterable[int]) -> dict[int, Aggregate]: ...

    def read_totals(self) -> dict[str, int]: ...

    def ping(self) -> float: ...


class RedisStore:
    """Windows and totals in the Redis behind the default cache (django-redis)."""

    shared = True

    def __init__(self, cache: Any) -> None:
        from django_redis.cache import RedisCache

        from journal_project.cache_backend import breaker_for

        self._cache = cache
        self.breaker = getattr(cache, "breaker", None) or breaker_for(str(getattr(cache, "_server", "default")))
        # Past the breaker wrapper on purpose: fetching the client is not a Redis call,
        # and letting it through the wrapper would count as a "success" that closes the
        # breaker before Redis has answered anything.
        self._client_factory = RedisCache.client.fget(cache)
        self.base = cache.make_key("monitoring")

    def window_key(self, minute: int) -> str:
        return f"{self.base}:w:{minute}"

    def max_key(self, minute: int) -> str:
        return f"{self.base}:max:{minute}"

    @property
    def totals_key(self) -> str:
        return f"{self.base}:totals"

    def _client(self) -> Any:
        if not self.breaker.allow():
            raise StoreUnavailable("circuit breaker open")
        return self._client_factory.get_client(write=True)

    def _call(self, operation: str, action: Any) -> Any:
        client = self._client()
        try:
            result = action(client)
        except Exception as error:
            _count_failed_command(operation)
            # A refusal (a read-only replica) is Redis answering: the breaker stays closed.
            # Anything else is Redis unavailable: unreachable, timed out, or answering with
            # something Redis would not say (another service on the port makes redis-py's
            # parsing or handshake fail outside its own errors).
            refused = isinstance(error, RedisError) and not isinstance(error, (RedisConnectionError, RedisTimeoutError))
            if not refused:
                self.breaker.record_failure(operation, error)
            timed_out = isinstance(error, (RedisTimeoutError, TimeoutError))
            raise StoreUnavailable(type(error).__name__, maybe_applied=timed_out) from error
        self.breaker.record_success()
        return result

    def write(self, minute: int, fields: Mapping[str, int], maxima: Mapping[str, float]) -> None:
        window, top, totals = self.window_key(minute), self.max_key(minute), self.totals_key

        def action(client: Any) -> None:
            # One round trip for the whole flush; no MULTI (each HINCRBY is atomic on its own).
            pipe = client.pipeline(transaction=False)
            for name, value in fields.items():
                pipe.hincrby(window, name, value)
                pipe.hincrby(totals, name, value)
            if maxima:
                pipe.zadd(top, dict(maxima), gt=True)
                pipe.expire(top, conf.window_ttl())
            pipe.expire(window, conf.window_ttl())
            pipe.expire(totals, conf.totals_ttl())
            pipe.execute()

        self._call("monitoring_flush", action)

    def read_windows(self, minutes: Iterable[int]) -> dict[int, Aggregate]:
        minutes = list(minutes)
        if not minutes:
            return {}

        def action(client: Any) -> list[Any]:
            pipe = client.pipeline(transaction=False)
            for minute in minutes:
                pipe.hgetall(self.window_key(minute))
                pipe.zrange(self.max_key(minute), 0, -1, withscores=True)
            return pipe.execute()

        replies = self._call("monitoring_read", action)
        windows: dict[int, Aggregate] = {}
        for position, minute in enumerate(minutes):
            fields, maxima = replies[2 * position], replies[2 * position + 1]
            if fields:
                windows[minute] = Aggregate.from_fields(fields, dict(maxima))
        return windows

    def read_totals(self) -> dict[str, int]:
        raw = self._call("monitoring_read", lambda client: client.hgetall(self.totals_key))
        return {(key.decode() if isinstance(key, bytes) else key): int(value) for key, value in raw.items()}

    def claim(self, job: str, minute: int, ttl: int = 180) -> bool:
        """Whether this process is the first of the deployment to claim `job` for `minute`.

        `minute` is any period number; `ttl` must outlast the period, or a process that
        comes to it late claims it again.
        """
        key = f"{self.base}:claim:{job}:{minute}"
        try:
            return bool(self._call("monitoring_claim", lambda client: client.set(key, 1, nx=True, ex=ttl)))
        except StoreUnavailable:
            return False  # nothing to roll up or evaluate without the windows anyway

    def ping(self) -> float:
        def action(client: Any) -> float:
            started = time.perf_counter()
            client.ping()
            return time.perf_counter() - started

        return self._call("probe", action)


class LocalStore:
    """The same structures in this process, for the embedded default without Redis."""

    shared = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[int, tuple[dict[str, int], dict[str, float]]] = {}
        self._totals: dict[str, int] = {}

    def write(self, minute: int, fields: Mapping[str, int], maxima: Mapping[str, float]) -> None:
        with self._lock:
            window, top = self._windows.setdefault(minute, ({}, {}))
            for name, value in fields.items():
                window[name] = window.get(name, 0) + value
                self._totals[name] = self._totals.get(name, 0) + value
            for series, value in maxima.items():
                if value > top.get(series, float("-inf")):
                    top[series] = value
            oldest = minute - conf.window_ttl() // 60
            for stale in [m for m in self._windows if m < oldest]:
                del self._windows[stale]

    def read_windows(self, minutes: Iterable[int]) -> dict[int, Aggregate]:
        with self._lock:
            copies = {m: (dict(w[0]), dict(w[1])) for m in minutes if (w := self._windows.get(m))}
        return {minute: Aggregate.from_fields(fields, maxima) for minute, (fields, maxima) in copies.items()}

    def read_totals(self) -> dict[str, int]:
        with self._lock:
            return dict(self._totals)

    def ping(self) -> float:
        return 0.0

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()
            self._totals.clear()


local_store = LocalStore()


def get_store() -> RedisStore | LocalStore:
    """Redis when the default cache is django-redis, else this process's memory."""
    from django_redis.cache import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return RedisStore(cache)
    return local_store


def read_range(store: Store, first_minute: int, last_minute: int) -> Aggregate:
    """Every window from first to last minute (inclusive) merged into one aggregate."""
    total = Aggregate()
    for aggregate in store.read_windows(range(first_minute, last_minute + 1)).values():
        total.merge(aggregate)
    return total
